// Interoperability with the REAL reference server `@modelcontextprotocol/server-memory`
// (node_modules, spoken to over its stdio JSON-RPC protocol). The server re-reads the file on
// every call and rewrites it whole on every change, without metadata and without a final
// newline (PEERS.md failure 3): Tension Desk must read what it writes, be readable by it, and
// lose nothing of the user's when it rewrites the file between our writes.
import { closeAfterEachTest, tracked, trackedEngine } from '../helpers/tracked.ts';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tempRoot.ts';
import { resolveLayout, contextPaths, type DataLayout } from '../../electron/core/dataRoot.ts';
import type { PendingChanges } from '../../electron/core/contextStore.ts';
import type { RecordSet } from '../../electron/core/recordSet.ts';
import { addRelation, readGraph, setEntity, type EntityInput, type Graph, type RelationInput } from '../../electron/core/knowledgeGraph.ts';
import { MemoryServer } from './memoryServerClient.ts';
import { copySample, entitiesOnDisk, entityHistory, fileLines, graphOnDisk, relationHistory, relationsOnDisk } from './peerFiles.ts';

const CTX = 'default';
closeAfterEachTest();
const engineOn = (layout: DataLayout) => trackedEngine(layout);
const serverOn = async (file: string) => tracked(await MemoryServer.start(file));

/** Several entities and relations in one transaction. */
function writes(entities: EntityInput[], relations: RelationInput[] = []) {
  return (state: RecordSet): PendingChanges => {
    const puts = [...entities.map((e) => setEntity(state, e).puts), ...relations.map((r) => addRelation(state, r).puts)].flat();
    return { puts, deletes: [] };
  };
}

/** A structural tension chart as Tension Desk writes it: three entities and two relations, all with metadata. */
function chart(id: string, outcome: string, reality: string): { entities: EntityInput[]; relations: RelationInput[] } {
  const created = '2026-03-01T09:00:00.000Z';
  return {
    entities: [
      { name: `${id}_chart`, entityType: 'structural_tension_chart', observations: [`Chart ${id}`], metadata: { chartId: id, level: 0, dueDate: '2026-06-30', createdAt: created } },
      { name: `${id}_desired_outcome`, entityType: 'desired_outcome', observations: [outcome], metadata: { chartId: id, dueDate: '2026-06-30' } },
      { name: `${id}_current_reality`, entityType: 'current_reality', observations: [reality], metadata: { chartId: id, createdAt: created } },
    ],
    relations: [
      { from: `${id}_chart`, to: `${id}_desired_outcome`, relationType: 'contains', metadata: { createdAt: created } },
      { from: `${id}_current_reality`, to: `${id}_desired_outcome`, relationType: 'creates_tension_with', metadata: { createdAt: created } },
    ],
  };
}

/** What the reference server shows of our graph: no metadata. */
function withoutMetadata(graph: Graph) {
  return {
    entities: graph.entities.map(({ name, entityType, observations }) => ({ name, entityType, observations })),
    relations: graph.relations.map(({ from, to, relationType }) => ({ from, to, relationType })),
  };
}

function memoryLayout(): { layout: DataLayout; file: string } {
  const file = path.join(tempDir('tension-refserver-'), 'memory.jsonl');
  const layout = resolveLayout({ memoryPath: file });
  expect(contextPaths(layout, CTX).file).toBe(file);
  return { layout, file };
}

