// A process busy under the data folder's lock for longer than the lock's old stale time (10 s)
// kept it: at 100k charts a CLI's first write to a peer's file holds its thread 15 s and more
// (the load, the journal's start), and cannot refresh the lock's mtime meanwhile. The app,
// waiting, took the lock over as abandoned, and both wrote: two starts of one journal ("entry 1
// follows 75", seen in a measurement). Now a lock whose owner note names a live process on this
// host goes stale only after 10 minutes; a dead owner's is still reclaimed at once, and one
// without a note after the stale time (lock.test.ts).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { readGraph, setEntity } from '../../electron/core/knowledgeGraph.ts';
import type { EngineError } from '../../electron/core/errors.ts';
import { spawnTs } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

const holderScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'longSyncHolder.ts');
const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) child.kill('SIGKILL');
  removeTempDirs();
});

function outputOf(child: ChildProcess): { text: () => string; until: (word: string, ms: number) => Promise<void> } {
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return {
    text: () => out,
    async until(word, ms) {
      const give = Date.now() + ms;
      while (!out.includes(word)) {
        if (Date.now() > give) throw new Error(`the holder never said "${word}": ${out} ${err}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

describe('the data folder lock, held through long synchronous work', () => {
  it('is not taken over by a waiting process with the default options: the waiter gets BUSY, the holder commits, the journal has one start', async () => {
    const data = path.join(tempDir('tension-long-hold-'), '.coaia');
    fs.mkdirSync(data, { recursive: true });
    // A peer's file: the holder's change starts the journal, as the CLI's first write does.
    fs.writeFileSync(path.join(data, 'charts.jsonl'), `${JSON.stringify({ type: 'entity', name: 'FromThePeer', entityType: 'note', observations: [] })}\n`);
    const holder = spawnTs(holderScript, [data, '20000']);
    started.push(holder);
    const said = outputOf(holder);
    await said.until('holding', 30_000);
    // The waiter comes a while into the hold (the app's requests come at any moment): its 10 s
    // of waiting run past the moment the lock's mtime is 10 s old.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const waiter = await Engine.open({ layout: resolveLayout({ data }), rewriteDelayMs: -1 });
    let failure: unknown;
    try {
      await waiter.transact('default', (state) => setEntity(state, { name: 'FromTheWaiter', entityType: 'note' }));
    } catch (error) {
      failure = error;
    } finally {
      await waiter.close().catch(() => undefined);
    }
    expect((failure as EngineError | undefined)?.code, 'the waiter took the lock of a live, busy process').toBe('BUSY');
    await said.until('committed', 30_000);
    await new Promise<void>((resolve) => (holder.exitCode !== null ? resolve() : holder.on('exit', () => resolve())));
    const journal = fs.readFileSync(path.join(data, '.history', 'charts.journal.jsonl'), 'utf8');
    expect(journal.split('\n').filter((line) => line.includes('"kind":"header"'))).toHaveLength(1);
    const again = await Engine.open({ layout: resolveLayout({ data }), rewriteDelayMs: -1 });
    try {
      const seen = await again.read('default', (state, store) => ({ names: readGraph(state).entities.map((e) => e.name).sort(), findings: store.findings.map((f) => f.message) }));
      expect(seen).toEqual({ names: ['FromTheLongHolder', 'FromThePeer'], findings: [] });
    } finally {
      await again.close();
    }
  }, 90_000);
});
