// The cross-process lock our own processes serialize through (proper-lockfile: an atomic
// mkdir of `<root>/.tension.lock`, its mtime refreshed while held).
// - Every file-system call of the lock goes through the FileSystem seam (fileSystem.ts), so
//   the fault tests fail the lock's mkdir, owner note, unlink, rmdir and utimes like any other.
// - Waits are bounded: after `timeoutMs` a clear BUSY error, never a hang.
// - A lock left by a dead process is reclaimed: proper-lockfile does so once the lock is
//   `staleMs` old; and because an owner note beside the lock names its pid and host, a lock
//   whose owner on this host is gone is aged at once instead of waited out.
// - A lock this process failed to remove (its rmdir failed) is removed by this process's next
//   acquisition, instead of making it wait `staleMs` for itself.
// - proper-lockfile's default onCompromised throws from a timer (crashing the process); here it
//   only marks the handle, and a commit checks the mark before it writes.
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineError, fromSystemError } from './errors.ts';
import { readFileIfExists, realFileSystem, writeAll, type FileSystem } from './fileSystem.ts';

export interface LockOptions {
  readonly timeoutMs: number;
  readonly staleMs: number;
  /** The seam every call of the lock goes through (default: the real file system). */
  readonly fs?: FileSystem;
  /** The first pause between two tries (ms, default 2): it doubles up to 50 ms, or to this if more. */
  readonly pauseMs?: number;
  /** What watches the lock folder's parent to wake a waiter (default: fs.watch; a seam, for a watch that fails). */
  readonly watch?: typeof watch;
}

export interface HeldLock {
  readonly compromised: Error | undefined;
  release(): Promise<void>;
}

interface OwnerNote {
  pid: number;
  host: string;
  ino: number;
  since: string;
}

type Callback<T = void> = (error: NodeJS.ErrnoException | null, result?: T) => void;

/** The callback-style `fs` proper-lockfile calls (lib/lockfile.js, lib/mtime-precision.js). */
interface LockfileFs {
  mkdir(path: string, callback: Callback): void;
  rmdir(path: string, callback: Callback): void;
  stat(path: string, callback: Callback<{ mtime: Date }>): void;
  utimes(path: string, atime: Date, mtime: Date, callback: Callback): void;
  realpath(path: string, callback: Callback<string>): void;
  /** Its exit handler removes locks still held when the process exits. */
  rmdirSync(path: string): void;
}

/**
 * proper-lockfile's fs on top of the seam. The calls are synchronous (so a release runs to its
 * rmdir before the operation that released it settles); each callback is called after the
 * call returned, outside its try. One adapter per seam: proper-lockfile caches the file
 * system's mtime precision on this object.
 */
const adapters = new WeakMap<FileSystem, LockfileFs>();
function lockfileFs(fsys: FileSystem): LockfileFs {
  const known = adapters.get(fsys);
  if (known) return known;
  const call = <T>(work: () => T, callback: Callback<T>): void => {
    let result: T;
    try {
      result = work();
    } catch (error) {
      callback(error as NodeJS.ErrnoException);
      return;
    }
    callback(null, result);
  };
  const adapter: LockfileFs = {
    mkdir: (p, cb) => call(() => void fsys.mkdirSync(p), cb),
    rmdir: (p, cb) => call(() => fsys.rmdirSync(p), cb),
    stat: (p, cb) => call(() => fsys.statSync(p, { bigint: true }), cb),
    utimes: (p, a, m, cb) => call(() => fsys.utimesSync(p, a, m), cb),
    realpath: (p, cb) => cb(null, p), // never called: the lock is taken with realpath: false
    rmdirSync: (p) => fsys.rmdirSync(p),
  };
  adapters.set(fsys, adapter);
  return adapter;
}

/** Lock folders this process failed to remove, with the inode each had: ours to remove. */
const leftBehind = new Map<string, bigint>();

/**
 * Waits `ms`, or less: until the lock folder's name changes in its parent (its holder's release
 * removes it). A waiter backing off to 50 ms between tries used to take the lock up to 100 ms
 * after it was free, which an outside change then took that much longer to reach the app's
 * list; now it tries again at once. The pause stays the bound (a file system that reports
 * nothing, a missed event).
 */
function pauseUntilReleased(lockDir: string, ms: number, watchFolder: typeof watch): Promise<void> {
  return new Promise((resolve) => {
    let watcher: FSWatcher | undefined;
    const done = () => {
      clearTimeout(timer);
      watcher?.close();
      resolve();
    };
    const timer = setTimeout(done, ms);
    try {
      const name = path.basename(lockDir);
      watcher = watchFolder(path.dirname(lockDir), { persistent: false }, (_event, changed) => {
        if (changed === null || changed === name) done();
      });
      watcher.on('error', () => undefined);
    } catch {
      // No watching here (the folder is gone, no inotify left): the pause alone.
    }
  });
}

