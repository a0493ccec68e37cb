// A peer's version the observer reported only after a newer one was taken in (a busy machine:
// race g in CI). The reference server wrote P (its entity peer_1, from a file that held a new
// coaia-narrative chart's entities but not yet its relations R, written by coaia-narrative's
// second save a moment later over P). B, with R, was taken in first; P came late and its
// peer_1 was added. The server's next version P2 is P plus peer_2: it never saw R. Taken in,
// R must stay. It was journaled deleted: peer_1 came into no version of its own but into our
// next rewrite's, so P2 was judged to start from that rewrite, which held R.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeAfterEachTest, trackedEngine } from '../helpers/tracked.ts';
import { tempDir } from '../helpers/tempRoot.ts';
import { runCli } from '../helpers/runCli.ts';
import { contextPaths, resolveLayout } from '../../electron/core/dataRoot.ts';
import { readJournal } from '../../electron/core/journalFile.ts';
import { crc32Hex } from '../../electron/core/journalFormat.ts';
import { realFileSystem } from '../../electron/core/fileSystem.ts';
import type { ObservedVersion } from '../../electron/core/versionObserver.ts';
import { raceWindowMs } from '../../electron/core/fileVersions.ts';
import { entityLine, peerText, peerWriteAndRename, peerWriteInPlace, relationLine } from './peerFiles.ts';

closeAfterEachTest();

type Line = Record<string, unknown>;
const parse = (text: string): Line[] => text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Line);
const stripped = (line: Line) => JSON.stringify(line.type === 'entity' ? { type: 'entity', name: line.name, entityType: line.entityType, observations: line.observations } : { type: 'relation', from: line.from, to: line.to, relationType: line.relationType });

/** What coaia-narrative writes: every line as read, its own added to each list, in place. */
function coaiaSaves(file: string, entities: string[], relations: string[]): void {
  const lines = parse(fs.readFileSync(file, 'utf8'));
  const kind = (type: string) => lines.filter((line) => line.type === type).map((line) => JSON.stringify(line));
  peerWriteInPlace(file, peerText([...kind('entity'), ...entities, ...kind('relation'), ...relations]));
}

/** What the reference server writes from a copy it read: no metadata, its entity last among the entities, renamed over the file. */
function referenceServerSaves(file: string, copy: string, name: string): void {
  const lines = parse(copy);
  const added = entityLine(name, 'race', [`written by the reference server: ${name}`]);
  peerWriteAndRename(file, peerText([...lines.filter((l) => l.type === 'entity').map(stripped), added, ...lines.filter((l) => l.type === 'relation').map(stripped)]));
}

/** The file as the observer reads it the moment it appears. */
function observe(file: string): ObservedVersion {
  const bytes = fs.readFileSync(file);
  const stat = fs.statSync(file, { bigint: true });
  return { bytes, identity: { size: bytes.length, crc: crc32Hex(bytes), ino: stat.ino, mtimeNs: stat.mtimeNs, ctimeNs: stat.ctimeNs } };
}

function externalDeletions(data: string): string[] {
  const journal = contextPaths(resolveLayout({ data }), 'default').journal;
  return readJournal(realFileSystem, journal, 0).entries.flatMap(({ entry }) => (entry.kind === 'commit' && entry.origin === 'external' ? entry.changes.filter((c) => c.del).map((c) => (c.del as string[]).slice(1).join(' ')) : []));
}

const chart = 'chart_1796075085865';
const chartEntities = ['chart', 'desired_outcome', 'current_reality', 'action_1'].map((part) => entityLine(`${chart}_${part}`, part, [`${part} of the chart`], { chartId: chart }));
const R = [
  relationLine(`${chart}_chart`, `${chart}_desired_outcome`, 'contains', { createdAt: 'now' }),
  relationLine(`${chart}_current_reality`, `${chart}_desired_outcome`, 'creates_tension_with', { createdAt: 'now' }),
  relationLine(`${chart}_action_1`, `${chart}_desired_outcome`, 'advances_toward', { createdAt: 'now' }),
];
const relationNames = ['contains', 'creates_tension_with', 'advances_toward'];

/**
 * Plays the race up to our rewrite after P was taken in (unless `rewrite` is false: it never
 * came), the app taking in what it sees as it goes. `writeP2` then writes the reference
 * server's next version.
 */
