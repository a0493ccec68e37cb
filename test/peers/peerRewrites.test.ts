// Simulated peers (the COAIA servers, mcp-knowledge-graph, the reference server) rewriting the
// context file the way they do: the whole file at once, either in place (fs.writeFileSync) or
// as a temporary file renamed over it, with no lock and from a copy they read earlier.
import { closeAfterEachTest, trackedEngine } from '../helpers/tracked.ts';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tempRoot.ts';
import { contextPaths, resolveLayout, type DataLayout } from '../../electron/core/dataRoot.ts';
import type { Engine } from '../../electron/core/engine.ts';
import type { PendingChanges } from '../../electron/core/contextStore.ts';
import type { RecordSet } from '../../electron/core/recordSet.ts';
import { readGraph, setEntity, type EntityInput } from '../../electron/core/knowledgeGraph.ts';
import {
  copySample,
  entitiesOnDisk,
  entityHistory,
  entityLine,
  fileLines,
  graphOnDisk,
  jsonLines,
  linesOf,
  peerText,
  peerWriteAndRename,
  peerWriteInPlace,
  relationLine,
} from './peerFiles.ts';

closeAfterEachTest();
const engineOn = (layout: DataLayout) => trackedEngine(layout);

function coaiaLayout(): { layout: DataLayout; file: (context?: string) => string } {
  const layout = resolveLayout({ data: path.join(tempDir('tension-peers-'), '.coaia') });
  return { layout, file: (context = 'default') => contextPaths(layout, context).file };
}

function entities(...inputs: EntityInput[]) {
  return (state: RecordSet): PendingChanges => ({ puts: inputs.flatMap((input) => setEntity(state, input).puts), deletes: [] });
}

const observationsOf = (graph: ReturnType<typeof readGraph>, name: string) => graph.entities.find((e) => e.name === name)?.observations;

const peerWriters = [
  ['renames a temporary file over ours', peerWriteAndRename],
  ['rewrites the file in place', peerWriteInPlace],
] as const;

