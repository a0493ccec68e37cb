// A FileSystem (electron/core/fileSystem.ts) that fails on purpose, SQLite-style: it passes
// every call to the real file system except the n-th call matching a fault, which throws an
// errno (EACCES, EROFS, EIO, ENOSPC, …) the way Node would, or becomes a short write
// (writeSync writing and returning fewer bytes than asked). A fault can fire once or keep
// firing from the n-th call on (a disk that stays full, a file system remounted read-only).
//
// Every call is counted and logged with its path (for calls on a descriptor: the path it was
// opened with), so a test can walk n = 1, 2, 3, … over every failure point of an operation
// until one run finishes without the fault being hit.
import fs from 'node:fs';
import os from 'node:os';
import { realFileSystem, type FileSystem } from '../../electron/core/fileSystem.ts';

export type FsOperation = keyof FileSystem;

export const ALL_OPERATIONS: readonly FsOperation[] = Object.keys(realFileSystem) as FsOperation[];

export type InjectedErrno = 'EACCES' | 'EPERM' | 'EROFS' | 'EIO' | 'ENOSPC' | 'EDQUOT' | 'EFBIG';

export interface FsCall {
  readonly op: FsOperation;
  /** The path(s) the call is about: both for rename/link/copy, the opened path for descriptor calls. */
  readonly paths: readonly string[];
  /** openSync flags, when the call is an open. */
  readonly flags?: string | number;
  /** True when the call can change what is on disk (open for writing, write, rename, unlink, …). */
  readonly mutates: boolean;
}

export type FaultEffect =
  | { readonly kind: 'errno'; readonly errno: InjectedErrno }
  /**
   * writeSync only: the call writes (for real) about half of what it was asked and returns
   * that count. Then: 'ok' every later write works (a transient short write), 'zero' every
   * later write returns 0, 'enospc' every later write throws ENOSPC (a disk that just filled up).
   */
  | { readonly kind: 'short-write'; readonly then: 'ok' | 'zero' | 'enospc' };

export interface Fault {
  /** Operations that count (default: all). */
  readonly ops?: readonly FsOperation[];
  /** Only calls with a path matching this count. */
  readonly path?: RegExp;
  /** Any further condition on the call. */
  readonly when?: (call: FsCall) => boolean;
  /** The matching call that fails (1-based). */
  readonly nth: number;
  /** 'once' (default): only the n-th matching call fails; 'persist': it and every later matching call. */
  readonly mode?: 'once' | 'persist';
  readonly effect: FaultEffect;
}

interface ArmedFault {
  readonly fault: Fault;
  seen: number;
  hits: number;
}

export interface LoggedCall extends FsCall {
  readonly index: number;
  readonly injected: string | undefined;
}

const MESSAGES: Record<InjectedErrno, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EIO: 'i/o error',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
};

const SYSCALLS: Record<FsOperation, string> = {
  openSync: 'open',
  closeSync: 'close',
  readSync: 'read',
  writeSync: 'write',
  fsyncSync: 'fsync',
  fdatasyncSync: 'fdatasync',
  ftruncateSync: 'ftruncate',
  fstatSync: 'fstat',
  statSync: 'stat',
  readFileSync: 'open',
  renameSync: 'rename',
  exchangeSync: 'renameat2',
  linkSync: 'link',
  unlinkSync: 'unlink',
  rmSync: 'rm',
  mkdirSync: 'mkdir',
  rmdirSync: 'rmdir',
  readdirSync: 'scandir',
  copyFileSync: 'copyfile',
  existsSync: 'access',
  utimesSync: 'utime',
};

/** An error shaped like the ones node:fs throws (code, errno, syscall, path). */
export function systemError(errno: InjectedErrno, op: FsOperation, file?: string, dest?: string): NodeJS.ErrnoException {
  const syscall = SYSCALLS[op];
  const where = file === undefined ? '' : dest === undefined ? ` '${file}'` : ` '${file}' -> '${dest}'`;
  const error = new Error(`${errno}: ${MESSAGES[errno]}, ${syscall}${where}`) as NodeJS.ErrnoException;
  error.code = errno;
  error.errno = -(os.constants.errno as Record<string, number>)[errno]!;
  error.syscall = syscall;
  if (file !== undefined) error.path = file;
  if (dest !== undefined) (error as NodeJS.ErrnoException & { dest?: string }).dest = dest;
  return error;
}

/** True when open flags can create or change a file. */
export function opensForWriting(flags: string | number | undefined): boolean {
  if (flags === undefined) return false;
  if (typeof flags === 'number') {
    const { O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND } = fs.constants;
    return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)) !== 0;
  }
  return /[wa+x]/.test(flags);
}

