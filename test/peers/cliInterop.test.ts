// The `tension` CLI pointed at files the REAL reference server writes: `graph --json` must be
// exactly one JSON document in the MCP read_graph shape, and the peers' `--memory-path
// FILE.jsonl` convention must route contexts to `FILE-<ctx>.jsonl`.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { runCli, type CliRun } from '../helpers/runCli.ts';
import { MemoryServer } from './memoryServerClient.ts';
import { entitiesOnDisk } from './peerFiles.ts';

const servers: MemoryServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  removeTempDirs();
});

async function serverOn(file: string): Promise<MemoryServer> {
  const server = await MemoryServer.start(file);
  servers.push(server);
  return server;
}

/** Checks that stdout is exactly one JSON document (one line, nothing before or after) and returns it. */
function oneJsonDocument<T>(run: CliRun): T {
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout.endsWith('\n')).toBe(true);
  expect(run.stdout.slice(0, -1)).not.toContain('\n');
  return JSON.parse(run.stdout) as T;
}

interface McpGraph {
  entities: Record<string, unknown>[];
  relations: Record<string, unknown>[];
}

describe('the tension CLI on files the reference server writes', () => {
  it('`graph --json` on a .coaia folder the server writes prints exactly one JSON document in the read_graph shape', async () => {
    const data = path.join(tempDir('tension-cli-peer-'), '.coaia');
    fs.mkdirSync(data);
    const server = await serverOn(path.join(data, 'charts.jsonl'));
    await server.createEntities([
      { name: 'chart_q2_chart', entityType: 'structural_tension_chart', observations: ['Q2 website chart'] },
      { name: 'chart_q2_desired_outcome', entityType: 'desired_outcome', observations: ['Launch the new website'] },
      { name: 'chart_q2_current_reality', entityType: 'current_reality', observations: ['Only a mockup exists', 'Designer hired'] },
    ]);
    await server.createRelations([
      { from: 'chart_q2_chart', to: 'chart_q2_desired_outcome', relationType: 'contains' },
      { from: 'chart_q2_current_reality', to: 'chart_q2_desired_outcome', relationType: 'creates_tension_with' },
    ]);
    const theirs = await server.readGraph();

    const graph = oneJsonDocument<McpGraph>(runCli(['graph', '--data', data, '--json']));
    expect(Object.keys(graph).sort()).toEqual(['entities', 'relations']);
    for (const entity of graph.entities) expect(Object.keys(entity).sort()).toEqual(['entityType', 'name', 'observations']);
    for (const relation of graph.relations) expect(Object.keys(relation).sort()).toEqual(['from', 'relationType', 'to']);
    expect(graph).toEqual(theirs);

    // The server's file is untouched by reading it.
    expect(fs.readFileSync(path.join(data, 'charts.jsonl'), 'utf8').endsWith('\n')).toBe(false);
  });

  it('metadata set through the CLI survives the server\'s metadata-dropping rewrite, as `graph --json` shows', async () => {
    const data = path.join(tempDir('tension-cli-peer-'), '.coaia');
    const file = path.join(data, 'charts.jsonl');
    const set = runCli(['entity', 'set', '--data', data, '--name', 'chart_q2_action_1', '--type', 'action_step', '--obs', 'Write the landing page copy', '--meta', '{"chartId":"chart_q2","dueDate":"2026-04-15","completionStatus":false}', '--json']);
    expect(set.status, set.stderr).toBe(0);
    expect(entitiesOnDisk(file).get('chart_q2_action_1')?.metadata).toEqual({ chartId: 'chart_q2', dueDate: '2026-04-15', completionStatus: false });

    const server = await serverOn(file);
    await server.addObservations([{ entityName: 'chart_q2_action_1', contents: ['First draft done'] }]);
    expect(entitiesOnDisk(file).get('chart_q2_action_1')?.metadata).toBeUndefined(); // what the server did to the file

    const graph = oneJsonDocument<McpGraph>(runCli(['graph', '--data', data, '--json']));
    expect(graph.entities).toEqual([
      {
        name: 'chart_q2_action_1',
        entityType: 'action_step',
        observations: ['Write the landing page copy', 'First draft done'],
        metadata: { chartId: 'chart_q2', dueDate: '2026-04-15', completionStatus: false },
      },
    ]);
    // After the next CLI write the metadata is back on disk, and the server still reads everything.
    const next = runCli(['entity', 'set', '--data', data, '--name', 'chart_q2_action_2', '--type', 'action_step', '--obs', 'Record the demo video', '--meta', '{"chartId":"chart_q2"}']);
    expect(next.status, next.stderr).toBe(0);
    expect(entitiesOnDisk(file).get('chart_q2_action_1')?.metadata).toEqual({ chartId: 'chart_q2', dueDate: '2026-04-15', completionStatus: false });
    expect((await server.readGraph()).entities.map((e) => [e.name, e.observations])).toEqual([
      ['chart_q2_action_1', ['Write the landing page copy', 'First draft done']],
      ['chart_q2_action_2', ['Record the demo video']],
    ]);
  });

  it('`--memory-path FILE.jsonl` reads the default context from FILE.jsonl and context X from FILE-X.jsonl, as the servers name them', async () => {
    const dir = tempDir('tension-cli-memory-path-');
    const memory = path.join(dir, 'memory.jsonl');
    const work = path.join(dir, 'memory-work.jsonl');
    const general = await serverOn(memory);
    const atWork = await serverOn(work);
    await general.createEntities([{ name: 'Alice', entityType: 'person', observations: ['Prefers morning meetings'] }]);
    await atWork.createEntities([
      { name: 'Project Atlas', entityType: 'project', observations: ['Started in March'] },
      { name: 'Bob', entityType: 'person', observations: [] },
    ]);
    await atWork.createRelations([{ from: 'Bob', to: 'Project Atlas', relationType: 'leads' }]);

    // A path relative to the working folder, as the peers take it.
    const defaultGraph = oneJsonDocument<McpGraph>(runCli(['graph', '--memory-path', 'memory.jsonl', '--json'], { cwd: dir }));
    expect(defaultGraph).toEqual(await general.readGraph());
    const workGraph = oneJsonDocument<McpGraph>(runCli(['graph', '--memory-path', memory, '--context', 'work', '--json']));
    expect(workGraph).toEqual(await atWork.readGraph());

    // A write to context work lands in memory-work.jsonl, where the server for that context sees it.
    const set = runCli(['entity', 'set', '--memory-path', memory, '--context', 'work', '--name', 'Carol', '--type', 'person', '--obs', 'Joined the Atlas team', '--json']);
    expect(set.status, set.stderr).toBe(0);
    expect((await atWork.readGraph()).entities.map((e) => e.name)).toEqual(['Project Atlas', 'Bob', 'Carol']);
    expect((await general.readGraph()).entities.map((e) => e.name)).toEqual(['Alice']);

    const listing = oneJsonDocument<{ root: string; contexts: { context: string; file: string; entities: number; relations: number }[] }>(
      runCli(['contexts', '--memory-path', memory, '--json']),
    );
    expect(listing.contexts.map((c) => [c.context, c.file, c.entities, c.relations])).toEqual([
      ['default', memory, 1, 0],
      ['work', work, 3, 1],
    ]);
    // Nothing in Tension Desk's own naming was created beside the peers' files.
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort()).toEqual(['memory-work.jsonl', 'memory.jsonl']);
  });
});