describe('a peer rewriting the whole context file between our writes', () => {
  it.each(peerWriters)('a peer that read the file before our rewrite and %s afterwards does not delete our new records (a lost race, not a deletion)', async (_how, peerWrite) => {
    const { layout, file } = coaiaLayout();
    const engine = await engineOn(layout);
    const A = { name: 'chart_q2_desired_outcome', entityType: 'desired_outcome', observations: ['Launch the new website'], metadata: { chartId: 'chart_q2' } };
    const R = { name: 'chart_q2_current_reality', entityType: 'current_reality', observations: ['Only a mockup exists'], metadata: { chartId: 'chart_q2' } };
    await engine.transact('default', entities(A, R));
    await engine.flush();

    // The peer loads the file now (as every MCP server does at the start of each tool call)...
    const peerCopy = fileLines(file());

    // ...while the user works in Tension Desk: a new record B, and a change to R.
    const B = { name: 'chart_q2_action_1', entityType: 'action_step', observations: ['Write the landing page copy'], metadata: { chartId: 'chart_q2', completionStatus: false } };
    await engine.transact('default', entities(B, { ...R, observations: ['Designer hired'] }));
    await engine.flush();
    const ourB = entitiesOnDisk(file()).get(B.name);
    const ourR = entitiesOnDisk(file()).get(R.name);
    expect(ourB).toBeDefined();

    // The peer saves its stale copy plus its own new record P.
    const P = entityLine('note_from_assistant', 'note', ['Suggested a launch checklist']);
    peerWrite(file(), peerText([...peerCopy, P]));

    // The next read absorbs the peer's version: everything is there, B and R as we wrote them.
    const graph = await engine.read('default', (state) => readGraph(state));
    expect(graph.entities.map((e) => e.name).sort()).toEqual([A.name, B.name, R.name, 'note_from_assistant'].sort());
    expect(observationsOf(graph, R.name)).toEqual(['Only a mockup exists', 'Designer hired']);

    await engine.flush();
    const onDisk = entitiesOnDisk(file());
    expect(onDisk.get(B.name)).toEqual(ourB);
    expect(onDisk.get(R.name)).toEqual(ourR);
    expect(onDisk.get(A.name)?.observations).toEqual(A.observations);
    expect(fileLines(file())).toContain(P); // the peer's line, byte for byte

    // History: B was only ever ours; P came from outside.
    expect(entityHistory(layout, 'default', B.name).map((v) => [v.origin, v.action])).toEqual([['app', 'set']]);
    expect(entityHistory(layout, 'default', R.name).every((v) => v.origin === 'app')).toBe(true);
    expect(entityHistory(layout, 'default', 'note_from_assistant').map((v) => v.origin)).toEqual(['external']);
  });

  it('a peer that changes an observation of a record we changed too (not yet rewritten) keeps both changes', async () => {
    const { layout, file } = coaiaLayout();
    const engine = await engineOn(layout);
    const R = { name: 'chart_1_current_reality', entityType: 'current_reality', observations: ['Draft exists in notes', 'Two chapters written'], metadata: { chartId: 'chart_1' } };
    await engine.transact('default', entities(R));
    await engine.flush();
    const peerCopy = fileLines(file());

    // Ours: the user completes a step; Tension Desk adds the observation (committed, file not yet rewritten).
    await engine.transact('default', entities({ ...R, observations: ['Completed: Outline the chapters'], metadata: { updatedAt: '2026-03-05T10:00:00.000Z' } }));

    // Theirs: the peer edits the first observation and adds one, from its copy.
    const peerR = { type: 'entity', name: R.name, entityType: R.entityType, observations: ['Draft exists in notes (reviewed)', 'Two chapters written', 'Editor found'], metadata: { chartId: 'chart_1' } };
    peerWriteInPlace(file(), peerText(peerCopy.map((line) => (line.includes(R.name) ? JSON.stringify(peerR) : line))));

    await engine.flush();
    const expected = ['Draft exists in notes (reviewed)', 'Two chapters written', 'Editor found', 'Completed: Outline the chapters'];
    const merged = entitiesOnDisk(file()).get(R.name);
    expect([...(merged?.observations as string[])].sort()).toEqual([...expected].sort());
    expect(merged?.metadata).toEqual({ chartId: 'chart_1', updatedAt: '2026-03-05T10:00:00.000Z' });
    expect([...(observationsOf(await engine.read('default', (s) => readGraph(s)), R.name) ?? [])].sort()).toEqual([...expected].sort());
  });

  it('a peer that read the file before our rewrite and then changes an observation of the record we changed keeps both changes', async () => {
    const { layout, file } = coaiaLayout();
    const engine = await engineOn(layout);
    const R = { name: 'chart_1_current_reality', entityType: 'current_reality', observations: ['Draft exists in notes', 'Two chapters written'], metadata: { chartId: 'chart_1' } };
    await engine.transact('default', entities(R));
    await engine.flush();
    const peerCopy = fileLines(file());

    // Ours, committed and already rewritten to the file before the peer saves.
    await engine.transact('default', entities({ ...R, observations: ['Completed: Outline the chapters'] }));
    await engine.flush();

    // Theirs, from the copy it read before our rewrite: one observation edited.
    const peerR = { type: 'entity', name: R.name, entityType: R.entityType, observations: ['Draft exists in notes (reviewed)', 'Two chapters written'], metadata: { chartId: 'chart_1' } };
    peerWriteAndRename(file(), peerText(peerCopy.map((line) => (line.includes(R.name) ? JSON.stringify(peerR) : line))));

    const graph = await engine.read('default', (s) => readGraph(s));
    const expected = ['Draft exists in notes (reviewed)', 'Two chapters written', 'Completed: Outline the chapters'];
    expect([...(observationsOf(graph, R.name) ?? [])].sort()).toEqual([...expected].sort());
    await engine.flush();
    expect([...(entitiesOnDisk(file()).get(R.name)?.observations as string[])].sort()).toEqual([...expected].sort());
  });
});

