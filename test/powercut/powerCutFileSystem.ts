// A FileSystem (electron/core/fileSystem.ts) that knows what a power cut would leave on disk.
// Every call goes to the real file system; beside it, this seam keeps the durable state: what
// fsync and fdatasync made durable, and nothing else. Before every call that changes the disk
// (or makes something durable) it records a cut point; `materialize(point, dir)` then writes
// the data root as the disk would hold it had the power gone out right there.
//
// Two models of the disk, both within what POSIX promises:
// - 'strict': a file's bytes become durable by fsync/fdatasync of that file; a name (a file
//   created, renamed, linked, removed; a folder made) only by fsync of the folder holding it.
//   A file whose bytes were never synced is empty; a name never synced is as it was.
// - 'eager-names': every name change is durable at once (a file system journaling metadata in
//   order, as ext4 does), but bytes still only by fsync: a file renamed into place before its
//   bytes were synced is found empty (ext4's well-known zero-length file).
// SIGKILL tests cannot see any of this (the page cache survives a killed process); this seam
// checks the order of writes, fsyncs and renames without root. The real thing, a copy of an
// ext4 block device taken while the writer is stopped, is ext4PowerCut.test.ts.
//
// Identity is by inode, with a generation so that a number the kernel reuses for a new file
// never inherits the durable bytes of the file it had before. Linux only (/proc/self/fd).
import fs from 'node:fs';
import path from 'node:path';
import { realFileSystem, type FileSystem } from '../../electron/core/fileSystem.ts';

export type DiskModel = 'strict' | 'eager-names';

interface Entry {
  readonly kind: 'file' | 'dir';
  readonly key: string;
}

/** The names in every folder (by folder key), and the durable bytes of every file (by key). */
interface DurableState {
  readonly dirs: ReadonlyMap<string, ReadonlyMap<string, Entry>>;
  readonly files: ReadonlyMap<string, Buffer>;
}

export interface CutPoint {
  /** Calls completed before the cut (the call this point precedes is number `before + 1`). */
  readonly before: number;
  readonly op: string;
  readonly path: string;
  readonly state: DurableState;
}

const LONG_AGO = new Date(Date.now() - 3_600_000);

/** The lock folder and its owner note are process state: after a power cut no process holds them. */
const isLockFile = (name: string) => name.startsWith('.tension.lock');

export class PowerCutFileSystem implements FileSystem {
  readonly points: CutPoint[] = [];
  /** Calls completed so far (every call, reads included). */
  calls = 0;
  /** Record cut points only while true (setting up a root is not under test). */
  recording = true;
  private readonly generations = new Map<bigint, number>();
  private readonly fdInfo = new Map<number, { path: string; key: string; dir: boolean }>();
  private readonly durableDirs = new Map<string, ReadonlyMap<string, Entry>>();
  private readonly durableFiles = new Map<string, Buffer>();
  private readonly rootKey: string;

  /** Everything under `root` as it is now counts as durable (it was there before the power was at risk). */
  constructor(
    readonly root: string,
    readonly model: DiskModel,
    private readonly inner: FileSystem = realFileSystem,
  ) {
    this.rootKey = this.keyOf(fs.lstatSync(root, { bigint: true }).ino);
    const adopt = (dir: string, key: string) => {
      this.durableDirs.set(key, this.currentEntries(dir));
      for (const [name, entry] of this.durableDirs.get(key) ?? []) {
        const full = path.join(dir, name);
        if (entry.kind === 'dir') adopt(full, entry.key);
        else this.durableFiles.set(entry.key, fs.readFileSync(full));
      }
    };
    adopt(root, this.rootKey);
  }

  // ------------------------------------------------------------------ identity

  private keyOf(ino: bigint): string {
    if (!this.generations.has(ino)) this.generations.set(ino, 0);
    return `${ino}:${this.generations.get(ino)}`;
  }

  /** A new file or folder at this inode: a new identity, with nothing durable yet. */
  private born(ino: bigint): string {
    this.generations.set(ino, (this.generations.get(ino) ?? -1) + 1);
    return this.keyOf(ino);
  }

