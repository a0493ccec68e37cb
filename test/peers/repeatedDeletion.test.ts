// An assistant deletes, through a real peer server, the record a person made last. The first
// deletion cannot be told from a lost race (the peer's file is also what a writer that read the
// file before the record was made would write), so the record is kept and our rewrite puts it
// back (FORMAT.md). The assistant deletes it again: each repeat used to be judged as the first
// (the peer's earlier version explains its file as well as our rewrite does, and is older), so
// the record came back every time and could never be deleted through an assistant. A repeat
// written once our rewrite has stood on disk longer than the race window is a deletion: the
// peer read our rewrite. Real peers, real waits (the window is 10 s): the reference server with
// the app's long-running engine, coaia-narrative with an engine opened afresh on the journal
// (as the CLI and a restarted app judge it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { contextPaths, resolveLayout } from '../../electron/core/dataRoot.ts';
import type { Engine } from '../../electron/core/engine.ts';
import { raceWindowMs } from '../../electron/core/fileVersions.ts';
import { recordFromObject } from '../../electron/core/knowledgeGraph.ts';
import { entityKey } from '../../electron/core/records.ts';
import { decodeJournalLine } from '../../electron/core/journalFormat.ts';
import { openEngine } from '../helpers/tempRoot.ts';
import { MemoryServer } from './memoryServerClient.ts';


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The two tests wait out the race window side by side (it.concurrent), each in a folder of its
 * own that it removes itself (removeTempDirs after one would remove the other's).
 */
async function inFolderOfItsOwn(test: (file: string) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tension-repeated-'));
  try {
    await test(path.join(dir, 'memory.jsonl'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const NOTE = 'scratch_note';

/** A chart, then (in a rewrite of its own) the person's note; the peer deletes the note and the engine takes that in: kept, and put back. */
async function keptOnce(file: string, peer: 'reference' | 'coaia-narrative'): Promise<Engine> {
  const engine = await openEngine(resolveLayout({ memoryPath: file }));
  await new ChartService(engine).create('default', { outcome: 'Publish the guide', reality: 'A draft exists', steps: ['Outline', 'Edit'] });
  await engine.flush();
  await engine.transact('default', () => ({ puts: [recordFromObject({ type: 'entity', name: NOTE, entityType: 'note', observations: ['made by the person'] })], deletes: [] }));
  await engine.flush();
  await deleteNote(file, peer);
  // The first deletion is kept: nothing in the peer's file shows it read the version with the note.
  expect(await engine.read('default', (state) => state.has(entityKey(NOTE)))).toBe(true);
  await engine.flush();
  expect(fs.readFileSync(file, 'utf8')).toContain(NOTE);
  return engine;
}

async function deleteNote(file: string, peer: 'reference' | 'coaia-narrative'): Promise<void> {
  const server = await MemoryServer.start(file, peer);
  await server.deleteEntities([NOTE]).finally(() => server.close());
  expect(fs.readFileSync(file, 'utf8')).not.toContain(NOTE);
}

/** The journal's commits of another program's version that deleted the note (its changes, not what the file lacked: fileDiffers). */
function externalDeletionsOfNote(file: string): number {
  const journal = contextPaths(resolveLayout({ memoryPath: file }), 'default').journal;
  return fs
    .readFileSync(journal, 'utf8')
    .split('\n')
    .map(decodeJournalLine)
    .filter((line) => line.ok && line.entry.kind === 'commit' && line.entry.origin === 'external' && line.entry.changes.some((c) => c.del?.[0] === 'entity' && c.del[1] === NOTE)).length;
}

it.concurrent('reference: deleted again once our rewrite that put it back has stood longer than the race window, the app running', () => inFolderOfItsOwn(async (file) => {
  const peer = 'reference';
  const engine = await keptOnce(file, peer);
  try {
    await sleep(raceWindowMs(fs.statSync(file).size) + 1_000);
    await deleteNote(file, peer);
    expect(await engine.read('default', (state) => state.has(entityKey(NOTE)))).toBe(false);
    await engine.flush();
    expect(fs.readFileSync(file, 'utf8')).not.toContain(NOTE);
    expect(fs.readFileSync(file, 'utf8')).toContain('Publish the guide');
    expect(externalDeletionsOfNote(file)).toBe(1);
  } finally {
    await engine.close();
  }
}), 60_000);

it.concurrent('coaia-narrative: the same judged by an engine opened afresh after the repeat (the versions read back from the journal)', () => inFolderOfItsOwn(async (file) => {
  await (await keptOnce(file, 'coaia-narrative')).close();
  await sleep(raceWindowMs(fs.statSync(file).size) + 1_000);
  await deleteNote(file, 'coaia-narrative');
  const engine = await openEngine(resolveLayout({ memoryPath: file }));
  try {
    expect(await engine.read('default', (state) => state.has(entityKey(NOTE)))).toBe(false);
    expect(externalDeletionsOfNote(file)).toBe(1);
  } finally {
    await engine.close();
  }
}), 60_000);
