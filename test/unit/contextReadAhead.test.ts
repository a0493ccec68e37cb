// A write's context file read before the lock (Engine.readFileAhead, contextReadAhead.ts): the
// load under the lock takes it only while it is still the file on disk, so nothing written in
// between, by another process or a peer writing in place, is lost. Real files; the other writer
// is the real CLI in a process of its own; the reads of the file are counted through the engine's
// file-system seam.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine.ts';
import { contextPaths, rootPaths, type DataLayout } from '../../electron/core/dataRoot.ts';
import { listCharts, prepareChartLists } from '../../electron/core/charts/chartSummaries.ts';
import { writeChartFile } from '../bench/chartGenerator.ts';
import { realFileSystem, type FileSystem } from '../../electron/core/fileSystem.ts';
import { readGraph, setEntity } from '../../electron/core/knowledgeGraph.ts';
import { verifyAll } from '../../electron/core/verify.ts';
import { removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { cliOk } from '../helpers/runCli.ts';

afterEach(removeTempDirs);

const CONTEXT = 'work';
const line = (i: number, obs = 'o1') => `{"type":"entity","name":"n${i}","entityType":"note","observations":["${obs}"]}\n`;

/** A peer's file of `count` entities, last changed a while ago (the margins of contextReadAhead.ts). */
function peerFile(layout: DataLayout, count: number): string {
  const file = contextPaths(layout, CONTEXT).file;
  fs.mkdirSync(layout.root, { recursive: true });
  fs.writeFileSync(file, Array.from({ length: count }, (_, i) => line(i)).join(''));
  const past = new Date(Date.now() - 60_000);
  fs.utimesSync(file, past, past);
  return file;
}

/** The real file system, counting the reads of one file (readStable reads it whole, by readFileSync). */
function countingReads(file: string): { fs: FileSystem; reads: () => number } {
  let reads = 0;
  return {
    fs: {
      ...realFileSystem,
      readFileSync(p) {
        if (p === file) reads += 1;
        return realFileSystem.readFileSync(p);
      },
    },
    reads: () => reads,
  };
}

async function namesAndObservations(layout: DataLayout): Promise<Map<string, readonly string[]>> {
  const engine = await Engine.open({ layout, origin: 'cli', readOnly: true });
  try {
    const graph = await engine.read(CONTEXT, (state) => readGraph(state));
    return new Map(graph.entities.map((e) => [e.name, e.observations]));
  } finally {
    await engine.close();
  }
}

/** The journal was started once, and the folder's file, journal and checkpoint agree (verify). */
async function expectSoundWithOneJournalStart(layout: DataLayout): Promise<void> {
  const headers = fs.readFileSync(contextPaths(layout, CONTEXT).journal, 'utf8').split('\n').filter((l) => l.includes('"kind":"header"'));
  expect(headers, 'one start of the journal').toHaveLength(1);
  const check = await Engine.open({ layout, origin: 'cli' });
  try {
    expect((await verifyAll(check, { backups: false })).ok, 'the file, journal and checkpoint agree').toBe(true);
  } finally {
    await check.close();
  }
}

async function writeWithReadAhead(layout: DataLayout, between: () => void): Promise<number> {
  const file = contextPaths(layout, CONTEXT).file;
  const counted = countingReads(file);
  const engine = await Engine.open({ layout, origin: 'cli', rewriteDelayMs: -1, fs: counted.fs });
  try {
    engine.readFileAhead(CONTEXT);
    const before = counted.reads();
    between();
    await engine.transact(CONTEXT, (s) => setEntity(s, { name: 'from_the_write', entityType: 'note', observations: ['after the read-ahead'] }));
    return counted.reads() - before;
  } finally {
    await engine.close();
  }
}

describe('a context file read before the lock', () => {
  it('is what the load takes when it is still the file: not read again under the lock, and the write is whole', async () => {
    const layout = tempLayout();
    peerFile(layout, 500);
    cliOk(['entity', 'set', '--context', CONTEXT, '--name', 'first', '--type', 'note', '--obs', 'journal started'], layout.root);
    // The CLI rewrote the file as it ended: a read within the margin of its change would not be used.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const readsUnderLock = await writeWithReadAhead(layout, () => undefined);
    expect(readsUnderLock, 'the load used the file read ahead').toBe(0);
    const found = await namesAndObservations(layout);
    expect(found.size).toBe(502);
    expect(found.get('from_the_write')).toEqual(['after the read-ahead']);
    expect(found.get('n7')).toEqual(['o1']);
    await expectSoundWithOneJournalStart(layout);
  });

  it("is read again when another process's write came between: the other write is kept (a real CLI process)", async () => {
    const layout = tempLayout();
    peerFile(layout, 500);
    cliOk(['entity', 'set', '--context', CONTEXT, '--name', 'first', '--type', 'note', '--obs', 'journal started'], layout.root);
    // The read-ahead takes no lock: the CLI writes (a commit and a rewrite of the file) meanwhile.
    const readsUnderLock = await writeWithReadAhead(layout, () => cliOk(['entity', 'set', '--context', CONTEXT, '--name', 'from_the_cli', '--type', 'note', '--obs', 'between'], layout.root));
    expect(readsUnderLock, 'the file was read again under the lock').toBeGreaterThan(0);
    const found = await namesAndObservations(layout);
    expect(found.get('from_the_cli')).toEqual(['between']);
    expect(found.get('from_the_write')).toEqual(['after the read-ahead']);
    expect(found.size).toBe(503);
  });

  it("is read again when a peer rewrote it in place, to the same size: the peer's change is taken in", async () => {
    const layout = tempLayout();
    const file = peerFile(layout, 500);
    cliOk(['entity', 'set', '--context', CONTEXT, '--name', 'first', '--type', 'note', '--obs', 'journal started'], layout.root);
    const readsUnderLock = await writeWithReadAhead(layout, () => {
      const text = fs.readFileSync(file, 'utf8');
      const edited = text.replace(line(7), line(7, 'o2'));
      expect(edited.length).toBe(text.length);
      fs.writeFileSync(file, edited); // in place: the same inode, the same size
    });
    expect(readsUnderLock).toBeGreaterThan(0);
    const found = await namesAndObservations(layout);
    expect(found.get('n7')).toEqual(['o2']);
    expect(found.get('from_the_write')).toEqual(['after the read-ahead']);
  });

  it('is read again when the file had changed too shortly before it was read (its times could not tell a later write)', async () => {
    const layout = tempLayout();
    const file = peerFile(layout, 50);
    cliOk(['entity', 'set', '--context', CONTEXT, '--name', 'first', '--type', 'note', '--obs', 'journal started'], layout.root);
    // A change time that is not before the read (as a write a moment before it, in the same tick, has), in whole seconds.
    const soon = new Date(Math.ceil(Date.now() / 1000) * 1000 + 5_000);
    fs.utimesSync(file, soon, soon);
    expect(await writeWithReadAhead(layout, () => undefined)).toBeGreaterThan(0);
    expect((await namesAndObservations(layout)).get('from_the_write')).toEqual(['after the read-ahead']);
  });

  it('a peer file never journaled, and a context with no file yet, are written as without it', async () => {
    const layout = tempLayout();
    peerFile(layout, 200);
    expect(await writeWithReadAhead(layout, () => undefined), 'the peer file read ahead is taken').toBe(0);
    const found = await namesAndObservations(layout);
    expect(found.size).toBe(201);
    const engine = await Engine.open({ layout, origin: 'cli', rewriteDelayMs: -1 });
    engine.readFileAhead('fresh');
    await engine.transact('fresh', (s) => setEntity(s, { name: 'only', entityType: 'note', observations: ['x'] }));
    await engine.close();
    const again = await Engine.open({ layout, origin: 'cli', readOnly: true });
    expect((await again.read('fresh', (state) => readGraph(state))).entities.map((e) => e.name)).toEqual(['only']);
    expect((await verifyAll(again, { backups: false })).ok).toBe(true);
    await again.close();
  });

  it("the app's first open reads the file without the lock, then lists every chart", async () => {
    const layout = tempLayout();
    const file = contextPaths(layout, CONTEXT).file;
    writeChartFile(file, 300);
    const past = new Date(Date.now() - 60_000);
    fs.utimesSync(file, past, past);
    const lockDir = rootPaths(layout).lock;
    const readsWith: boolean[] = [];
    const seam: FileSystem = {
      ...realFileSystem,
      readFileSync(p) {
        if (p === file) readsWith.push(fs.existsSync(lockDir));
        return realFileSystem.readFileSync(p);
      },
    };
    const engine = await Engine.open({ layout, origin: 'app', rewriteDelayMs: -1, fs: seam });
    try {
      await prepareChartLists(engine);
      expect(readsWith, 'read once, while no lock was held').toEqual([false]);
      expect(await listCharts(engine, CONTEXT)).toHaveLength(300);
    } finally {
      await engine.close();
    }
  });

  it("a peer's file written to for the first time: its journal's start is made without the lock, and written by the write", async () => {
    const layout = tempLayout();
    peerFile(layout, 400);
    const paths = contextPaths(layout, CONTEXT);
    const engine = await Engine.open({ layout, origin: 'cli', rewriteDelayMs: -1 });
    try {
      await engine.prepareToWrite(CONTEXT);
      expect(fs.existsSync(rootPaths(layout).lock), 'the lock is let go').toBe(false);
      expect(fs.existsSync(paths.journal), 'nothing written yet').toBe(false);
      const memory = (engine.loadedStore(CONTEXT) as unknown as { memory: { journalStartUnderWay?: { made?: { lines: readonly string[] } } } }).memory;
      const made = memory.journalStartUnderWay?.made;
      expect(made, 'the journal start made').toBeDefined();
      await engine.transact(CONTEXT, (s) => setEntity(s, { name: 'from_the_write', entityType: 'note', observations: ['first write'] }));
      // Those very lines were written (a start made again under the lock has a header of its own time and checksum).
      const written = fs.readFileSync(contextPaths(layout, CONTEXT).journal, 'utf8');
      expect(written.startsWith((made?.lines ?? ['(none made)']).join('')), 'the journal begins with the lines made before the lock').toBe(true);
    } finally {
      await engine.close();
    }
    expect((await namesAndObservations(layout)).size).toBe(401);
    await expectSoundWithOneJournalStart(layout);
  });

  it('a journal another process started meanwhile is taken, and the start made before is not written (a real CLI process)', async () => {
    const layout = tempLayout();
    peerFile(layout, 400);
    const engine = await Engine.open({ layout, origin: 'cli', rewriteDelayMs: -1 });
    try {
      await engine.prepareToWrite(CONTEXT);
      cliOk(['entity', 'set', '--context', CONTEXT, '--name', 'from_the_cli', '--type', 'note', '--obs', 'started the journal'], layout.root);
      await engine.transact(CONTEXT, (s) => setEntity(s, { name: 'from_the_write', entityType: 'note', observations: ['second'] }));
    } finally {
      await engine.close();
    }
    const found = await namesAndObservations(layout);
    expect(found.get('from_the_cli')).toEqual(['started the journal']);
    expect(found.get('from_the_write')).toEqual(['second']);
    expect(found.size).toBe(402);
    await expectSoundWithOneJournalStart(layout);
  });

  it('a read ahead that fails (an I/O error) is no failure: the write reads the file under the lock and is whole', async () => {
    const layout = tempLayout();
    const file = peerFile(layout, 100);
    let reads = 0;
    const seam: FileSystem = {
      ...realFileSystem,
      readFileSync(p) {
        if (p === file && (reads += 1) === 1) throw Object.assign(new Error(`EIO: i/o error, read '${p}'`), { code: 'EIO', path: p });
        return realFileSystem.readFileSync(p);
      },
    };
    const engine = await Engine.open({ layout, origin: 'cli', rewriteDelayMs: -1, fs: seam });
    try {
      await engine.prepareToWrite(CONTEXT);
      expect(reads, 'the read ahead failed, and the load read the file again').toBe(2);
      await engine.transact(CONTEXT, (s) => setEntity(s, { name: 'from_the_write', entityType: 'note', observations: ['after a failed read-ahead'] }));
    } finally {
      await engine.close();
    }
    const found = await namesAndObservations(layout);
    expect(found.size).toBe(101);
    expect(found.get('from_the_write')).toEqual(['after a failed read-ahead']);
    await expectSoundWithOneJournalStart(layout);
  });

  it('nothing is read ahead by an engine that only reads, nor for a context loaded already', async () => {
    const layout = tempLayout();
    const file = peerFile(layout, 20);
    const counted = countingReads(file);
    const reader = await Engine.open({ layout, origin: 'cli', readOnly: true, fs: counted.fs });
    reader.readFileAhead(CONTEXT);
    expect(counted.reads()).toBe(0);
    await reader.close();
    const writer = await Engine.open({ layout, origin: 'cli', rewriteDelayMs: -1, fs: counted.fs });
    await writer.read(CONTEXT, (state) => state.size);
    const loaded = counted.reads();
    writer.readFileAhead(CONTEXT);
    expect(counted.reads()).toBe(loaded);
    await writer.close();
  });
});