describe('lines of every shape a peer writes survive our rewrites byte for byte', () => {
  // A file as the peers leave it: `_aim` marker first, CRLF line ends on some lines, `#`
  // comments (one of them twice), blank and whitespace-only lines, non-canonical JSON spacing,
  // unknown fields, unknown line types, a legacy top-level narrative_beat line, no final newline.
  const ours = entityLine('chart_q2_current_reality', 'current_reality', ['Only a mockup exists'], { chartId: 'chart_q2' });
  const peerLines = [
    '{"type":"_aim","source":"mcp-knowledge-graph"}',
    '# COAIA Charts for default context\r',
    '',
    ours,
    '{"type": "entity", "name": "peer_spacing", "entityType": "concept", "observations": ["spaced out"], "x-peer": {"rank": 1}}\r',
    '{"type":"narrative_beat","name":"legacy_beat_1","observations":["A legacy top-level beat line"],"metadata":{"act":2},"narrative":{"description":"kept as is"}}',
    '   ',
    '{"type":"wampum_string","beads":[1,2,3],"note":"a line type nobody knows yet"}',
    '\r',
    '# COAIA Charts for default context\r',
    relationLine('peer_spacing', 'chart_q2_current_reality', 'documents') + '\r',
    '{"type":"entity","name":"chart_q2_desired_outcome","entityType":"desired_outcome","observations":["Launch the new website"],"metadata":{"chartId":"chart_q2","fourDirections":{"east":{"vision":"clarity"}}}}',
  ];
  const isBlank = (line: string) => line.trim() === '';

  /** The peer's file, written over a context Tension Desk already has open (and has written itself). */
  async function peerRewritesOpenFile() {
    const { layout, file } = coaiaLayout();
    const engine = await engineOn(layout);
    await engine.transact('default', entities({ name: 'chart_q2_current_reality', entityType: 'current_reality', observations: ['Only a mockup exists'], metadata: { chartId: 'chart_q2' } }));
    await engine.flush();
    expect(fileLines(file())).toEqual([ours]);
    peerWriteInPlace(file(), peerText(peerLines));
    return { engine, layout, file: file() };
  }

  /** The peer's file, found by Tension Desk opening the folder for the first time. */
  async function peerFileOpenedFresh() {
    const { layout, file } = coaiaLayout();
    fs.mkdirSync(layout.root, { recursive: true });
    peerWriteInPlace(file(), peerText(peerLines));
    const engine = await engineOn(layout);
    const summary = (await engine.listContexts()).find((c) => c.context === 'default');
    expect(summary?.health, JSON.stringify(summary?.findings)).toBe('ok');
    expect(summary?.entities).toBe(3);
    expect(summary?.relations).toBe(1);
    return { engine, layout, file: file() };
  }

  const setups = [
    ['a peer rewrites a file Tension Desk already has open', peerRewritesOpenFile],
    ['Tension Desk opens such a file for the first time', peerFileOpenedFresh],
  ] as const;

  async function changeOneAddOne(engine: Engine) {
    await engine.transact('default', entities(
      { name: 'chart_q2_current_reality', entityType: 'current_reality', observations: ['Designer hired'] },
      { name: 'chart_q2_action_1', entityType: 'action_step', observations: ['Write the landing page copy'], metadata: { chartId: 'chart_q2' } },
    ));
    await engine.flush();
  }

  it.each(setups)('when %s, our next rewrite keeps every line we did not change in place, byte for byte', async (_when, setup) => {
    const { engine, file } = await setup();
    await changeOneAddOne(engine);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const after = linesOf(text);
    const expected = peerLines.filter((l) => !isBlank(l));
    // Every line we did not change is where it was, byte for byte (CR included); the changed
    // record stays in its place; the new record goes at the end. Blank lines are not written back (FORMAT.md).
    expect(after).toHaveLength(expected.length + 1);
    expected.forEach((line, i) => {
      if (line === ours) {
        expect(JSON.parse(after[i] as string)).toEqual({ type: 'entity', name: 'chart_q2_current_reality', entityType: 'current_reality', observations: ['Only a mockup exists', 'Designer hired'], metadata: { chartId: 'chart_q2' } });
      } else {
        expect(after[i], `line ${i + 1}`).toBe(line);
      }
    });
    expect(JSON.parse(after[after.length - 1] as string)).toMatchObject({ type: 'entity', name: 'chart_q2_action_1' });
    const graph = await engine.read('default', (s) => readGraph(s));
    expect(graph).toEqual(graphOnDisk(file));
    expect(graph.entities.map((e) => e.name)).toEqual(['chart_q2_current_reality', 'peer_spacing', 'chart_q2_desired_outcome', 'chart_q2_action_1']);
  });

  it.each(setups)('when %s and the file is later lost, it is rebuilt from the journal byte for byte, the _aim marker still first', async (_when, setup) => {
    const { engine, layout, file } = await setup();
    await changeOneAddOne(engine);
    const rewritten = fs.readFileSync(file, 'utf8');
    await engine.close();
    fs.unlinkSync(file); // deleted by the user or a tool
    const reopened = await engineOn(layout);
    expect((await reopened.read('default', (s) => readGraph(s))).entities).toHaveLength(4);
    await reopened.flush();
    const rebuilt = fs.readFileSync(file, 'utf8');
    // mcp-knowledge-graph refuses every operation on a file whose first line is not its marker.
    expect(linesOf(rebuilt)[0]).toBe(peerLines[0]);
    expect(rebuilt).toBe(rewritten);
  });
});

