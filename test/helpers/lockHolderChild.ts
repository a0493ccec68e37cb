// A real other process holding the data folder's lock (test/faults/lockHolder.ts, started from its
// bundle): for tests of what waits for it, gives up with BUSY, or takes the lock once it is gone.
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { rootPaths, type DataLayout } from '../../electron/core/dataRoot.ts';
import { repoRoot, spawnTs } from './runCli.ts';

const holderScript = path.join(repoRoot, 'test', 'faults', 'lockHolder.ts');
const children: { child: ChildProcess; pid?: number }[] = [];

/** Starts a process that takes the lock and holds it; resolves with its pid once it holds it. */
export async function holdLockInChild(layout: DataLayout): Promise<{ child: ChildProcess; pid: number }> {
  const child = spawnTs(holderScript, [layout.root, rootPaths(layout).lock]);
  const entry: { child: ChildProcess; pid?: number } = { child };
  children.push(entry);
  const pid = await new Promise<number>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`the lock holder did not take the lock in 30 s: ${err}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /locked (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the lock holder exited (${code}) before taking the lock: ${err}`));
    });
  });
  entry.pid = pid;
  return { child, pid };
}

/** Kills (SIGKILL) every holder started since the last call: only those, by their ids (for afterEach). */
export function killLockHolders(): void {
  for (const { child, pid } of children.splice(0)) {
    for (const id of [pid, child.pid]) {
      if (id === undefined) continue;
      try {
        process.kill(id, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}