  private currentEntries(dir: string): Map<string, Entry> {
    const entries = new Map<string, Entry>();
    for (const name of fs.readdirSync(dir)) {
      if (isLockFile(name)) continue;
      let stat: fs.BigIntStats;
      try {
        stat = fs.lstatSync(path.join(dir, name), { bigint: true });
      } catch {
        continue;
      }
      entries.set(name, { kind: stat.isDirectory() ? 'dir' : 'file', key: this.keyOf(stat.ino) });
    }
    return entries;
  }

  private exists(file: string): boolean {
    try {
      fs.lstatSync(file);
      return true;
    } catch {
      return false;
    }
  }

  // ------------------------------------------------------------------ cut points

  private snapshot(): DurableState {
    if (this.model === 'strict') return { dirs: new Map(this.durableDirs), files: new Map(this.durableFiles) };
    // Names as they are now, everywhere under the root.
    const dirs = new Map<string, ReadonlyMap<string, Entry>>();
    const walk = (dir: string, key: string) => {
      const entries = this.currentEntries(dir);
      dirs.set(key, entries);
      for (const [name, entry] of entries) if (entry.kind === 'dir') walk(path.join(dir, name), entry.key);
    };
    walk(this.root, this.rootKey);
    return { dirs, files: new Map(this.durableFiles) };
  }

  private point(op: string, file: string): void {
    if (this.recording) this.points.push({ before: this.calls, op, path: file, state: this.snapshot() });
  }

  /** A last point after everything (the power goes once the work is done). */
  finalPoint(): void {
    this.point('end', '');
  }

  /** The names a folder of the data root (relative path, '' for the root) holds on disk at this cut point. */
  durableNames(point: CutPoint, relative: string): string[] {
    let key: string | undefined = this.rootKey;
    for (const part of relative.split(path.sep).filter((p) => p !== '')) key = key === undefined ? undefined : point.state.dirs.get(key)?.get(part)?.key;
    return key === undefined ? [] : [...(point.state.dirs.get(key)?.keys() ?? [])];
  }

  /** Writes the data root as the disk would hold it at this cut point, into `target` (made here). */
  materialize(point: CutPoint, target: string): void {
    const write = (key: string, dir: string) => {
      fs.mkdirSync(dir, { recursive: true });
      for (const [name, entry] of point.state.dirs.get(key) ?? []) {
        const full = path.join(dir, name);
        if (entry.kind === 'dir') write(entry.key, full);
        else {
          fs.writeFileSync(full, point.state.files.get(entry.key) ?? Buffer.alloc(0));
          // Read after the reboot, not while a writer may still be at work on it.
          fs.utimesSync(full, LONG_AGO, LONG_AGO);
        }
      }
    };
    write(this.rootKey, target);
  }

  // ------------------------------------------------------------------ the seam

  private done<T>(result: T): T {
    this.calls += 1;
    return result;
  }

