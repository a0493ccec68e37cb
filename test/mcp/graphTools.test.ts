// The reference server's knowledge-graph tools, end to end through the real `tension mcp`
// process: what each does to the file, that every write is journaled with origin mcp and the
// client's name, that bad input changes nothing at all, and that the real reference server reads
// what ours wrote (and its metadata-dropping rewrite does not cost ours).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, removeTempDirs } from '../helpers/tempRoot.ts';
import { runCli } from '../helpers/runCli.ts';
import { MemoryServer } from '../peers/memoryServerClient.ts';
import { eventually, startTensionMcp, ToolFailure, type McpConnection } from './mcpClients.ts';

let server: McpConnection;
let data: string;

beforeAll(async () => {
  data = path.join(tempDir(), '.coaia');
  server = await startTensionMcp(['--data', data]);
}, 60_000);

afterAll(async () => {
  await server?.close();
  removeTempDirs();
});

const fileOf = (context: string) => path.join(data, `charts-${context}.jsonl`);
const journalOf = (context: string) => path.join(data, '.history', `charts-${context}.journal.jsonl`);
const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0));
const fileLines = (context: string) => read(fileOf(context)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const journalEntries = (context: string) =>
  read(journalOf(context))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { kind: string; origin?: string; note?: string });
const commits = (context: string) => journalEntries(context).filter((e) => e.kind === 'commit');

async function expectRefused(promise: Promise<unknown>, text: string | RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ToolFailure);
  expect((error as ToolFailure).text).toMatch(text);
}

