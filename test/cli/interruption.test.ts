// Issue 8, item 10, through the real CLI: SIGTERM and Ctrl-C (SIGINT) stop a long command
// cleanly. The longest wait a command has is for another process's lock: a command stopped
// there exits at once with 128 + the signal, and changes nothing, also after the lock frees.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { exitOf, runCli, spawnCli, spawnTs } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { folderSnapshot } from '../helpers/folderSnapshot.ts';

afterEach(removeTempDirs);

const clean = { TENSION_DATA: undefined, MEMORY_FILE_PATH: undefined, COAIAN_MF: undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(50);
  }
  return condition();
}

/** Another process holding the data folder's lock (test/faults/lockHolder.ts). */
async function holdLock(root: string): Promise<ChildProcess> {
  const holder = spawnTs('test/faults/lockHolder.ts', [root, path.join(root, '.tension.lock'), '60000']);
  let out = '';
  holder.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  expect(await until(() => out.includes('locked'), 60_000), 'the lock holder did not take the lock').toBe(true);
  return holder;
}

/**
 * Starts a CLI write that will wait for the lock, and returns once it is surely running our
 * code: it has made the data folder's .history/, which it does after its signal handlers are in.
 */
async function waitingWrite(args: string[], history: string): Promise<ChildProcess> {
  fs.rmSync(history, { recursive: true, force: true });
  const child = spawnCli(args, { env: { ...clean, TENSION_LOCK_TIMEOUT_MS: '120000' } });
  expect(await until(() => fs.existsSync(history), 60_000), 'the CLI did not start').toBe(true);
  await sleep(300);
  return child;
}

describe('a long command stops cleanly on SIGTERM and SIGINT', () => {
  it('a write waiting for the lock ends at once on SIGTERM (143) and an import on Ctrl-C (130); neither changes anything, then or later', async () => {
    const around = tempDir();
    const data = path.join(around, '.coaia');
    fs.mkdirSync(data);
    const file = path.join(around, 'in.jsonl');
    fs.writeFileSync(file, '{"type":"entity","name":"Imported","entityType":"t","observations":[]}\n');
    const holder = await holdLock(data);
    const ours = [path.join(data, '.history'), path.join(data, '.tension.lock'), path.join(data, '.tension.lock.owner')];
    const before = folderSnapshot(around, { except: ours });
    try {
      for (const [signal, args, code] of [
        ['SIGTERM', ['entity', 'set', '--data', data, '--name', 'A', '--type', 't'], 143],
        ['SIGINT', ['import', file, '--data', data, '--json'], 130],
      ] as const) {
        const child = await waitingWrite([...args], path.join(data, '.history'));
        const sent = Date.now();
        child.kill(signal);
        const ended = await exitOf(child, 20_000);
        if (!ended) child.kill('SIGKILL');
        expect(ended, `${signal}: the command did not stop`).toBeDefined();
        expect(ended!.code, ended!.stderr).toBe(code);
        expect(Date.now() - sent).toBeLessThan(15_000);
        expect(ended!.stderr).toBe(`tension: Interrupted by ${signal}: stopped before the next step; every change committed before it is kept, and nothing is half-written.\n`);
        if (args.includes('--json')) expect(JSON.parse(ended!.stdout)).toMatchObject({ error: { code: 'INTERRUPTED' } });
        // Nothing half-made of ours: an empty .history/, no journal, no temporary file.
        expect(fs.readdirSync(path.join(data, '.history'))).toEqual([]);
      }
    } finally {
      holder.kill('SIGKILL');
      await exitOf(holder, 10_000);
    }
    // The lock is free again: still nothing was written by the stopped commands.
    const graph = runCli(['graph', '--data', data, '--json'], { env: clean });
    expect(graph.json()).toEqual({ entities: [], relations: [] });
    expect(folderSnapshot(around, { except: ours })).toEqual(before);
  });
});
