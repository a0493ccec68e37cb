// A context opened without a journal (another program's file, seen for the first time) is
// readable as soon as its lines are parsed; the journal, the file as found its first commit, is
// started after the open: by the first write, the scheduled rewrite, or the close. Nothing may
// be lost in between: a peer's rewrite, another of our processes starting the journal first,
// or a full disk at that moment.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { realFileSystem, type FileSystem } from '../../electron/core/fileSystem.ts';
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