  openSync(file: string, flags: string | number, mode?: number): number {
    const writes = typeof flags === 'number' ? (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_APPEND)) !== 0 : /[wa+x]/.test(flags);
    const existed = this.exists(file);
    if (writes) this.point('open', file);
    const fd = this.inner.openSync(file, flags, mode);
    const stat = fs.fstatSync(fd, { bigint: true });
    const key = existed ? this.keyOf(stat.ino) : this.born(stat.ino);
    this.fdInfo.set(fd, { path: file, key, dir: stat.isDirectory() });
    return this.done(fd);
  }

  closeSync(fd: number): void {
    this.fdInfo.delete(fd);
    this.done(this.inner.closeSync(fd));
  }

  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): number {
    return this.done(this.inner.readSync(fd, buffer, offset, length, position));
  }

  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position?: number | null): number {
    this.point('write', this.fdInfo.get(fd)?.path ?? `fd ${fd}`);
    return this.done(this.inner.writeSync(fd, buffer, offset, length, position));
  }

  private sync(fd: number, op: string, run: () => void): void {
    const info = this.fdInfo.get(fd);
    this.point(op, info?.path ?? `fd ${fd}`);
    run();
    if (info) {
      if (info.dir) {
        this.durableDirs.set(info.key, this.currentEntries(info.path));
      } else {
        // The bytes of the file as they are now, by its descriptor (the name may have moved; the
        // descriptor itself may be open for appending only).
        this.durableFiles.set(info.key, fs.readFileSync(`/proc/self/fd/${fd}`));
      }
    }
    this.done(undefined);
  }

  fsyncSync(fd: number): void {
    this.sync(fd, 'fsync', () => this.inner.fsyncSync(fd));
  }

  fdatasyncSync(fd: number): void {
    this.sync(fd, 'fdatasync', () => this.inner.fdatasyncSync(fd));
  }

  ftruncateSync(fd: number, len: number): void {
    this.point('ftruncate', this.fdInfo.get(fd)?.path ?? `fd ${fd}`);
    this.done(this.inner.ftruncateSync(fd, len));
  }

  fstatSync(fd: number): fs.Stats {
    return this.done(this.inner.fstatSync(fd));
  }

  statSync(file: string, options: { bigint: true }): fs.BigIntStats {
    return this.done(this.inner.statSync(file, options));
  }

  readFileSync(file: string): Buffer {
    return this.done(this.inner.readFileSync(file));
  }

  renameSync(from: string, to: string): void {
    this.point('rename', `${from} -> ${to}`);
    this.done(this.inner.renameSync(from, to));
  }

  exchangeSync(a: string, b: string): void {
    this.point('exchange', `${a} <-> ${b}`);
    this.done(this.inner.exchangeSync(a, b));
  }

  linkSync(existing: string, newPath: string): void {
    this.point('link', `${existing} -> ${newPath}`);
    this.done(this.inner.linkSync(existing, newPath));
  }

  unlinkSync(file: string): void {
    this.point('unlink', file);
    this.done(this.inner.unlinkSync(file));
  }

  rmSync(file: string, options: { recursive: boolean; force: boolean }): void {
    this.point('rm', file);
    this.done(this.inner.rmSync(file, options));
  }

  mkdirSync(file: string, options?: { recursive?: boolean }): string | undefined {
    // Each folder the call creates is a new identity (a recursive mkdir may make several).
    const missing: string[] = [];
    for (let dir = path.resolve(file); !this.exists(dir); dir = path.dirname(dir)) missing.push(dir);
    if (missing.length > 0) this.point('mkdir', file);
    const result = this.inner.mkdirSync(file, options);
    for (const dir of missing) if (this.exists(dir)) this.born(fs.lstatSync(dir, { bigint: true }).ino);
    return this.done(result);
  }

  rmdirSync(file: string): void {
    this.point('rmdir', file);
    this.done(this.inner.rmdirSync(file));
  }

  readdirSync(file: string): string[] {
    return this.done(this.inner.readdirSync(file));
  }

  copyFileSync(from: string, to: string): void {
    const existed = this.exists(to);
    this.point('copy', `${from} -> ${to}`);
    this.inner.copyFileSync(from, to);
    if (!existed) this.born(fs.lstatSync(to, { bigint: true }).ino);
    this.done(undefined);
  }

  existsSync(file: string): boolean {
    return this.done(this.inner.existsSync(file));
  }

  utimesSync(file: string, atime: Date, mtime: Date): void {
    this.done(this.inner.utimesSync(file, atime, mtime));
  }
}

/** The same seam with every fsync and fdatasync a no-op (what the model must catch). */
export function withoutSyncs(fsys: FileSystem, which: 'all' | 'folders' = 'all'): FileSystem {
  const out = {} as Record<string, unknown>;
  for (const name of Object.keys(realFileSystem) as (keyof FileSystem)[]) {
    out[name] = (fsys[name] as (...args: unknown[]) => unknown).bind(fsys);
  }
  const skip = (fd: number) => which === 'all' || fs.fstatSync(fd).isDirectory();
  out.fsyncSync = (fd: number) => (skip(fd) ? undefined : fsys.fsyncSync(fd));
  out.fdatasyncSync = (fd: number) => (skip(fd) ? undefined : fsys.fdatasyncSync(fd));
  return out as unknown as FileSystem;
}
