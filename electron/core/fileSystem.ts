// The file-system seam. The engine does all its I/O through this object so tests can inject
// EACCES, EROFS, EIO or ENOSPC at the n-th call of any operation (as root, file modes do not
// stop us, so permission errors can only be tested this way). Synchronous calls on purpose:
// a commit is a short critical section under a cross-process lock, and sync I/O keeps its
// steps in a fixed order within the process.
//
// Links are never followed: a data folder comes from a cloned repository as often as not, and a
// `.history/charts.journal.jsonl` that is a link to a file elsewhere must not make a commit
// append to that file. Every open adds O_NOFOLLOW (a link as the last part of the path fails
// with ELOOP), `statSync` and `existsSync` look at the link itself, and a copy reads and writes
// through such opens. (Links as folders are refused by name: dataFolderLinks.ts.)
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

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND } = fs.constants;
/** 0 where the platform has no such flag (Windows: links there are not followed by our calls either way). */
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

/** Node's string flags as numbers, with O_NOFOLLOW added. */
export function noFollowFlags(flags: string | number): number {
  if (typeof flags === 'number') return flags | O_NOFOLLOW;
  const table: Record<string, number> = {
    r: O_RDONLY,
    'r+': O_RDWR,
    w: O_WRONLY | O_CREAT | O_TRUNC,
    wx: O_WRONLY | O_CREAT | O_TRUNC | O_EXCL,
    'w+': O_RDWR | O_CREAT | O_TRUNC,
    'wx+': O_RDWR | O_CREAT | O_TRUNC | O_EXCL,
    a: O_WRONLY | O_CREAT | O_APPEND,
    ax: O_WRONLY | O_CREAT | O_APPEND | O_EXCL,
    'a+': O_RDWR | O_CREAT | O_APPEND,
  };
  const value = table[flags];
  if (value === undefined) throw new Error(`unsupported open flags ${flags}`);
  return value | O_NOFOLLOW;
}

function readWithoutFollowing(file: string): Buffer {
  const fd = fs.openSync(file, noFollowFlags('r'));
  try {
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function copyWithoutFollowing(from: string, to: string): void {
  const source = fs.openSync(from, noFollowFlags('r'));
  try {
    const target = fs.openSync(to, noFollowFlags('w'), 0o644);
    try {
      const chunk = Buffer.alloc(1 << 20);
      for (let position = 0; ; ) {
        const n = fs.readSync(source, chunk, 0, chunk.length, position);
        if (n <= 0) break;
        writeAll(realFileSystem, target, chunk.subarray(0, n));
        position += n;
      }
    } finally {
      fs.closeSync(target);
    }
  } finally {
    fs.closeSync(source);
  }
}

export const realFileSystem: FileSystem = {
  openSync: (p, f, m) => fs.openSync(p, noFollowFlags(f), m),
  closeSync: (fd) => fs.closeSync(fd),
  readSync: (fd, b, o, l, p) => fs.readSync(fd, b, o, l, p),
  writeSync: (fd, b, o, l, p) => fs.writeSync(fd, b, o, l, p),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  fdatasyncSync: (fd) => fs.fdatasyncSync(fd),
  ftruncateSync: (fd, len) => fs.ftruncateSync(fd, len),
  fstatSync: (fd) => fs.fstatSync(fd),
  statSync: (p, o) => fs.lstatSync(p, o),
  readFileSync: (p) => readWithoutFollowing(p),
  renameSync: (a, b) => fs.renameSync(a, b),
  exchangeSync: (a, b) => exchangeFilesSync(a, b),
  linkSync: (a, b) => fs.linkSync(a, b),
  unlinkSync: (p) => fs.unlinkSync(p),
  rmSync: (p, o) => fs.rmSync(p, o),
  mkdirSync: (p, o) => fs.mkdirSync(p, o),
  rmdirSync: (p) => fs.rmdirSync(p),
  readdirSync: (p) => fs.readdirSync(p),
  copyFileSync: (a, b) => copyWithoutFollowing(a, b),
  existsSync: (p) => {
    try {
      fs.lstatSync(p);
      return true;
    } catch {
      return false;
    }
  },
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

/**
 * Reads into `into` from `position` until it is full or the file ends (short reads retried, as
 * writeAll retries short writes). Returns how many bytes were read.
 */
export function readAt(fsys: FileSystem, fd: number, into: Uint8Array, position: number): number {
  let read = 0;
  while (read < into.length) {
    const n = fsys.readSync(fd, into, read, into.length - read, position + read);
    if (n <= 0) break;
    read += n;
  }
  return read;
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

/**
 * Creates a folder and any missing folders above it, one level at a time, fsyncing the folder
 * each was created in: until its parent is synced, a new folder (and every file in it, a whole
 * journal) can vanish in a power cut.
 */
export function makeDirectoryDurably(fsys: FileSystem, dir: string): void {
  const missing: string[] = [];
  for (let at = dir; !fsys.existsSync(at); at = parentOf(at)) {
    missing.push(at);
    if (parentOf(at) === at) break;
  }
  for (const folder of missing.reverse()) {
    try {
      fsys.mkdirSync(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        // A failing disk answers "missing" for every folder up to the root (existsSync never
        // throws): the error names the folder wanted, not `/dev` or `/` far above it.
        if (folder !== dir) (error as NodeJS.ErrnoException).path = dir;
        throw error;
      }
      continue; // made by another process meanwhile: its maker syncs the parent
    }
    syncDirectory(fsys, parentOf(folder));
  }
}

function parentOf(dir: string): string {
  const parent = dir.replace(/[\\/]+[^\\/]+[\\/]*$/, '');
  return parent === '' ? dir : parent;
}
