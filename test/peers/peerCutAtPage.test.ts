// A peer that rewrites the context file in place (truncate, then write, as coaia-narrative's
// fs.writeFile does, 512 KiB at a time) is seen mid-write with a file of a whole number of pages.
// When that cut ends exactly at a line's end, the file looks complete (peers write no final
// newline), and taken as a version, every record after the cut would be taken as deleted: the
// races journaled 450-670 of coaia-narrative's relations as deleted in 4 of 12 runs of race d).
// Here a peer process makes that cut on purpose, between its two writes, while the engine looks:
// by refreshes reading the file, and by the version observer reading it as it changes.
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeAfterEachTest, trackedEngine } from '../helpers/tracked.ts';
import { tempDir } from '../helpers/tempRoot.ts';
import { contextPaths, resolveLayout } from '../../electron/core/dataRoot.ts';
import { DataRootWatcher } from '../../electron/core/dataRootWatcher.ts';
import { PAGE_BYTES } from '../../electron/core/contextFile.ts';
import { entityKey } from '../../electron/core/records.ts';

closeAfterEachTest();

const entity = (name: string, observation: string) => JSON.stringify({ type: 'entity', name, entityType: 'desired_outcome', observations: [observation] });
const relation = (from: string, to: string) => JSON.stringify({ type: 'relation', from, to, relationType: 'contains' });

/** The peer's file before and after it adds one entity: entities first, then relations, no final newline; and the first part of the new one, ending with a line exactly at two pages. */
function peerVersions() {
  const names = Array.from({ length: 30 }, (_, i) => `chart_${i}_desired_outcome`);
  const relations = names.slice(1).map((name) => relation(names[0] as string, name));
  const before = [...names.map((n) => entity(n, 'as it was')), ...relations].join('\n');
  const entitiesAfter = [...names.map((n) => entity(n, 'as it was')), entity('chart_new_desired_outcome', 'added by the peer')];
  // A filler's observation pads the entities to two pages exactly, newline included.
  const unpadded = `${[entity('chart_filler_desired_outcome', ''), ...entitiesAfter].join('\n')}\n`;
  const filler = entity('chart_filler_desired_outcome', 'x'.repeat(2 * PAGE_BYTES - Buffer.byteLength(unpadded)));
  const cut = `${[filler, ...entitiesAfter].join('\n')}\n`;
  expect(Buffer.byteLength(cut)).toBe(2 * PAGE_BYTES);
  return { before, cut, after: cut + relations.join('\n'), relations: relations.length };
}

async function setUp() {
  const layout = resolveLayout({ data: path.join(tempDir('tension-cut-'), '.coaia') });
  fs.mkdirSync(layout.root, { recursive: true });
  const file = contextPaths(layout, 'default').file;
  const versions = peerVersions();
  fs.writeFileSync(file, versions.before);
  const engine = await trackedEngine(layout, { rewriteDelayMs: -1 });
  const relationsNow = () => engine.read('default', (state) => [...state.values()].filter((r) => r.kind === 'relation').length);
  expect(await relationsNow()).toBe(versions.relations);
  return { layout, file, versions, engine, relationsNow };
}

/**
 * The peer, a process of its own: opens the file (truncating it), writes the cut, waits `gapMs`
 * (its next turn, on a busy machine), writes the rest. Resolves when it has exited.
 */
function peerWritesInTwoParts(file: string, cut: string, rest: string, gapMs: number): Promise<void> {
  const script = `const fs = require('node:fs'); const [file, cut, rest, gap] = process.argv.slice(1); const fd = fs.openSync(file, 'w'); fs.writeSync(fd, cut); setTimeout(() => { fs.writeSync(fd, rest); fs.closeSync(fd); }, Number(gap));`;
  const child = spawn(process.execPath, ['-e', script, file, cut, rest, String(gapMs)], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the peer exited with ${code}`))));
  });
}

/** Every deletion the journal holds, as a change or as a version's difference: none may come from the cut. */
const journaledDeletions = (journal: string) => journal.split('\n').filter((line) => line.includes('"del"'));

describe('a peer seen mid-way through rewriting the file in place, cut at a page that ends a line', () => {
  it('is not taken as a version by a refresh that reads the file then; the whole version is, once written', async () => {
    const { layout, file, versions, engine, relationsNow } = await setUp();
    const peer = peerWritesInTwoParts(file, versions.cut, versions.after.slice(versions.cut.length), 40);
    let done = false;
    void peer.finally(() => (done = true));
    // The engine refreshes (as before any write) again and again while the peer writes.
    while (!done) await engine.transact('default', () => ({ puts: [], deletes: [] }));
    await peer;
    await new Promise((resolve) => setTimeout(resolve, 250));
    await engine.transact('default', () => ({ puts: [], deletes: [] }));
    expect(journaledDeletions(fs.readFileSync(contextPaths(layout, 'default').journal, 'utf8'))).toEqual([]);
    expect(await relationsNow()).toBe(versions.relations);
    expect(await engine.read('default', (state) => state.has(entityKey('chart_new_desired_outcome')))).toBe(true);
  });

  it('is not handed over as a version by the observer, which reads the file as it changes', async () => {
    const { layout, file, versions, engine, relationsNow } = await setUp();
    const watcher = new DataRootWatcher(engine, () => undefined, () => undefined, { debounceMs: 20, pollMs: 60_000 });
    await watcher.start();
    try {
      await peerWritesInTwoParts(file, versions.cut, versions.after.slice(versions.cut.length), 40);
      await new Promise((resolve) => setTimeout(resolve, 400));
      await engine.transact('default', () => ({ puts: [], deletes: [] }));
      expect(journaledDeletions(fs.readFileSync(contextPaths(layout, 'default').journal, 'utf8'))).toEqual([]);
      expect(await relationsNow()).toBe(versions.relations);
      expect(await engine.read('default', (state) => state.has(entityKey('chart_new_desired_outcome')))).toBe(true);
    } finally {
      await watcher.stop();
    }
  });
});