const ALWAYS_MUTATING = new Set<FsOperation>(['writeSync', 'ftruncateSync', 'renameSync', 'exchangeSync', 'linkSync', 'unlinkSync', 'rmSync', 'mkdirSync', 'rmdirSync', 'copyFileSync', 'utimesSync']);

/** Operations after which an ENOSPC is plausible (allocating space or metadata). */
export const SPACE_OPERATIONS: readonly FsOperation[] = ['writeSync', 'fsyncSync', 'fdatasyncSync', 'openSync', 'mkdirSync', 'linkSync', 'renameSync', 'exchangeSync', 'copyFileSync'];
/** Operations that name a path and so can meet EACCES. */
export const PATH_OPERATIONS: readonly FsOperation[] = ['openSync', 'statSync', 'readFileSync', 'renameSync', 'exchangeSync', 'linkSync', 'unlinkSync', 'rmSync', 'mkdirSync', 'rmdirSync', 'readdirSync', 'copyFileSync', 'utimesSync'];

export class FaultyFileSystem implements FileSystem {
  readonly log: LoggedCall[] = [];
  /** Keep the log (costs memory on long runs). */
  logging = true;
  private faults: ArmedFault[] = [];
  private readonly fdPaths = new Map<number, string>();
  private writesAfterShort: 'ok' | 'zero' | 'enospc' = 'ok';
  private calls = 0;

  constructor(private readonly real: FileSystem = realFileSystem) {}

  /** Adds a fault; counting for it starts now. */
  arm(fault: Fault): this {
    this.faults.push({ fault, seen: 0, hits: 0 });
    return this;
  }

  /** Removes every fault (and the disk-full state a short write left behind). */
  disarm(): this {
    this.faults = [];
    this.writesAfterShort = 'ok';
    return this;
  }

  /** How many times armed faults fired since they were armed. */
  get hits(): number {
    return this.faults.reduce((sum, f) => sum + f.hits, 0);
  }

  /** How many calls matched the armed faults (fired or not). */
  get matched(): number {
    return this.faults.reduce((sum, f) => sum + f.seen, 0);
  }

  get callCount(): number {
    return this.calls;
  }

  /** The calls in which a fault fired. */
  injectedCalls(): LoggedCall[] {
    return this.log.filter((c) => c.injected !== undefined);
  }

  clearLog(): void {
    this.log.length = 0;
  }

  // ------------------------------------------------------------------ the seam

  private decide(call: FsCall): FaultEffect | undefined {
    let effect: FaultEffect | undefined;
    for (const armed of this.faults) {
      const { fault } = armed;
      if (fault.ops && !fault.ops.includes(call.op)) continue;
      if (fault.path && !call.paths.some((p) => fault.path!.test(p))) continue;
      if (fault.when && !fault.when(call)) continue;
      if (fault.effect.kind === 'short-write' && call.op !== 'writeSync') continue;
      armed.seen += 1;
      const fires = fault.mode === 'persist' ? armed.seen >= fault.nth : armed.seen === fault.nth;
      if (fires && effect === undefined) {
        armed.hits += 1;
        effect = fault.effect;
      }
    }
    return effect;
  }

  private record(call: FsCall, effect: FaultEffect | undefined): void {
    this.calls += 1;
    if (!this.logging) return;
    const injected = effect === undefined ? undefined : effect.kind === 'errno' ? effect.errno : `short-write then ${effect.then}`;
    this.log.push({ ...call, index: this.calls, injected });
  }

  /** Runs a call: through the faults, then (unless it failed) for real. */
  private run<T>(call: FsCall, real: () => T): T {
    const effect = this.decide(call);
    this.record(call, effect);
    if (effect?.kind === 'errno') throw systemError(effect.errno, call.op, call.paths[0], call.paths[1]);
    return real();
  }

  private fdCall(op: FsOperation, fd: number, mutates = ALWAYS_MUTATING.has(op)): FsCall {
    const file = this.fdPaths.get(fd);
    return { op, paths: file === undefined ? [] : [file], mutates };
  }

  openSync(file: string, flags: string | number, mode?: number): number {
    const call: FsCall = { op: 'openSync', paths: [file], flags, mutates: opensForWriting(flags) };
    const fd = this.run(call, () => this.real.openSync(file, flags, mode));
    this.fdPaths.set(fd, file);
    return fd;
  }