/** Whether a process with this id runs on this host (EPERM: it runs, as another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code;

/** The inode of the lock folder, or undefined when it cannot be read. */
function inodeOf(fsys: FileSystem, lockDir: string): bigint | undefined {
  try {
    return fsys.statSync(lockDir, { bigint: true }).ino;
  } catch {
    return undefined;
  }
}

/**
 * Ages a lock whose owner is a dead process on this host, so proper-lockfile reclaims it now,
 * and removes one this process left behind. Failures are not errors here: the wait goes on
 * and ends in the lock or in BUSY, which says what to do.
 */
function clearAbandonedLock(fsys: FileSystem, lockDir: string, ownerFile: string): void {
  const ours = leftBehind.get(lockDir);
  if (ours !== undefined) {
    const ino = inodeOf(fsys, lockDir);
    if (ino === undefined || ino !== ours) {
      leftBehind.delete(lockDir); // gone, or someone else's lock by now
    } else {
      try {
        fsys.rmdirSync(lockDir);
        leftBehind.delete(lockDir);
      } catch {
        // still failing: it goes stale after staleMs like any abandoned lock
      }
      return;
    }
  }
  try {
    const raw = readFileIfExists(fsys, ownerFile);
    if (raw === undefined) return; // no note yet: the owner is between mkdir and writing it
    const note = JSON.parse(raw.toString('utf8')) as OwnerNote;
    if (note.host !== os.hostname() || isProcessAlive(note.pid)) return;
    if (inodeOf(fsys, lockDir) !== BigInt(note.ino)) return; // the note is about an older lock
    fsys.utimesSync(lockDir, new Date(0), new Date(0));
  } catch {
    // an unreadable or half-written note, or the lock just went away: wait as for a live owner
  }
}

/** The owner note beside the lock; undefined when there is none or it cannot be read (it is advisory). */
function readOwnerNote(fsys: FileSystem, ownerFile: string): Partial<OwnerNote> | undefined {
  try {
    const raw = readFileIfExists(fsys, ownerFile);
    return raw === undefined ? undefined : (JSON.parse(raw.toString('utf8')) as Partial<OwnerNote>);
  } catch {
    return undefined;
  }
}

/**
 * How old the lock may grow before it is taken over: `staleMs`, or far longer while its owner
 * note names a live process on this host. Such a process cannot refresh the lock's time while
 * synchronous work holds its thread: at 100k charts a CLI's first write to a peer's file (the
 * load, then the journal's start) holds it 15 s and more, and a waiting app took the lock over
 * as abandoned, and both wrote (test/faults/lockNotStolen.test.ts). A stopped one (Ctrl-Z,
 * SIGSTOP, a debugger) is not waited for: its lock goes stale as before, and it finds it lost when
 * it goes on (pruneStalled.test.ts). A dead owner is aged at once
 * instead (clearAbandonedLock); a lock with no note (its maker died before writing it) or made on
 * another host goes stale after `staleMs` as before.
 */
function staleFor(fsys: FileSystem, lockDir: string, ownerFile: string, staleMs: number): number {
  const note = readOwnerNote(fsys, ownerFile);
  const live = note !== undefined && note.host === os.hostname() && typeof note.pid === 'number' && typeof note.ino === 'number' && isProcessAlive(note.pid) && !isProcessStopped(note.pid) && inodeOf(fsys, lockDir) === BigInt(note.ino);
  return live ? Math.max(staleMs, LIVE_OWNER_STALE_MS) : staleMs;
}

/** Whether the process is stopped (state T or t in /proc/<pid>/stat); false where that cannot be read (not Linux). */
function isProcessStopped(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'T' || state === 't';
  } catch {
    return false;
  }
}

/** How long a lock whose owner is a live process on this host may go without a refresh of its time. */
const LIVE_OWNER_STALE_MS = 10 * 60_000;

/**
 * True when the lock has no owner note and turns stale (proper-lockfile then takes it over)
 * before `until`: its maker died between making it and writing the note. Its age cannot be
 * told from a note, only from its time; a waiter that began before it was made would otherwise
 * give up (BUSY) a moment before it could take it. Waited for at most until `until` (the
 * caller's timeout once more): a live owner whose note could not be written keeps its lock
 * fresh, and must not be waited for without end.
 */
function staleSoon(fsys: FileSystem, lockDir: string, ownerFile: string, staleMs: number, until: number): boolean {
  if (Date.now() >= until || readFileIfExists(fsys, ownerFile) !== undefined) return false;
  try {
    const madeAt = Number(fsys.statSync(lockDir, { bigint: true }).mtimeNs / 1_000_000n);
    return madeAt + staleMs + STALE_MARGIN_MS < until;
  } catch {
    return false;
  }
}

/** How long after a lock turns stale a waiter may need to take it (its pause between tries, the takeover). */
const STALE_MARGIN_MS = 1000;