describe('a peer edit that the file\'s size and time do not show', () => {
  it('a same-size edit made within the file system\'s timestamp granularity is noticed, not overwritten', async () => {
    // File systems with coarse timestamps (HFS+ and SMB shares: 1 s, FAT/exFAT: 2 s, older
    // Linux kernels: one clock tick) give a peer's rewrite in the same tick the same mtime.
    // Simulated here by setting whole-second times, as such a file system would.
    const { layout, file } = coaiaLayout();
    const engine = await engineOn(layout);
    const step = { name: 'chart_q2_action_1', entityType: 'action_step', observations: ['Write the landing page copy'], metadata: { chartId: 'chart_q2', dueDate: '2026-04-15' } };
    await engine.transact('default', entities(step));
    await engine.flush();
    const tick = Math.floor(Date.now() / 1000) - 5;
    fs.utimesSync(file(), tick, tick);
    await engine.read('default', (s) => s.size); // the engine looks at the file: same bytes, new time

    // The peer moves the due date: same size, same inode (written in place), same whole-second time.
    const before = fs.readFileSync(file(), 'utf8');
    const edited = before.replace('2026-04-15', '2026-04-18');
    expect(edited.length).toBe(before.length);
    peerWriteInPlace(file(), edited);
    fs.utimesSync(file(), tick, tick);

    const graph = await engine.read('default', (s) => readGraph(s));
    expect(graph.entities[0]?.metadata).toEqual({ chartId: 'chart_q2', dueDate: '2026-04-18' });
    await engine.transact('default', entities({ name: 'chart_q2_action_2', entityType: 'action_step', observations: ['Record the demo video'] }));
    await engine.flush();
    expect(entitiesOnDisk(file()).get(step.name)?.metadata).toEqual({ chartId: 'chart_q2', dueDate: '2026-04-18' });
  });
});