async function playRace(rewrite = true) {
  const data = path.join(tempDir('tension-late-'), '.coaia');
  fs.mkdirSync(data);
  const file = path.join(data, 'charts.jsonl');
  fs.writeFileSync(file, peerText([entityLine('old_note', 'note', ['there from the start'], { chartId: 'chart_0' }), entityLine('chart_0_chart', 'structural_tension_chart', [], { chartId: 'chart_0' }), relationLine('chart_0_chart', 'old_note', 'contains')]));
  const engine = await trackedEngine(resolveLayout({ data }), { rewriteDelayMs: -1 });
  await engine.read('default', () => undefined);

  coaiaSaves(file, chartEntities, []); // A: the chart's entities (coaia-narrative's first save)
  const copyOfA = fs.readFileSync(file, 'utf8'); // the reference server reads A...
  referenceServerSaves(file, copyOfA, 'peer_1'); // ...and writes P
  const P = observe(file); // the observer reads P, but its report is late
  const copyOfP = fs.readFileSync(file, 'utf8'); // the reference server's next call reads P
  peerWriteInPlace(file, peerText([...parse(copyOfA).filter((l) => l.type === 'entity').map((l) => JSON.stringify(l)), ...parse(copyOfA).filter((l) => l.type === 'relation').map((l) => JSON.stringify(l)), ...R])); // B: A plus R, over P
  await engine.read('default', () => undefined); // B taken in (read directly)
  engine.observedVersion('default', P); // P's report arrives: older than B
  await engine.read('default', () => undefined); // P's peer_1 is added
  if (rewrite) await engine.flush(); // our rewrite: B's records, peer_1
  const writeP2 = () => referenceServerSaves(file, copyOfP, 'peer_2'); // P2: P plus peer_2, without R
  return { engine, data, file, writeP2 };
}

describe("a peer's version reported after a newer one, then that peer's next version", () => {
  it('the records the later version never saw are kept, not journaled as its deletions (the app taking it in)', async () => {
    const { engine, data, writeP2 } = await playRace();
    writeP2();
    const relations = await engine.read('default', (state) => [...state.values()].filter((r) => r.kind === 'relation' && r.raw.includes(chart)).length);
    expect(externalDeletions(data)).toEqual([]);
    expect(relations).toBe(R.length);
    const names = await engine.read('default', (state) => [...state.values()].filter((r) => r.kind === 'entity').map((r) => r.name));
    expect(names).toEqual(expect.arrayContaining(['peer_1', 'peer_2', 'old_note', `${chart}_action_1`]));
  });

  it('the same judged by a fresh CLI process, from the journal alone', async () => {
    const { engine, data, writeP2 } = await playRace();
    await engine.close();
    // No checkpoint: the CLI rebuilds the versions from the journal.
    fs.rmSync(contextPaths(resolveLayout({ data }), 'default').checkpoint, { force: true });
    writeP2();
    const write = runCli(['entity', 'set', '--name', 'cli_1', '--type', 'race', '--obs', 'a CLI write', '--data', data]);
    expect(write.status, write.stderr).toBe(0);
    expect(externalDeletions(data)).toEqual([]);
    const graph = JSON.parse(runCli(['graph', '--json', '--data', data]).stdout) as { relations: { from: string; relationType: string }[] };
    expect(graph.relations.filter((r) => r.from.startsWith(chart)).map((r) => r.relationType).sort()).toEqual([...relationNames].sort());
  });

  it("when our rewrite never came, a peer's file written from the one on disk more than the race window later keeps the late version's records it never saw (review F5)", { timeout: 60_000 }, async () => {
    const { engine, data, file } = await playRace(false);
    // The file on disk is B, without peer_1 (only our rewrite would have put it there).
    expect(fs.readFileSync(file, 'utf8')).not.toContain('peer_1');
    await new Promise((resolve) => setTimeout(resolve, raceWindowMs(0) + 1_000));
    referenceServerSaves(file, fs.readFileSync(file, 'utf8'), 'peer_3');
    const names = await engine.read('default', (state) => [...state.values()].filter((r) => r.kind === 'entity').map((r) => r.name));
    expect(externalDeletions(data)).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(['peer_1', 'peer_3']));
  });

  it('a record the later version deletes that it had seen (there from the start) is still journaled deleted', async () => {
    const { engine, data, file, writeP2 } = await playRace();
    writeP2();
    await engine.read('default', () => undefined);
    // The server's next call reads its P2 and deletes old_note (and the relation touching it).
    const copy = parse(fs.readFileSync(file, 'utf8')).filter((l) => l.name !== 'old_note' && l.to !== 'old_note');
    peerWriteAndRename(file, peerText(copy.map((l) => JSON.stringify(l))));
    await engine.read('default', () => undefined);
    expect(externalDeletions(data).sort()).toEqual(['chart_0_chart old_note contains', 'old_note']);
  });
});