describe('the reference MCP memory server and Tension Desk share one file', () => {
  it('speaks to the real server: it offers the knowledge-graph tools the tests use', async () => {
    const { file } = memoryLayout();
    const server = await serverOn(file);
    const tools = await server.listTools();
    for (const tool of ['create_entities', 'add_observations', 'create_relations', 'delete_entities', 'read_graph', 'search_nodes']) expect(tools).toContain(tool);
  });

  it('a chart file Tension Desk wrote is read by the server: read_graph returns our entities and relations', async () => {
    const { layout, file } = memoryLayout();
    const engine = await engineOn(layout);
    const a = chart('chart_q2', 'Launch the new website', 'Only a mockup exists');
    const b = chart('chart_1771269081608', 'Publish the evaluation guide', 'Draft exists in notes');
    await engine.transact(CTX, writes([...a.entities, ...b.entities], [...a.relations, ...b.relations]));
    await engine.flush();

    const ours = await engine.read(CTX, (state) => readGraph(state));
    expect(ours.entities).toHaveLength(6);
    expect(ours.relations).toHaveLength(4);
    // Our file: one JSON object per line, a final newline, no line of our own making.
    const text = fs.readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(fileLines(file).every((line) => line.startsWith('{'))).toBe(true);

    const server = await serverOn(file);
    expect(await server.readGraph()).toEqual(withoutMetadata(ours));
    const found = await server.searchNodes('evaluation guide');
    expect(found.entities.map((e) => e.name)).toEqual(['chart_1771269081608_desired_outcome']);
    expect(found.relations).toEqual([
      { from: 'chart_1771269081608_chart', to: 'chart_1771269081608_desired_outcome', relationType: 'contains' },
      { from: 'chart_1771269081608_current_reality', to: 'chart_1771269081608_desired_outcome', relationType: 'creates_tension_with' },
    ]);
  });

  it('a "#" comment line a coaia peer put in the file is kept by our rewrite, though the server itself cannot read a file with one', async () => {
    const { layout, file } = memoryLayout();
    fs.writeFileSync(file, '# COAIA Charts for default context\n');
    const engine = await engineOn(layout);
    const a = chart('chart_q2', 'Launch the new website', 'Only a mockup exists');
    await engine.transact(CTX, writes(a.entities, a.relations));
    await engine.flush();

    const lines = fileLines(file);
    expect(lines[0]).toBe('# COAIA Charts for default context');
    expect(lines.filter((l) => l.startsWith('#'))).toHaveLength(1);
    expect(lines).toHaveLength(6);

    // The reference server JSON.parses every non-blank line: a comment fails every call
    // (PEERS.md failure 2). This is the server's limitation; Tension Desk keeps the line.
    const server = await serverOn(file);
    const result = await server.callRaw('read_graph');
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toMatch(/not valid JSON/);
    // Without the comment lines, the same file is read whole.
    fs.writeFileSync(file, `${lines.filter((l) => !l.startsWith('#')).join('\n')}\n`);
    const ours = await engine.read(CTX, (state) => readGraph(state));
    expect(await server.readGraph()).toEqual(withoutMetadata(ours));
  });

  it('a file the server wrote opens in Tension Desk with nothing lost, and our rewrite keeps every line the server wrote', async () => {
    const { layout, file } = memoryLayout();
    const server = await serverOn(file);
    await server.createEntities([
      { name: 'Alice', entityType: 'person', observations: ['Prefers morning meetings'] },
      { name: 'Project Atlas', entityType: 'project', observations: ['Started in March'] },
      { name: 'Bob', entityType: 'person', observations: [] },
      { name: 'Ünïcode ✓ "quoted"', entityType: 'concept', observations: ['line\nbreak inside', 'tab\there'] },
    ]);
    await server.createRelations([
      { from: 'Alice', to: 'Project Atlas', relationType: 'leads' },
      { from: 'Bob', to: 'Alice', relationType: 'reports_to' },
    ]);
    await server.addObservations([{ entityName: 'Project Atlas', contents: ['Budget approved'] }]);
    const theirs = await server.readGraph();
    const serverBytes = fs.readFileSync(file, 'utf8');
    expect(serverBytes.endsWith('\n')).toBe(false); // the server's style: no final newline

    const engine = await engineOn(layout);
    expect(await engine.read(CTX, (state) => readGraph(state))).toEqual(theirs);

    // One change of ours, then a rewrite: every line the server wrote is still there, byte for byte.
    await engine.transact(CTX, (state) => setEntity(state, { name: 'Carol', entityType: 'person', observations: ['Joined in May'], metadata: { createdAt: '2026-05-02T10:00:00.000Z' } }));
    await engine.flush();
    const after = fileLines(file);
    const before = serverBytes.split('\n');
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after).toHaveLength(before.length + 1);
    const graphAfter = await server.readGraph();
    expect(graphAfter.entities).toEqual([...theirs.entities, { name: 'Carol', entityType: 'person', observations: ['Joined in May'] }]);
    expect(graphAfter.relations).toEqual(theirs.relations);
  });

  it('the server rewriting the whole file between our writes (dropping metadata) costs nothing: both sides\' changes are kept, with our metadata', async () => {
    const { layout, file } = memoryLayout();
    const engine = await engineOn(layout);
    const q2 = chart('chart_q2', 'Launch the new website', 'Only a mockup exists');
    await engine.transact(CTX, writes(q2.entities, q2.relations));
    await engine.flush();
    const ourMetadata = new Map([...entitiesOnDisk(file)].map(([name, e]) => [name, e.metadata]));
    const ourRelationMetadata = new Map([...relationsOnDisk(file)].map(([key, r]) => [key, r.metadata]));
    expect(ourMetadata.size).toBe(3);

    // The assistant, through the reference server, adds to the chart and creates a note.
    const server = await serverOn(file);
    await server.addObservations([{ entityName: 'chart_q2_current_reality', contents: ['Designer hired'] }]);
    await server.createEntities([{ name: 'meeting_notes_march', entityType: 'note', observations: ['Agreed on the launch date'] }]);
    await server.createRelations([{ from: 'meeting_notes_march', to: 'chart_q2_chart', relationType: 'documents' }]);
    // What the server left on disk: no metadata anywhere.
    expect([...entitiesOnDisk(file).values()].some((e) => 'metadata' in e)).toBe(false);

    // Our next commit (an action step) and rewrite.
    await engine.transact(
      CTX,
      writes(
        [{ name: 'chart_q2_action_1', entityType: 'action_step', observations: ['Write the landing page copy'], metadata: { chartId: 'chart_q2', dueDate: '2026-04-15', completionStatus: false } }],
        [{ from: 'chart_q2_action_1', to: 'chart_q2_desired_outcome', relationType: 'advances_toward', metadata: { createdAt: '2026-03-02T09:00:00.000Z' } }],
      ),
    );
    // The server changes the file again while our commit is not yet written to it.
    await server.addObservations([{ entityName: 'chart_q2_desired_outcome', contents: ['Launch before the conference'] }]);
    await engine.flush();

    const entities = entitiesOnDisk(file);
    for (const [name, metadata] of ourMetadata) expect(entities.get(name)?.metadata, name).toEqual(metadata);
    const relations = relationsOnDisk(file);
    for (const [key, metadata] of ourRelationMetadata) expect(relations.get(key)?.metadata, key).toEqual(metadata);
    expect(entities.get('chart_q2_current_reality')?.observations).toEqual(['Only a mockup exists', 'Designer hired']);
    expect(entities.get('chart_q2_desired_outcome')?.observations).toEqual(['Launch the new website', 'Launch before the conference']);
    expect(entities.get('meeting_notes_march')).toEqual({ type: 'entity', name: 'meeting_notes_march', entityType: 'note', observations: ['Agreed on the launch date'] });
    expect(entities.get('chart_q2_action_1')?.metadata).toEqual({ chartId: 'chart_q2', dueDate: '2026-04-15', completionStatus: false });
    expect(relations.has('meeting_notes_march|documents|chart_q2_chart')).toBe(true);
    expect(relations.get('chart_q2_action_1|advances_toward|chart_q2_desired_outcome')?.metadata).toEqual({ createdAt: '2026-03-02T09:00:00.000Z' });
    expect(fs.readFileSync(file, 'utf8').endsWith('\n')).toBe(true);

    // The engine's graph is the file's graph; the server sees both sides' work too.
    const graph = await engine.read(CTX, (state) => readGraph(state));
    expect(graph).toEqual(graphOnDisk(file));
    expect(await server.readGraph()).toEqual(withoutMetadata(graph));

    // The journal tells whose change it was: the server's additions are 'external'.
    const reality = entityHistory(layout, CTX, 'chart_q2_current_reality');
    const theirChange = reality.find((v) => v.origin === 'external' && (v.value?.observations as string[] | undefined)?.includes('Designer hired'));
    expect(theirChange, JSON.stringify(reality)).toBeDefined();
    expect(theirChange?.value?.metadata).toEqual(ourMetadata.get('chart_q2_current_reality'));
    expect(reality[0]?.origin).toBe('app');
    expect(entityHistory(layout, CTX, 'meeting_notes_march').map((v) => v.origin)).toEqual(['external']);
    expect(relationHistory(layout, CTX, 'meeting_notes_march', 'chart_q2_chart', 'documents').map((v) => v.origin)).toEqual(['external']);
    expect(entityHistory(layout, CTX, 'chart_q2_desired_outcome').some((v) => v.origin === 'external' && (v.value?.observations as string[]).includes('Launch before the conference'))).toBe(true);
  });

  it('an entity the server deletes between our writes stays deleted (not resurrected), and the deletion is in its history', async () => {
    const { layout, file } = memoryLayout();
    const engine = await engineOn(layout);
    const q2 = chart('chart_q2', 'Launch the new website', 'Only a mockup exists');
    await engine.transact(
      CTX,
      writes(
        [...q2.entities, { name: 'old_idea', entityType: 'concept', observations: ['Maybe a podcast'], metadata: { createdAt: '2026-01-01T00:00:00.000Z' } }],
        [...q2.relations, { from: 'old_idea', to: 'chart_q2_chart', relationType: 'relates_to', metadata: { createdAt: '2026-01-01T00:00:00.000Z' } }],
      ),
    );
    await engine.flush();

    const server = await serverOn(file);
    await server.deleteEntities(['old_idea']);
    expect(entitiesOnDisk(file).has('old_idea')).toBe(false);

    await engine.transact(CTX, (state) => setEntity(state, { name: 'chart_q2_current_reality', entityType: 'current_reality', observations: ['Designer hired'] }));
    await engine.flush();

    expect(entitiesOnDisk(file).has('old_idea')).toBe(false);
    expect(relationsOnDisk(file).has('old_idea|relates_to|chart_q2_chart')).toBe(false);
    const graph = await engine.read(CTX, (state) => readGraph(state));
    expect(graph.entities.map((e) => e.name)).not.toContain('old_idea');
    expect(graph.relations.filter((r) => r.from === 'old_idea' || r.to === 'old_idea')).toEqual([]);
    expect(graph.entities).toHaveLength(3);
    expect(entitiesOnDisk(file).get('chart_q2_current_reality')?.metadata).toEqual({ chartId: 'chart_q2', createdAt: '2026-03-01T09:00:00.000Z' });
    expect((await server.readGraph()).entities.map((e) => e.name)).not.toContain('old_idea');

    const history = entityHistory(layout, CTX, 'old_idea');
    expect(history.map((v) => [v.origin, v.action])).toEqual([
      ['app', 'set'],
      ['external', 'delete'],
    ]);
    expect(relationHistory(layout, CTX, 'old_idea', 'chart_q2_chart', 'relates_to').map((v) => [v.origin, v.action])).toEqual([
      ['app', 'set'],
      ['external', 'delete'],
    ]);

    // Reopened later, it is still gone.
    await engine.close();
    const again = await engineOn(layout);
    expect((await again.read(CTX, (state) => readGraph(state))).entities.map((e) => e.name)).not.toContain('old_idea');
  });

  it('an observation the server removes between our writes stays removed', async () => {
    const { layout, file } = memoryLayout();
    const engine = await engineOn(layout);
    const q2 = chart('chart_q2', 'Launch the new website', 'Only a mockup exists');
    q2.entities[2] = { ...(q2.entities[2] as EntityInput), observations: ['Only a mockup exists', 'No designer yet'] };
    await engine.transact(CTX, writes(q2.entities, q2.relations));
    await engine.flush();

    const server = await serverOn(file);
    await server.deleteObservations([{ entityName: 'chart_q2_current_reality', observations: ['No designer yet'] }]);

    await engine.transact(CTX, (state) => setEntity(state, { name: 'chart_q2_desired_outcome', entityType: 'desired_outcome', observations: ['Launch before the conference'] }));
    await engine.flush();
    const reality = entitiesOnDisk(file).get('chart_q2_current_reality');
    expect(reality?.observations).toEqual(['Only a mockup exists']);
    expect(reality?.metadata).toEqual({ chartId: 'chart_q2', createdAt: '2026-03-01T09:00:00.000Z' });
    expect((await server.readGraph()).entities.find((e) => e.name === 'chart_q2_current_reality')?.observations).toEqual(['Only a mockup exists']);
  });

  it('the server deleting the last entity of a file without metadata (its own kind of file) is honoured too', async () => {
    // The reference server's own file: Alice, Project Atlas, a relation; no metadata, no final newline.
    const dir = tempDir('tension-refserver-');
    const file = copySample('reference-server-memory.jsonl', dir, 'memory.jsonl');
    // Written by the server a while ago (a deletion within a second of another program's version
    // may be a race between two writers, and is kept: see fileVersions.ts raceWindowMs).
    const aMinuteAgo = new Date(Date.now() - 60_000);
    fs.utimesSync(file, aMinuteAgo, aMinuteAgo);
    const layout = resolveLayout({ memoryPath: file });
    const engine = await engineOn(layout);
    expect((await engine.read(CTX, (state) => readGraph(state))).entities.map((e) => e.name)).toEqual(['Alice', 'Project Atlas']);

    const server = await serverOn(file);
    await server.deleteEntities(['Project Atlas']); // and with it the relation Alice -leads-> Project Atlas
    expect(fileLines(file)).toEqual(['{"type":"entity","name":"Alice","entityType":"person","observations":["Prefers morning meetings"]}']);

    await engine.transact(CTX, (state) => setEntity(state, { name: 'Alice', entityType: 'person', observations: ['Moved to the Berlin office'] }));
    await engine.flush();

    const graph = await engine.read(CTX, (state) => readGraph(state));
    expect(graph.entities.map((e) => e.name)).toEqual(['Alice']);
    expect(graph.relations).toEqual([]);
    expect([...entitiesOnDisk(file).keys()]).toEqual(['Alice']);
    expect(relationsOnDisk(file).size).toBe(0);
    expect((await server.readGraph()).entities.map((e) => e.name)).toEqual(['Alice']);
    expect(entityHistory(layout, CTX, 'Project Atlas').map((v) => [v.origin, v.action])).toEqual([
      ['external', 'set'],
      ['external', 'delete'],
    ]);
  });

  it('the server deleting the last entity right after our own rewrite (with its final newline) is honoured', async () => {
    const { layout, file } = memoryLayout();
    const engine = await engineOn(layout);
    await engine.transact(
      CTX,
      writes([
        { name: 'Alice', entityType: 'person', observations: ['Prefers morning meetings'] },
        { name: 'Scratch', entityType: 'note', observations: ['temporary'] },
      ]),
    );
    await engine.flush();
    const server = await serverOn(file);
    await server.deleteEntities(['Scratch']);

    const graph = await engine.read(CTX, (state) => readGraph(state));
    expect(graph.entities.map((e) => e.name)).toEqual(['Alice']);
    await engine.flush();
    expect([...entitiesOnDisk(file).keys()]).toEqual(['Alice']);
  });
});