describe('the knowledge-graph tools, end to end', () => {
  it('create_entities adds what is new, leaves what exists, and a retry changes nothing', async () => {
    const context = 'entities';
    const first = await server.call<{ entities: { name: string }[] }>('create_entities', {
      context,
      entities: [
        { name: 'Ana', entityType: 'person', observations: ['Leads billing'] },
        { name: 'Billing', entityType: 'project', observations: [] },
      ],
    });
    expect(first.entities.map((e) => e.name)).toEqual(['Ana', 'Billing']);
    const again = await server.call<{ entities: unknown[] }>('create_entities', { context, entities: [{ name: 'Ana', entityType: 'person', observations: ['Something else'] }] });
    expect(again.entities).toEqual([]);
    await eventually(() => fileLines(context).length === 2, 'the context file rewritten');
    expect(fileLines(context)).toEqual([
      { type: 'entity', name: 'Ana', entityType: 'person', observations: ['Leads billing'] },
      { type: 'entity', name: 'Billing', entityType: 'project', observations: [] },
    ]);
  });

  it('relations and observations are added and deleted; deleting an entity takes the relations touching it', async () => {
    const context = 'graph';
    await server.call('create_entities', { context, entities: ['A', 'B', 'C'].map((name) => ({ name, entityType: 'thing', observations: [] })) });
    const relations = await server.call<{ relations: unknown[] }>('create_relations', {
      context,
      relations: [
        { from: 'A', to: 'B', relationType: 'depends_on' },
        { from: 'B', to: 'C', relationType: 'depends_on' },
        { from: 'A', to: 'B', relationType: 'depends_on' },
      ],
    });
    expect(relations.relations).toHaveLength(2);
    const added = await server.call('add_observations', {
      context,
      observations: [
        { entityName: 'A', contents: ['one', 'two'] },
        { entityName: 'A', contents: ['two', 'three'] },
        { entityName: 'B', contents: ['four'] },
      ],
    });
    expect(added).toEqual({ results: [{ entityName: 'A', addedObservations: ['one', 'two', 'three'] }, { entityName: 'B', addedObservations: ['four'] }] });
    await server.call('delete_observations', { context, deletions: [{ entityName: 'A', observations: ['two', 'not there'] }, { entityName: 'nobody', observations: ['x'] }] });
    await server.call('delete_relations', { context, relations: [{ from: 'B', to: 'C', relationType: 'depends_on' }, { from: 'X', to: 'Y', relationType: 'none' }] });
    const graph = await server.call<{ entities: { name: string; observations: string[] }[]; relations: unknown[] }>('read_graph', { context });
    expect(graph.entities.find((e) => e.name === 'A')?.observations).toEqual(['one', 'three']);
    expect(graph.relations).toEqual([{ from: 'A', to: 'B', relationType: 'depends_on' }]);
    // A name given twice is one entity deleted (and one not found, named once).
    const deleted = await server.call<{ success: boolean; message: string }>('delete_entities', { context, entityNames: ['A', 'ghost', 'A', 'ghost'] });
    expect(deleted).toMatchObject({ success: true, message: 'Deleted 1 entities; not found: ghost' });
    const after = await server.call<{ entities: { name: string }[]; relations: unknown[] }>('read_graph', { context });
    expect(after.entities.map((e) => e.name)).toEqual(['B', 'C']);
    expect(after.relations).toEqual([]);
  });

  it('search_nodes and open_nodes answer as the reference server does, with metadata', async () => {
    const context = 'search';
    expect(runCli(['entity', 'set', '--data', data, '--context', context, '--name', 'chart_q4_chart', '--type', 'structural_tension_chart', '--obs', 'Q4 plan', '--meta', '{"chartId":"chart_q4","dueDate":"2026-12-31"}']).status).toBe(0);
    await server.call('create_entities', { context, entities: [{ name: 'Invoices', entityType: 'task', observations: ['Automate the INVOICE run'] }, { name: 'Garden', entityType: 'hobby', observations: ['Plant beans'] }] });
    await server.call('create_relations', { context, relations: [{ from: 'chart_q4_chart', to: 'Invoices', relationType: 'contains' }] });
    const found = await server.call<{ entities: { name: string }[]; relations: unknown[] }>('search_nodes', { context, query: 'invoice' });
    expect(found.entities.map((e) => e.name)).toEqual(['Invoices']);
    expect(found.relations).toEqual([{ from: 'chart_q4_chart', to: 'Invoices', relationType: 'contains' }]);
    const opened = await server.call<{ entities: Record<string, unknown>[]; relations: unknown[] }>('open_nodes', { context, names: ['chart_q4_chart', 'missing'] });
    expect(opened.entities).toEqual([{ name: 'chart_q4_chart', entityType: 'structural_tension_chart', observations: ['Q4 plan'], metadata: { chartId: 'chart_q4', dueDate: '2026-12-31' } }]);
    expect(opened.relations).toHaveLength(1);
    // Our change to an entity keeps the metadata someone else gave it.
    await server.call('add_observations', { context, observations: [{ entityName: 'chart_q4_chart', contents: ['Reviewed'] }] });
    await eventually(() => fileLines(context).some((l) => l.name === 'chart_q4_chart' && (l.observations as string[]).includes('Reviewed')), 'the rewrite');
    expect(fileLines(context).find((l) => l.name === 'chart_q4_chart')?.metadata).toEqual({ chartId: 'chart_q4', dueDate: '2026-12-31' });
  });

  it('every write is journaled with origin mcp and the client\'s name from the handshake', async () => {
    const context = 'journaled';
    await server.call('create_entities', { context, entities: [{ name: 'N', entityType: 't', observations: [] }] });
    await server.call('add_observations', { context, observations: [{ entityName: 'N', contents: ['x'] }] });
    await server.call('delete_entities', { context, entityNames: ['N'] });
    expect(commits(context).map((c) => [c.origin, c.note])).toEqual([
      ['mcp', 'MCP client tension-test-assistant 1.2.3'],
      ['mcp', 'MCP client tension-test-assistant 1.2.3'],
      ['mcp', 'MCP client tension-test-assistant 1.2.3'],
    ]);
  });

  it('a read of a context that is not there answers as for an empty one, and says so; a context that is there, or the default, says nothing more', async () => {
    await server.call('create_entities', { context: 'named', entities: [{ name: 'Here', entityType: 'thing', observations: [] }] });
    const texts = async (args: Record<string, unknown>) => (await server.callRaw('read_graph', args)).content.map((c) => (c.type === 'text' ? c.text : ''));
    const mistyped = await texts({ context: 'nmaed' });
    expect(JSON.parse(mistyped[0] as string)).toEqual({ entities: [], relations: [] });
    expect(mistyped[1]).toBe('Note: there is no context "nmaed" in this data folder (a mistyped name? list_contexts lists them); the answer is as for an empty context.');
    expect(await texts({ context: 'named' })).toHaveLength(1);
    expect(await texts({})).toHaveLength(1);
    // Nothing was made for the mistyped name.
    expect(fs.existsSync(fileOf('nmaed')) || fs.existsSync(journalOf('nmaed'))).toBe(false);
  });

  it('bad input is a tool error saying why, and the file and its journal stay byte for byte as they were', async () => {
    const context = 'untouched';
    await server.call('create_entities', { context, entities: [{ name: 'Kept', entityType: 't', observations: ['as it was'] }] });
    await eventually(() => fileLines(context).length === 1, 'the rewrite');
    // The rewrite renames the file first and then appends its snapshot line to the journal:
    // the journal is settled once its last line is that snapshot.
    await eventually(() => journalEntries(context).at(-1)?.kind === 'snapshot', 'the snapshot line after the rewrite');
    const before = { file: read(fileOf(context)), journal: read(journalOf(context)) };
    await expectRefused(server.call('create_entities', { context, entities: [{ name: 'Fine', entityType: 't', observations: [] }, { name: '  ', entityType: 't', observations: [] }] }), /BAD_INPUT: name is required.*Nothing was changed/);
    await expectRefused(server.call('add_observations', { context, observations: [{ entityName: 'Kept', contents: ['new'] }, { entityName: 'Missing', contents: ['x'] }] }), /NOT_FOUND: No entity named "Missing"/);
    await expectRefused(server.call('create_entities', { context, entities: [{ name: 'Typed', entityType: 't', observations: 'not a list' }] }), /expected array.*entities/s);
    await expectRefused(server.call('create_relations', { context, relations: [{ from: 'a', to: 'b', type: 'x' }] }), /Unknown field "type"/);
    await expectRefused(server.call('create_entities', { context: '../outside', entities: [{ name: 'X', entityType: 't', observations: [] }] }), /Invalid context name/);
    // add_observations takes an observation as create_entities does (it stored these).
    for (const text of ['', '   ', 'a\u0000b', 'x'.repeat(100_001)]) {
      await expectRefused(server.call('add_observations', { context, observations: [{ entityName: 'Kept', contents: ['fine', text] }] }), /BAD_INPUT: observations\[0\]\.contents\[1\]/);
    }
    await new Promise((resolve) => setTimeout(resolve, 400)); // longer than the rewrite delay
    expect(read(fileOf(context)).equals(before.file)).toBe(true);
    expect(read(journalOf(context)).equals(before.journal)).toBe(true);
    expect(fs.existsSync(path.join(data, '..', 'outside.jsonl'))).toBe(false);
  });

  it('add_observations and delete_observations keep the rest of the line as another program wrote it, numbers too', async () => {
    const context = 'numbers';
    const exact = '"extra":{"k":1.0},"metadata":{"big":12345678901234567890,"exp":1e3}';
    fs.writeFileSync(fileOf(context), `{"type":"entity","name":"A","entityType":"t","observations":["a"],${exact}}\n{"type":"entity","name":"B","entityType":"t","observations":["b","gone"],${exact}}\n`);
    await server.call('add_observations', { context, observations: [{ entityName: 'A', contents: ['more'] }] });
    await server.call('delete_observations', { context, deletions: [{ entityName: 'B', observations: ['gone'] }] });
    await eventually(() => read(fileOf(context)).toString('utf8').includes('"more"') && !read(fileOf(context)).toString('utf8').includes('"gone"'), 'the rewrite');
    const lines = read(fileOf(context)).toString('utf8').split('\n');
    expect(lines[0]).toBe(`{"type":"entity","name":"A","entityType":"t","observations":["a","more"],${exact}}`);
    expect(lines[1]).toBe(`{"type":"entity","name":"B","entityType":"t","observations":["b"],${exact}}`);
  });

  it('while the assistant is quiet, a record a peer\'s late rewrite dropped is put back in the file', async () => {
    const context = 'quiet';
    await server.call('create_entities', { context, entities: [{ name: 'Early', entityType: 'note', observations: [] }] });
    await eventually(() => fileLines(context).length === 1, 'the rewrite');
    const seenByPeer = read(fileOf(context));
    await server.call('create_entities', { context, entities: [{ name: 'Late', entityType: 'note', observations: [] }] });
    await eventually(() => fileLines(context).length === 2, 'the rewrite');
    // A peer that read the file before our last write renames its version over ours: ours is missing from it.
    const peerVersion = `${seenByPeer.toString('utf8')}{"type":"entity","name":"Peer","entityType":"note","observations":[]}`;
    fs.writeFileSync(`${fileOf(context)}.peer-tmp`, peerVersion);
    fs.renameSync(`${fileOf(context)}.peer-tmp`, fileOf(context));
    await eventually(() => fileLines(context).map((l) => l.name).sort().join() === 'Early,Late,Peer', 'the dropped record back in the file', 8_000);
  });

  it('the real reference server reads what ours wrote, and its rewrite (which drops metadata) does not cost ours', async () => {
    const context = 'peer';
    expect(runCli(['entity', 'set', '--data', data, '--context', context, '--name', 'Meta', '--type', 'note', '--obs', 'with metadata', '--meta', '{"phase":"germination"}']).status).toBe(0);
    await server.call('create_entities', { context, entities: [{ name: 'Ours', entityType: 'note', observations: ['from tension mcp'] }] });
    await server.call('create_relations', { context, relations: [{ from: 'Ours', to: 'Meta', relationType: 'documents' }] });
    await eventually(() => fileLines(context).length === 3, 'the rewrite');
    const peer = await MemoryServer.start(fileOf(context));
    try {
      const graph = await peer.readGraph();
      expect(graph.entities.map((e) => e.name).sort()).toEqual(['Meta', 'Ours']);
      expect(graph.relations).toEqual([{ from: 'Ours', to: 'Meta', relationType: 'documents' }]);
      await peer.createEntities([{ name: 'Theirs', entityType: 'note', observations: ['from the reference server'] }]);
    } finally {
      await peer.close();
    }
    const ours = await server.call<{ entities: { name: string; metadata?: unknown }[] }>('read_graph', { context });
    expect(ours.entities.map((e) => e.name).sort()).toEqual(['Meta', 'Ours', 'Theirs']);
    expect(ours.entities.find((e) => e.name === 'Meta')?.metadata).toEqual({ phase: 'germination' });
  });
});
