// A FileSystem (the electron/core/fileSystem.ts seam) for child processes that kill themselves
// in the middle of an operation: once armed, it counts every write, fsync/fdatasync, rename and
// link (with countAll: every call that can change the disk, the lock's mkdir, owner note,
// unlink, rmdir and utimes among them), prints one JSON line per counted call, and sends SIGKILL
// to its own process right before (or right after) the N-th. Used by test/charts/crashChild.ts
// and test/backups/backupCrashChild.ts.
import fs from 'node:fs';
import { realFileSystem, type FileSystem } from '../../electron/core/fileSystem.ts';

export type CountedOp = 'write' | 'fsync' | 'rename' | 'link' | 'open' | 'unlink' | 'truncate' | 'mkdir' | 'rmdir' | 'utimes' | 'rm' | 'copy';

/** One JSON line on stdout, written synchronously: in the pipe before the next statement, so before a kill. */
export function say(message: Record<string, unknown>): void {
  fs.writeSync(1, `${JSON.stringify(message)}\n`);
}

/** Runs a crash child's work: exit 0 when done, else one `error` line (what the parent reads) and exit 2. */
export function runCrashChild(work: Promise<void>): void {
  work.then(
    () => process.exit(0),
    (error: unknown) => {
      say({ t: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      process.exit(2);
    },
  );
}

/** The seam: the real file system, with a self-kill at the N-th counted call once armed. */
export class KillingFileSystem implements FileSystem {
  armed = false;
  calls = 0;
  private readonly fdPaths = new Map<number, string>();

  constructor(
    private readonly killAt: number | null,
    private readonly when: 'before' | 'after',
    private readonly countAll: boolean,
  ) {}

  /** Calls counted only with countAll: they change the disk too, but are not writes, syncs, renames or links. */
  private extra<T>(op: CountedOp, file: string, run: () => T): T {
    return this.countAll ? this.counted(op, file, run) : run();
  }

  private counted<T>(op: CountedOp, file: string, run: () => T): T {
    if (!this.armed) return run();
    this.calls += 1;
    const n = this.calls;
    say({ t: 'call', n, op, path: file });
    const kill = this.killAt === n;
    if (kill && this.when === 'before') {
      say({ t: 'kill', n, op, path: file, when: 'before' });
      process.kill(process.pid, 'SIGKILL');
    }
    try {
      return run();
    } finally {
      // After the call, whether it succeeded or threw (an unlink of a file already gone).
      if (kill && this.when === 'after') {
        say({ t: 'kill', n, op, path: file, when: 'after' });
        process.kill(process.pid, 'SIGKILL');
      }
    }
  }

  private pathOf(fd: number): string {
    return this.fdPaths.get(fd) ?? `fd:${fd}`;
  }

  openSync(p: string, flags: string | number, mode?: number): number {
    const writing = typeof flags === 'number' ? (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_APPEND)) !== 0 : /[wa+x]/.test(flags);
    const fd = writing ? this.extra('open', p, () => realFileSystem.openSync(p, flags, mode)) : realFileSystem.openSync(p, flags, mode);
    this.fdPaths.set(fd, p);
    return fd;
  }
  closeSync(fd: number): void {
    realFileSystem.closeSync(fd);
    this.fdPaths.delete(fd);
  }
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): number {
    return realFileSystem.readSync(fd, buffer, offset, length, position);
  }
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position?: number | null): number {
    const file = this.pathOf(fd);
    const write = () => realFileSystem.writeSync(fd, buffer, offset, length, position);
    // The lock's owner note is written at each acquisition of the lock, like its mkdir: counted
    // only with countAll (where the lock is taken once per operation, so the count is fixed).
    return file.endsWith('.tension.lock.owner') ? this.extra('write', file, write) : this.counted('write', file, write);
  }
  fsyncSync(fd: number): void {
    this.counted('fsync', this.pathOf(fd), () => realFileSystem.fsyncSync(fd));
  }
  fdatasyncSync(fd: number): void {
    this.counted('fsync', this.pathOf(fd), () => realFileSystem.fdatasyncSync(fd));
  }
  ftruncateSync(fd: number, len: number): void {
    this.extra('truncate', this.pathOf(fd), () => realFileSystem.ftruncateSync(fd, len));
  }
  fstatSync(fd: number): fs.Stats {
    return realFileSystem.fstatSync(fd);
  }
  statSync(p: string, options: { bigint: true }): fs.BigIntStats {
    return realFileSystem.statSync(p, options);
  }
  readFileSync(p: string): Buffer {
    return realFileSystem.readFileSync(p);
  }
  exchangeSync(a: string, b: string): void {
    this.counted('rename', `${a} <-> ${b}`, () => realFileSystem.exchangeSync(a, b));
  }
  renameSync(from: string, to: string): void {
    this.counted('rename', `${from} -> ${to}`, () => realFileSystem.renameSync(from, to));
  }
  linkSync(existing: string, newPath: string): void {
    this.counted('link', `${existing} -> ${newPath}`, () => realFileSystem.linkSync(existing, newPath));
  }
  unlinkSync(p: string): void {
    this.extra('unlink', p, () => realFileSystem.unlinkSync(p));
  }
  rmSync(p: string, options: { recursive: boolean; force: boolean }): void {
    this.extra('rm', p, () => realFileSystem.rmSync(p, options));
  }
  mkdirSync(p: string, options?: { recursive?: boolean }): string | undefined {
    return this.extra('mkdir', p, () => realFileSystem.mkdirSync(p, options));
  }
  rmdirSync(p: string): void {
    this.extra('rmdir', p, () => realFileSystem.rmdirSync(p));
  }
  readdirSync(p: string): string[] {
    return realFileSystem.readdirSync(p);
  }
  copyFileSync(from: string, to: string): void {
    this.extra('copy', `${from} -> ${to}`, () => realFileSystem.copyFileSync(from, to));
  }
  existsSync(p: string): boolean {
    return realFileSystem.existsSync(p);
  }
  utimesSync(p: string, atime: Date, mtime: Date): void {
    this.extra('utimes', p, () => realFileSystem.utimesSync(p, atime, mtime));
  }
}