  closeSync(fd: number): void {
    const call = this.fdCall('closeSync', fd);
    const effect = this.decide(call);
    this.record(call, effect);
    // close(2) releases the descriptor even when it reports an error: so do we.
    this.fdPaths.delete(fd);
    this.real.closeSync(fd);
    if (effect?.kind === 'errno') throw systemError(effect.errno, 'closeSync');
  }

  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): number {
    return this.run(this.fdCall('readSync', fd), () => this.real.readSync(fd, buffer, offset, length, position));
  }

  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position?: number | null): number {
    const call = this.fdCall('writeSync', fd);
    const effect = this.decide(call);
    this.record(call, effect);
    if (effect?.kind === 'errno') throw systemError(effect.errno, 'writeSync');
    if (effect?.kind === 'short-write') {
      const part = Math.max(1, Math.floor(length / 2));
      const written = this.real.writeSync(fd, buffer, offset, part, position);
      this.writesAfterShort = effect.then;
      return written;
    }
    if (this.writesAfterShort === 'zero') return 0;
    if (this.writesAfterShort === 'enospc') throw systemError('ENOSPC', 'writeSync');
    return this.real.writeSync(fd, buffer, offset, length, position);
  }

  fsyncSync(fd: number): void {
    this.run(this.fdCall('fsyncSync', fd), () => this.real.fsyncSync(fd));
  }

  fdatasyncSync(fd: number): void {
    this.run(this.fdCall('fdatasyncSync', fd), () => this.real.fdatasyncSync(fd));
  }

  ftruncateSync(fd: number, len: number): void {
    this.run(this.fdCall('ftruncateSync', fd), () => this.real.ftruncateSync(fd, len));
  }

  fstatSync(fd: number): fs.Stats {
    return this.run(this.fdCall('fstatSync', fd), () => this.real.fstatSync(fd));
  }

  statSync(file: string, options: { bigint: true }): fs.BigIntStats {
    return this.run({ op: 'statSync', paths: [file], mutates: false }, () => this.real.statSync(file, options));
  }

  readFileSync(file: string): Buffer {
    return this.run({ op: 'readFileSync', paths: [file], mutates: false }, () => this.real.readFileSync(file));
  }

  renameSync(from: string, to: string): void {
    this.run({ op: 'renameSync', paths: [from, to], mutates: true }, () => this.real.renameSync(from, to));
  }

  exchangeSync(a: string, b: string): void {
    this.run({ op: 'exchangeSync', paths: [a, b], mutates: true }, () => this.real.exchangeSync(a, b));
  }

  linkSync(existing: string, newPath: string): void {
    this.run({ op: 'linkSync', paths: [existing, newPath], mutates: true }, () => this.real.linkSync(existing, newPath));
  }

  unlinkSync(file: string): void {
    this.run({ op: 'unlinkSync', paths: [file], mutates: true }, () => this.real.unlinkSync(file));
  }

  rmSync(file: string, options: { recursive: boolean; force: boolean }): void {
    this.run({ op: 'rmSync', paths: [file], mutates: true }, () => this.real.rmSync(file, options));
  }

  mkdirSync(file: string, options?: { recursive?: boolean }): string | undefined {
    return this.run({ op: 'mkdirSync', paths: [file], mutates: true }, () => this.real.mkdirSync(file, options));
  }

  rmdirSync(file: string): void {
    this.run({ op: 'rmdirSync', paths: [file], mutates: true }, () => this.real.rmdirSync(file));
  }

  readdirSync(file: string): string[] {
    return this.run({ op: 'readdirSync', paths: [file], mutates: false }, () => this.real.readdirSync(file));
  }

  copyFileSync(from: string, to: string): void {
    this.run({ op: 'copyFileSync', paths: [from, to], mutates: true }, () => this.real.copyFileSync(from, to));
  }

  existsSync(file: string): boolean {
    // existsSync never throws in Node: a fault makes it answer false, as an unreadable path does.
    const call: FsCall = { op: 'existsSync', paths: [file], mutates: false };
    const effect = this.decide(call);
    this.record(call, effect);
    if (effect?.kind === 'errno') return false;
    return this.real.existsSync(file);
  }

  utimesSync(file: string, atime: Date, mtime: Date): void {
    this.run({ op: 'utimesSync', paths: [file], mutates: true }, () => this.real.utimesSync(file, atime, mtime));
  }
}

/** A file system on which nothing can be written: every call that would change the disk fails with `errno`. */
export function unwritableFileSystem(errno: InjectedErrno = 'EROFS'): FaultyFileSystem {
  return new FaultyFileSystem().arm({ nth: 1, mode: 'persist', when: (call) => call.mutates, effect: { kind: 'errno', errno } });
}
