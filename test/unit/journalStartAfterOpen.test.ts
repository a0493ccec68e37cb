// A context opened without a journal (another program's file, seen for the first time) is
// readable as soon as its lines are parsed; the journal, the file as found its first commit, is
// started after the open: by the first write, the scheduled rewrite, or the close. Nothing may
// be lost in between: a peer's rewrite, another of our processes starting the journal first,
// or a full disk at that moment.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { realFileSystem, type FileSystem } from '../../electron/core/fileSystem.ts';
import { rootPaths } from '../../electron/core/dataRoot.ts';
import { readGraph, setEntity } from '../../electron/core/knowledgeGraph.ts';
import { EngineError } from '../../electron/core/errors.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { runCli } from '../helpers/runCli.ts';

afterEach(removeTempDirs);

const peerLine = (name: string) => JSON.stringify({ type: 'entity', name, entityType: 'note', observations: [`${name} as the peer wrote it`] });

function peerFolder(names: string[]) {
  const layout = tempLayout();
  fs.mkdirSync(layout.root, { recursive: true });
  const file = path.join(layout.root, 'charts.jsonl');
  fs.writeFileSync(file, `${names.map(peerLine).join('\n')}\n`);
  const journal = path.join(layout.root, '.history', 'charts.journal.jsonl');
  return { layout, file, journal };
}

