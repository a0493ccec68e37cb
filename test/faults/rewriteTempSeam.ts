// The real file system seen through the engine's seam, telling a test of each write and fsync
// of a rewrite's temporary file of the context `work` (nothing is mocked: every call is made).
import path from 'node:path';
import { realFileSystem, type FileSystem } from '../../electron/core/fileSystem.ts';

/**
 * The real file system, telling `hooks` of each write and fsync of a rewrite's temporary file of
 * the context: `beforeWrite` may throw (a full disk), `onSync` runs once it is fsynced, `onClose`
 * once a descriptor of it is closed (written, or read back), `afterRead` sees (and may change)
 * what a read of it returned.
 */
export function rewriteTempSeam(hooks: { beforeWrite?: (file: string) => void; onSync?: () => void; onClose?: () => void; afterRead?: (bytes: Uint8Array) => void }): FileSystem {
  const paths = new Map<number, string>();
  const tempOf = (fd: number) => {
    const file = paths.get(fd);
    return file !== undefined && path.basename(file).startsWith('.charts-work.jsonl.tmp-') ? file : undefined;
  };
  return {
    ...realFileSystem,
    openSync(p, flags, mode) {
      const fd = realFileSystem.openSync(p, flags, mode);
      paths.set(fd, p);
      return fd;
    },
    closeSync(fd) {
      const temp = tempOf(fd);
      paths.delete(fd);
      realFileSystem.closeSync(fd);
      if (temp !== undefined) hooks.onClose?.();
    },
    writeSync(fd, ...rest: unknown[]) {
      const temp = tempOf(fd);
      if (temp !== undefined) hooks.beforeWrite?.(temp);
      return (realFileSystem.writeSync as (...args: unknown[]) => number)(fd, ...rest);
    },
    readSync(fd, buffer, offset, length, position) {
      const read = realFileSystem.readSync(fd, buffer, offset, length, position);
      if (tempOf(fd) !== undefined && read > 0) hooks.afterRead?.(buffer.subarray(offset, offset + read));
      return read;
    },
    fsyncSync(fd) {
      realFileSystem.fsyncSync(fd);
      if (tempOf(fd) !== undefined) hooks.onSync?.();
    },
  };
}
