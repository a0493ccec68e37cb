// The cross-process lock our own processes serialize through (proper-lockfile: an atomic
// mkdir of `<root>/.tension.lock`, its mtime refreshed while held).
// - Waits are bounded: after `timeoutMs` a clear BUSY error, never a hang.
// - A lock left by a dead process is reclaimed: proper-lockfile does so once the lock is
//   `staleMs` old; and because an owner note beside the lock names its pid and host, a lock
//   whose owner on this host is gone is aged at once instead of waited out.
// - proper-lockfile's default onCompromised throws from a timer (crashing the process); here it
//   only marks the handle, and a commit checks the mark before it writes.
import fs from 'node:fs';
import os from 'node:os';
import lockfile from 'proper-lockfile';
import { EngineError, fromSystemError } from './errors.ts';

export interface LockOptions {
  readonly timeoutMs: number;
  readonly staleMs: number;
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a process with this id runs on this host (EPERM: it runs, as another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Ages a lock whose owner is a dead process on this host, so proper-lockfile reclaims it now. */
function ageLockOfDeadOwner(lockDir: string, ownerFile: string): void {
  try {
    const note = JSON.parse(fs.readFileSync(ownerFile, 'utf8')) as OwnerNote;
    if (note.host !== os.hostname() || isProcessAlive(note.pid)) return;
    const stat = fs.statSync(lockDir);
    if (stat.ino !== note.ino) return; // the note is about an older lock
    fs.utimesSync(lockDir, new Date(0), new Date(0));
  } catch {
    // no note yet (the owner is between mkdir and writing it), or the lock just went away
  }
}

export async function acquireRootLock(root: string, lockDir: string, options: LockOptions): Promise<HeldLock> {
  const ownerFile = `${lockDir}.owner`;
  const deadline = Date.now() + options.timeoutMs;
  let compromised: Error | undefined;
  let pause = 2;
  for (;;) {
    try {
      const release = await lockfile.lock(root, {
        lockfilePath: lockDir,
        realpath: false,
        stale: Math.max(options.staleMs, 2000),
        update: Math.max(Math.floor(options.staleMs / 5), 1000),
        retries: 0,
        onCompromised: (error) => {
          compromised = error;
        },
      });
      try {
        const note: OwnerNote = { pid: process.pid, host: os.hostname(), ino: fs.statSync(lockDir).ino, since: new Date().toISOString() };
        fs.writeFileSync(ownerFile, JSON.stringify(note));
      } catch {
        // the note only speeds up reclaiming after a crash; the lock itself is held
      }
      return {
        get compromised() {
          return compromised;
        },
        async release() {
          try {
            fs.unlinkSync(ownerFile);
          } catch {
            // already gone
          }
          try {
            await release();
          } catch {
            // compromised or already released: nothing of ours to undo
          }
        },
      };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ELOCKED') {
        throw fromSystemError(error, 'Taking the data folder lock', lockDir, 'Nothing was changed.');
      }
      if (Date.now() >= deadline) {
        throw new EngineError(
          'BUSY',
          `Another Tension Desk process has held ${lockDir} for more than ${Math.round(options.timeoutMs / 1000)} s; nothing was changed. Try again, or close the other process.`,
          { file: lockDir, kept: 'Nothing was changed.' },
        );
      }
      ageLockOfDeadOwner(lockDir, ownerFile);
      await sleep(pause + Math.random() * pause);
      pause = Math.min(pause * 2, 50);
    }
  }
}