/** Writes the owner note; false when it could not be written (the lock is held all the same). */
function writeOwnerNote(fsys: FileSystem, ownerFile: string, ino: bigint): boolean {
  const note: OwnerNote = { pid: process.pid, host: os.hostname(), ino: Number(ino), since: new Date().toISOString() };
  let fd: number | undefined;
  try {
    fd = fsys.openSync(ownerFile, 'w', 0o644);
    writeAll(fsys, fd, Buffer.from(JSON.stringify(note)));
    return true;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) {
      try {
        fsys.closeSync(fd);
      } catch {
        // the note is advisory; a failed close costs only that
      }
    }
  }
}

/**
 * Whether the lock at `lockDir` is still this process's, as far as one synchronous look can tell:
 * once another process took it over (ours looked stale), its owner note names that process, or
 * the folder is gone. For long synchronous work under the lock (a prune removing pieces): a
 * handle's `compromised` is set from a timer, which cannot run while such work holds the thread,
 * so a process stopped past `staleMs` (Ctrl-Z, SIGSTOP, a VM pause) went on as if it held the
 * lock. A note that cannot be read says nothing either way: true (it is advisory; a disk too
 * full to write it must not stop a prune from freeing space).
 */
export function lockHeldByThisProcess(fsys: FileSystem, lockDir: string): boolean {
  const ino = inodeOf(fsys, lockDir);
  if (ino === undefined) return false;
  let note: Partial<OwnerNote>;
  try {
    const raw = readFileIfExists(fsys, `${lockDir}.owner`);
    if (raw === undefined) return true;
    note = JSON.parse(raw.toString('utf8')) as Partial<OwnerNote>;
  } catch {
    return true;
  }
  return note.pid === process.pid && note.host === os.hostname() && note.ino === Number(ino);
}

export async function acquireRootLock(root: string, lockDir: string, options: LockOptions): Promise<HeldLock> {
  const fsys = options.fs ?? realFileSystem;
  const ownerFile = `${lockDir}.owner`;
  const deadline = Date.now() + options.timeoutMs;
  let compromised: Error | undefined;
  let pause = options.pauseMs ?? 2;
  const longestPause = Math.max(pause, 50);
  // Loaded when this process first takes the lock, not at import: a command that only reads
  // never takes it, and should not pay for loading proper-lockfile (and graceful-fs, which
  // patches fs as it loads) at every start.
  const { default: lockfile } = await import('proper-lockfile');
  for (;;) {
    try {
      const release = await lockfile.lock(root, {
        lockfilePath: lockDir,
        realpath: false,
        fs: lockfileFs(fsys),
        stale: staleFor(fsys, lockDir, ownerFile, Math.max(options.staleMs, 2000)),
        update: Math.max(Math.floor(options.staleMs / 5), 1000),
        retries: 0,
        onCompromised: (error) => {
          compromised = error;
        },
      });
      // The inode identifies this lock in the owner note (and if our release fails, for us).
      // Without it the note is not written: it only speeds up reclaiming after a crash.
      const ino = inodeOf(fsys, lockDir);
      if (ino !== undefined) writeOwnerNote(fsys, ownerFile, ino);
      if (leftBehind.get(lockDir) === ino) leftBehind.delete(lockDir);
      return {
        get compromised() {
          return compromised;
        },
        async release() {
          try {
            fsys.unlinkSync(ownerFile);
          } catch {
            // gone already, or the disk refuses: a stale note names this live process, and
            // its inode check keeps it from aging anyone else's lock
          }
          try {
            await release();
          } catch (error) {
            // ERELEASED/ENOTACQUIRED: compromised or released already, nothing of ours to undo.
            // Anything else is the rmdir failing: the lock folder stays. Other processes take
            // it once stale; this process removes it at its next acquisition.
            if (codeOf(error) !== 'ERELEASED' && codeOf(error) !== 'ENOTACQUIRED' && ino !== undefined) leftBehind.set(lockDir, ino);
          }
        },
      };
    } catch (error) {
      const code = codeOf(error);
      if (code !== 'ELOCKED') {
        throw fromSystemError(error, 'Taking the data folder lock', lockDir, 'Nothing was changed.');
      }
      if (Date.now() >= deadline && !staleSoon(fsys, lockDir, ownerFile, Math.max(options.staleMs, 2000), deadline + options.timeoutMs)) {
        throw new EngineError(
          'BUSY',
          `Another Tension Desk process has held ${lockDir} for more than ${Math.round(options.timeoutMs / 1000)} s; nothing was changed. Try again, or close the other process.`,
          { file: lockDir, kept: 'Nothing was changed.' },
        );
      }
      clearAbandonedLock(fsys, lockDir, ownerFile);
      await pauseUntilReleased(lockDir, pause + Math.random() * pause, options.watch ?? watch);
      pause = Math.min(pause * 2, longestPause);
    }
  }
}