const journalLines = (journal: string) => fs.readFileSync(journal, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
const names = (graph: { entities: { name: string }[] }) => graph.entities.map((e) => e.name).sort();

describe('the journal of a peer file is started after the open', () => {
  it('the open writes nothing; the close starts the journal with the file as found, and the next open takes the fast path', async () => {
    const { layout, journal } = peerFolder(['A', 'B']);
    const engine = await openEngine(layout);
    expect(names(await engine.read('default', (state) => readGraph(state)))).toEqual(['A', 'B']);
    expect(fs.existsSync(journal)).toBe(false);
    await engine.close();
    const lines = journalLines(journal);
    expect(lines[0]?.kind).toBe('header');
    expect(lines.filter((l) => l.kind === 'header')).toHaveLength(1);
    expect(JSON.stringify(lines[1])).toContain('existing file adopted');
    expect(JSON.stringify(lines[1])).toContain('B as the peer wrote it');
    expect(lines.at(-1)?.kind).toBe('snapshot');
    const again = await openEngine(layout);
    expect(await again.read('default', (state, store) => ({ names: names(readGraph(state)), fast: store.openedFast }))).toEqual({ names: ['A', 'B'], fast: true });
    await again.close();
  });

  it('the scheduled rewrite starts it by itself shortly after the open', async () => {
    const { layout, journal } = peerFolder(['A']);
    const engine = await openEngine(layout, { rewriteDelayMs: 20 });
    await engine.read('default', (state) => state.size);
    const until = Date.now() + 10_000;
    while (!fs.existsSync(journal) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(journalLines(journal)[0]?.kind).toBe('header');
    await engine.close();
  });

  it('a peer rewriting the file before the journal starts: the journal holds the file as first found, then the peer\'s change', async () => {
    const { layout, file, journal } = peerFolder(['A', 'B']);
    // The file had been there a while (a rewrite within moments of the version before it could be
    // a lost race, and B would be kept: externalMerge.ts).
    const aMinuteAgo = new Date(Date.now() - 60_000);
    fs.utimesSync(file, aMinuteAgo, aMinuteAgo);
    const engine = await openEngine(layout);
    await engine.read('default', (state) => state.size);
    // The peer read A and B, deleted B and added C (a whole-file rewrite, as the MCP servers do).
    fs.writeFileSync(`${file}.peer`, `${['A', 'C'].map(peerLine).join('\n')}\n`);
    fs.renameSync(`${file}.peer`, file);
    await engine.flush();
    expect(names(await engine.read('default', (state) => readGraph(state)))).toEqual(['A', 'C']);
    const lines = journalLines(journal);
    const commits = lines.filter((l) => l.kind === 'commit');
    expect(JSON.stringify(commits[0])).toContain('B as the peer wrote it'); // the file as first found
    expect(JSON.stringify(commits.slice(1))).toContain('C as the peer wrote it'); // then the peer's version
    await engine.close();
  });

  it('another of our processes starting the journal first (a CLI write, a real process): one journal, nothing lost', async () => {
    const { layout, journal } = peerFolder(['A']);
    const engine = await openEngine(layout);
    await engine.read('default', (state) => state.size);
    const cli = runCli(['entity', 'set', '--name', 'FromCli', '--type', 'note', '--data', layout.root]);
    expect(cli.status, cli.stderr).toBe(0);
    await engine.transact('default', (state) => setEntity(state, { name: 'FromApp', entityType: 'note' }));
    await engine.close();
    const lines = journalLines(journal);
    expect(lines.filter((l) => l.kind === 'header')).toHaveLength(1);
    const again = await openEngine(layout);
    expect(names(await again.read('default', (state) => readGraph(state)))).toEqual(['A', 'FromApp', 'FromCli']);
    await again.close();
  });

  it('a full disk when the journal is due: the flush says so and changes nothing, the records stay readable, and it starts once there is room (fs seam: ENOSPC on the journal)', async () => {
    const { layout, journal } = peerFolder(['A', 'B']);
    let full = true;
    const fullDisk: FileSystem = {
      ...realFileSystem,
      writeSync: ((fd: number, ...rest: unknown[]) => {
        if (full && fs.readlinkSync(`/proc/self/fd/${fd}`).endsWith('.journal.jsonl')) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return (realFileSystem.writeSync as (...args: unknown[]) => number)(fd, ...rest);
      }) as FileSystem['writeSync'],
    };
    const engine = await openEngine(layout, { fs: fullDisk });
    const error = await engine.flush().then(() => undefined, (e: unknown) => e);
    // The flush had nothing loaded yet: read first, then flush.
    expect(error).toBeUndefined();
    expect(names(await engine.read('default', (state) => readGraph(state)))).toEqual(['A', 'B']);
    const failed = await engine.flush().then(() => undefined, (e: unknown) => e);
    expect(failed).toBeInstanceOf(EngineError);
    expect((failed as EngineError).message).toMatch(/Starting the journal/);
    expect(fs.existsSync(journal) ? fs.readFileSync(journal, 'utf8') : '').toBe('');
    expect(names(await engine.read('default', (state) => readGraph(state)))).toEqual(['A', 'B']);
    full = false;
    await engine.transact('default', (state) => setEntity(state, { name: 'C', entityType: 'note' }));
    await engine.close();
    const commits = journalLines(journal).filter((l) => l.kind === 'commit');
    expect(JSON.stringify(commits[0])).toContain('existing file adopted');
    expect(JSON.stringify(commits.at(-1))).toContain('"C"');
  });

  it("the file as found stays the first version's list of records after later rewrites (its map is shared, never changed)", async () => {
    const { layout } = peerFolder(['A', 'B']);
    const engine = await openEngine(layout);
    await engine.read('default', (state) => state.size);
    await engine.transact('default', (state) => setEntity(state, { name: 'C', entityType: 'note' }));
    await engine.flush();
    await engine.transact('default', (state) => setEntity(state, { name: 'D', entityType: 'note' }));
    await engine.flush();
    const firstVersion = await engine.read('default', (_state, store) => {
      const generations = (store as unknown as { memory: { versions: { generations: { previous: ReadonlyMap<string, unknown> }[] } } }).memory.versions.generations;
      return [...(generations[0]?.previous.keys() ?? [])].map((key) => key.slice(2)).sort();
    });
    expect(firstVersion).toEqual(['A', 'B']);
    await engine.close();
  });
});

// At 100k charts the lines that start the journal (every record of the file, sealed) took 6-10 s
// of the engine's thread; the scheduled rewrite makes them a slice at a time before it takes the
// data folder's lock (contextCommit.ts, journalStartInSlices), and writes them under it. These
// folders are small: the engine is told to treat them as large and to pause after every step.
describe('the journal of a large peer file, started by the scheduled rewrite a slice at a time', () => {
  const SLICED = { rewriteOutsideLockFromBytes: 0, rewriteSliceMs: 0, rewriteDelayMs: 1 };
  const many = Array.from({ length: 3000 }, (_, i) => `N${i}`);

  /** The engine's clock, noting at each reading whether the data folder's lock was held; `onHeader` runs at the first reading after `arm()`, made once the context is loaded: the journal's header. */
  function watchedClock(layout: ReturnType<typeof tempLayout>) {
    const lock = rootPaths(layout).lock;
    const held: boolean[] = [];
    const times: string[] = [];
    let armed = false;
    let tick = Date.now();
    let onHeader: (() => void) | undefined;
    return {
      held,
      times,
      arm(then?: () => void) {
        armed = true;
        onHeader = then;
      },
      // Each reading a millisecond after the last: the header's time tells which reading made it.
      clock: () => {
        const now = new Date((tick += 1));
        if (armed) {
          held.push(fs.existsSync(lock));
          times.push(now.toISOString());
          if (held.length === 1) onHeader?.();
        }
        return now;
      },
    };
  }

  async function journalStarted(journal: string): Promise<void> {
    const until = Date.now() + 20_000;
    while (!(fs.existsSync(journal) && fs.statSync(journal).size > 0) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  it('makes its lines without the lock, answers a request made meanwhile before the journal is written, and the journal reopens to the file as found', async () => {
    const { layout, journal } = peerFolder(many);
    const watched = watchedClock(layout);
    const engine = await openEngine(layout, { ...SLICED, clock: watched.clock });
    let answeredBeforeJournal: boolean | undefined;
    await engine.read('default', (state) => state.size);
    watched.arm(() => {
      void engine.read('default', (state) => state.size).then(() => (answeredBeforeJournal = !fs.existsSync(journal)));
    });
    await journalStarted(journal);
    expect(watched.held[0], 'the header made with the lock free').toBe(false);
    expect(answeredBeforeJournal, 'the request made meanwhile answered between slices').toBe(true);
    await engine.close();
    const lines = journalLines(journal);
    expect(lines.filter((l) => l.kind === 'header')).toHaveLength(1);
    expect(lines[0]?.created, 'the journal written from the lines made without the lock').toBe(watched.times[0]);
    const again = await openEngine(layout);
    expect(await again.read('default', (state, store) => ({ names: names(readGraph(state)), fast: store.openedFast }))).toEqual({ names: [...many].sort(), fast: true });
    await again.close();
  });

  it('a peer rewriting the file while the lines are made: the journal holds the file as first found, then the peer\'s version', async () => {
    const { layout, file, journal } = peerFolder(many);
    const aMinuteAgo = new Date(Date.now() - 60_000);
    fs.utimesSync(file, aMinuteAgo, aMinuteAgo);
    const watched = watchedClock(layout);
    const engine = await openEngine(layout, { ...SLICED, clock: watched.clock });
    await engine.read('default', (state) => state.size);
    watched.arm(() => {
      // It kept the first and the last record (a deletion leaves a hole: externalMerge.ts).
      fs.writeFileSync(`${file}.peer`, `${['N0', 'N2999', 'Peer'].map(peerLine).join('\n')}\n`);
      fs.renameSync(`${file}.peer`, file);
    });
    await journalStarted(journal);
    await engine.flush();
    expect(names(await engine.read('default', (state) => readGraph(state)))).toEqual(['N0', 'N2999', 'Peer']);
    await engine.close();
    const commits = journalLines(journal).filter((l) => l.kind === 'commit');
    expect(JSON.stringify(commits[0])).toContain('N1500 as the peer wrote it');
    expect(JSON.stringify(commits.slice(1))).toContain('Peer as the peer wrote it');
    const again = await openEngine(layout);
    expect(names(await again.read('default', (state) => readGraph(state)))).toEqual(['N0', 'N2999', 'Peer']);
    await again.close();
  });

  it('a commit of this engine while the lines are made starts the journal itself, finishing those lines (not making them anew): one header, nothing lost', async () => {
    const { layout, journal } = peerFolder(many);
    const watched = watchedClock(layout);
    const engine = await openEngine(layout, { ...SLICED, clock: watched.clock });
    let committed: Promise<unknown> | undefined;
    await engine.read('default', (state) => state.size);
    watched.arm(() => {
      committed = engine.transact('default', (state) => setEntity(state, { name: 'FromApp', entityType: 'note' }));
    });
    await journalStarted(journal);
    await committed;
    await engine.close();
    expect(journalLines(journal).filter((l) => l.kind === 'header')).toHaveLength(1);
    expect(journalLines(journal)[0]?.created, 'the header made in slices, before the commit').toBe(watched.times[0]);
    const again = await openEngine(layout);
    expect(names(await again.read('default', (state) => readGraph(state)))).toEqual([...many, 'FromApp'].sort());
    await again.close();
  });

  it('the engine closing while the lines are made: the close starts the journal, once', async () => {
    const { layout, journal } = peerFolder(many);
    const watched = watchedClock(layout);
    const engine = await openEngine(layout, { ...SLICED, clock: watched.clock });
    let closed: Promise<void> | undefined;
    await engine.read('default', (state) => state.size);
    watched.arm(() => {
      closed = engine.close();
    });
    const until = Date.now() + 20_000;
    while (closed === undefined && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    await closed;
    expect(journalLines(journal).filter((l) => l.kind === 'header')).toHaveLength(1);
    const again = await openEngine(layout);
    expect(names(await again.read('default', (state) => readGraph(state)))).toEqual([...many].sort());
    await again.close();
  });
});