describe('the sample files of each peer, read and rewritten', () => {
  /** Non-blank lines that are not entity or relation lines: comments, markers, unknown types. */
  const otherLines = (file: string) => jsonLines(file).filter(({ raw, value }) => raw.trim() !== '' && value?.type !== 'entity' && value?.type !== 'relation').map(({ raw }) => raw);

  /**
   * Opens the context, checks that every entity and relation is there (against an independent
   * reading of the file) and nothing is reported damaged, makes one change, rewrites, and
   * checks that every other line is byte for byte what it was.
   */
  async function readChangeRewrite(layout: DataLayout, context: string, change: EntityInput) {
    const file = contextPaths(layout, context).file;
    const before = fileLines(file).filter((l) => l.trim() !== '');
    const independent = graphOnDisk(file);
    const unknown = otherLines(file);

    const engine = await engineOn(layout);
    const graph = await engine.read(context, (state) => readGraph(state));
    expect(graph).toEqual(independent);
    const opaque = await engine.read(context, (state) => [...state.values()].filter((r) => r.kind === 'line').map((r) => r.raw));
    expect(opaque).toEqual(unknown);
    const summary = (await engine.listContexts()).find((c) => c.context === context);
    expect(summary?.health, JSON.stringify(summary?.findings)).toBe('ok');

    await engine.transact(context, (state) => setEntity(state, change));
    await engine.flush();
    const after = fileLines(file);
    expect(fs.readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
    const existed = independent.entities.some((e) => e.name === change.name);
    expect(after).toHaveLength(before.length + (existed ? 0 : 1));
    const afterJson = jsonLines(file);
    before.forEach((line, i) => {
      const value = afterJson[i]?.value;
      if (value?.type === 'entity' && value.name === change.name) {
        expect(value.observations).toEqual(expect.arrayContaining([...(change.observations ?? [])]));
      } else {
        expect(after[i], `line ${i + 1}`).toBe(line);
      }
    });
    if (!existed) expect(JSON.parse(after[after.length - 1] as string)).toMatchObject({ type: 'entity', name: change.name });
    const rewritten = await engine.read(context, (state) => readGraph(state));
    expect(rewritten).toEqual(graphOnDisk(file));
    expect(rewritten.entities).toHaveLength(independent.entities.length + (existed ? 0 : 1));
    expect(rewritten.relations).toEqual(independent.relations);
    return { engine, graph };
  }

  it('a coaia-spiral project folder (.coaia with a comment line per context, no final newline)', async () => {
    const project = tempDir('tension-spiral-');
    copySample('coaia-spiral/.coaia', project);
    const layout = resolveLayout({ data: path.join(project, '.coaia') });
    const { engine, graph } = await readChangeRewrite(layout, 'work', {
      name: 'chart_work_q4_action1',
      entityType: 'action_step',
      observations: [],
      metadata: { completionStatus: true, updatedAt: '2025-10-30T12:00:00.000Z' },
    });
    expect(graph.entities.map((e) => e.name)).toEqual([
      'chart_work_q4_chart',
      'chart_work_q4_desired_outcome',
      'chart_work_q4_current_reality',
      'chart_work_q4_action1',
      'chart_work_q4_action2',
    ]);
    expect(graph.relations).toHaveLength(3);
    expect(engine.listContextNames()).toEqual(['default', 'personal', 'work']);
    expect(await engine.read('default', (s) => s.size)).toBe(0);
    expect(await engine.read('personal', (s) => readGraph(s))).toEqual({ entities: [], relations: [] });
    await engine.close();
    // The context with only its comment line keeps it when a record is added.
    await readChangeRewrite(layout, 'personal', { name: 'chart_personal_run_chart', entityType: 'structural_tension_chart', observations: ['Run a half marathon'], metadata: { chartId: 'chart_personal_run' } });
    expect(fileLines(path.join(project, '.coaia', 'charts-personal.jsonl'))[0]).toBe('# COAIA Charts for personal context');
  });

  it('a coaia-narrative memory file, opened with --memory-path (telescoped chart, deep metadata, a legacy narrative_beat line)', async () => {
    const dir = tempDir('tension-narrative-');
    const file = copySample('coaia-narrative-memory.jsonl', dir);
    const layout = resolveLayout({ memoryPath: file });
    expect(contextPaths(layout, 'default').file).toBe(file);
    const { graph } = await readChangeRewrite(layout, 'default', {
      name: 'chart_1771269081608_action_2',
      entityType: 'action_step',
      observations: ['Chapter three drafted'],
    });
    expect(graph.entities).toHaveLength(9);
    expect(graph.relations).toHaveLength(6);
    const sub = graph.entities.find((e) => e.name === 'chart_1771300000000_chart');
    expect(sub?.metadata).toMatchObject({ parentChart: 'chart_1771269081608', parentActionStep: 'chart_1771269081608_action_2', level: 1 });
    const beat = graph.entities.find((e) => e.entityType === 'narrative_beat');
    expect(beat?.metadata).toMatchObject({ narrative: { lessons: ['Start small'] }, universes: ['ceremony-world', 'engineer-world'] });
    // The legacy top-level line keeps its type: it is not turned into an entity.
    expect(graph.entities.some((e) => e.name === 'legacy_beat_1')).toBe(false);
    expect(fileLines(file).filter((l) => l.startsWith('{"type":"narrative_beat"'))).toHaveLength(1);
  });

  it('a file the reference server wrote (no metadata, no final newline)', async () => {
    const dir = tempDir('tension-reference-');
    const file = copySample('reference-server-memory.jsonl', dir, 'memory.jsonl');
    const { graph } = await readChangeRewrite(resolveLayout({ memoryPath: file }), 'default', { name: 'Alice', entityType: 'person', observations: ['Moved to Berlin'] });
    expect(graph).toEqual({
      entities: [
        { name: 'Alice', entityType: 'person', observations: ['Prefers morning meetings'] },
        { name: 'Project Atlas', entityType: 'project', observations: ['Started in March'] },
      ],
      relations: [{ from: 'Alice', to: 'Project Atlas', relationType: 'leads' }],
    });
  });

  it('an mcp-knowledge-graph context file (memory-<ctx>.jsonl with the _aim marker first)', async () => {
    const aim = path.join(tempDir('tension-aim-'), '.aim');
    fs.mkdirSync(aim);
    copySample('mcp-knowledge-graph-memory-personal.jsonl', aim, 'memory-personal.jsonl');
    const layout = resolveLayout({ memoryPath: path.join(aim, 'memory.jsonl') });
    const { engine, graph } = await readChangeRewrite(layout, 'personal', { name: 'tea_preference', entityType: 'preference', observations: ['Green tea after lunch'] });
    expect(graph.entities.map((e) => e.name)).toEqual(['coffee_preference']);
    expect(fileLines(path.join(aim, 'memory-personal.jsonl'))[0]).toBe('{"type":"_aim","source":"mcp-knowledge-graph"}');
    expect(engine.listContextNames()).toEqual(['personal']);
    expect(fs.existsSync(path.join(aim, 'memory.jsonl'))).toBe(false);
  });
});
