// .recovery/: where damaged bytes go (copied, never deleted) and where every repair action is
// logged, one line each, in recovery-YYYY-MM-DD.log.
import path from 'node:path';
import type { FileSystem } from './fileSystem.ts';
import { makeDirectoryDurably, syncDirectory, writeAll } from './fileSystem.ts';

export class RecoveryLog {
  constructor(
    private readonly fsys: FileSystem,
    readonly dir: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Copies damaged bytes into .recovery/ and returns the copy's path. */
  saveBytes(sourceFile: string, offset: number, bytes: Uint8Array, why: string): string {
    makeDirectoryDurably(this.fsys, this.dir);
    const stamp = this.clock().toISOString().replace(/[:.]/g, '-');
    const name = `${path.basename(sourceFile)}.${stamp}.at-${offset}.${process.pid}.bad`;
    const target = path.join(this.dir, name);
    const fd = this.fsys.openSync(target, 'w', 0o644);
    try {
      writeAll(this.fsys, fd, bytes);
      this.fsys.fsyncSync(fd);
    } finally {
      this.fsys.closeSync(fd);
    }
    syncDirectory(this.fsys, this.dir);
    this.log(`saved ${bytes.length} bytes from ${path.basename(sourceFile)} at offset ${offset} (${why}) to ${name}`);
    return target;
  }

  log(action: string): void {
    makeDirectoryDurably(this.fsys, this.dir);
    const now = this.clock();
    const file = path.join(this.dir, `recovery-${now.toISOString().slice(0, 10)}.log`);
    const fd = this.fsys.openSync(file, 'a', 0o644);
    try {
      writeAll(this.fsys, fd, Buffer.from(`${now.toISOString()} ${action.replace(/\n/g, ' ')}\n`));
      this.fsys.fdatasyncSync(fd);
    } finally {
      this.fsys.closeSync(fd);
    }
  }
}
