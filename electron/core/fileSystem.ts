// The file-system seam. The engine does all its I/O through this object so tests can inject
// EACCES, EROFS, EIO or ENOSPC at the n-th call of any operation (as root, file modes do not
// stop us, so permission errors can only be tested this way). Synchronous calls on purpose:
// a commit is a short critical section under a cross-process lock, and sync I/O keeps its
// steps in a fixed order within the process.
import fs from 'node:fs';
import { exchangeFilesSync } from './atomicExchange.ts';

export interface FileSystem {
  openSync(path: string, flags: string | number, mode?: number): number;
  closeSync(fd: number): void;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position?: number | null): number;
  fsyncSync(fd: number): void;
  fdatasyncSync(fd: number): void;
  ftruncateSync(fd: number, len: number): void;
  fstatSync(fd: number): fs.Stats;
  statSync(path: string, options: { bigint: true }): fs.BigIntStats;
  readFileSync(path: string): Buffer;
  renameSync(from: string, to: string): void;
  /** Atomically swaps two existing files (atomicExchange.ts); ENOSYS where that is not possible. */
  exchangeSync(a: string, b: string): void;
  linkSync(existing: string, newPath: string): void;
  unlinkSync(path: string): void;
  rmSync(path: string, options: { recursive: boolean; force: boolean }): void;
  /** Without `recursive`, an atomic create that fails with EEXIST (the lock is such a mkdir). */
  mkdirSync(path: string, options?: { recursive?: boolean }): string | undefined;
  rmdirSync(path: string): void;
  readdirSync(path: string): string[];
  copyFileSync(from: string, to: string): void;
  existsSync(path: string): boolean;
  /** Sets access and modification times (the lock's mtime is its heartbeat). */
  utimesSync(path: string, atime: Date, mtime: Date): void;
}

export const realFileSystem: FileSystem = {
  openSync: (p, f, m) => fs.openSync(p, f, m),
  closeSync: (fd) => fs.closeSync(fd),
  readSync: (fd, b, o, l, p) => fs.readSync(fd, b, o, l, p),
  writeSync: (fd, b, o, l, p) => fs.writeSync(fd, b, o, l, p),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  fdatasyncSync: (fd) => fs.fdatasyncSync(fd),
  ftruncateSync: (fd, len) => fs.ftruncateSync(fd, len),
  fstatSync: (fd) => fs.fstatSync(fd),
  statSync: (p, o) => fs.statSync(p, o),
  readFileSync: (p) => fs.readFileSync(p),
  renameSync: (a, b) => fs.renameSync(a, b),
  exchangeSync: (a, b) => exchangeFilesSync(a, b),
  linkSync: (a, b) => fs.linkSync(a, b),
  unlinkSync: (p) => fs.unlinkSync(p),
  rmSync: (p, o) => fs.rmSync(p, o),
  mkdirSync: (p, o) => fs.mkdirSync(p, o),
  rmdirSync: (p) => fs.rmdirSync(p),
  readdirSync: (p) => fs.readdirSync(p),
  copyFileSync: (a, b) => fs.copyFileSync(a, b),
  existsSync: (p) => fs.existsSync(p),
  utimesSync: (p, a, m) => fs.utimesSync(p, a, m),
};

/** Writes every byte or throws: a short write is retried, never ignored (write-file-atomic's trap). */
export function writeAll(fsys: FileSystem, fd: number, data: Uint8Array, position: number | null = null): void {
  let offset = 0;
  while (offset < data.length) {
    const written = fsys.writeSync(fd, data, offset, data.length - offset, position === null ? null : position + offset);
    if (written <= 0) {
      const error = new Error(`short write: ${offset} of ${data.length} bytes`) as NodeJS.ErrnoException;
      error.code = 'ENOSPC';
      throw error;
    }
    offset += written;
  }
}

/** fsync on a directory makes a rename or a new file in it durable. */
export function syncDirectory(fsys: FileSystem, dir: string): void {
  const fd = fsys.openSync(dir, 'r');
  try {
    fsys.fsyncSync(fd);
  } finally {
    fsys.closeSync(fd);
  }
}

export function readFileIfExists(fsys: FileSystem, path: string): Buffer | undefined {
  try {
    return fsys.readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
