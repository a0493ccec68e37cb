// Charts travel both ways between Tension Desk and the tools that share its files:
// - a chart made here (created, one step telescoped into a sub-chart, another step completed)
//   is read by the REAL reference server `@modelcontextprotocol/server-memory` (spoken to over
//   stdio) with every entity and relation, names and observations exactly as we wrote them;
// - a data folder in coaia-spiral's layout (a `# …` comment first, ids like chart_work_q4,
//   steps named `_action1`, a `context` key, no final newline) opens with its charts, steps
//   and a sub-chart telescoped the way coaia-spiral does it; a step completed here is written
//   back with every other line byte for byte, in a file coaia-spiral's own loader still reads.
import { closeAfterEachTest, tracked } from '../helpers/tracked.ts';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, openEngine } from '../helpers/tempRoot.ts';
import { repoRoot } from '../helpers/runCli.ts';
import { contextPaths, resolveLayout } from '../../electron/core/dataRoot.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { MemoryServer, type ServerEntity, type ServerGraph, type ServerRelation } from '../peers/memoryServerClient.ts';

closeAfterEachTest();

const byName = (a: ServerEntity, b: ServerEntity) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const relationId = (r: ServerRelation) => `${r.from} -[${r.relationType}]-> ${r.to}`;
const sortRelations = (list: readonly ServerRelation[]) => list.map((r) => ({ from: r.from, to: r.to, relationType: r.relationType })).sort((a, b) => (relationId(a) < relationId(b) ? -1 : 1));
const sortEntities = (list: readonly ServerEntity[]) => list.map((e) => ({ name: e.name, entityType: e.entityType, observations: e.observations })).sort(byName);

describe('the reference MCP memory server reads the charts Tension Desk writes', () => {
  it('sees a created, telescoped and partly completed chart with every entity, relation, name and observation as we wrote them', async () => {
    const T0 = Date.UTC(2026, 2, 1, 9, 0, 0);
    const T1 = T0 + 60_000;
    const T2 = T0 + 120_000;
    const root = path.join(tempDir('tension-peers-read-'), '.coaia');
    const engine = await openEngine(resolveLayout({ data: root }));
    tracked(engine);

    // Observations with characters JSON must escape, and ones it need not.
    const outcome = 'Ship the "billing" service — to all customers 🙂';
    const reality = ['Billing runs for 3 pilot customers', 'Invoices: C:\\billing\\out, typed\tby hand', 'Line one\nline two', 'Separator \u2028 inside'];
    const { id } = await new ChartService(engine, () => new Date(T0)).create('work', {
      outcome,
      reality,
      dueDate: '2026-12-31',
      steps: [{ title: 'Automate invoice generation', dueDate: '2026-10-31' }, { title: 'Migrate remaining customers' }, { title: 'Retire the old system' }],
    });
    const sub = await new ChartService(engine, () => new Date(T1)).telescope('work', `${id}_action_1`, { reality: 'Invoices are typed by hand', steps: ['Pick a PDF library'] });
    await new ChartService(engine, () => new Date(T2)).completeStep('work', `${id}_action_2`);
    await engine.flush();
    const file = contextPaths(engine.layout, 'work').file;
    const bytes = fs.readFileSync(file);

    // What we wrote, spelled out here rather than read back through our own code.
    const S = sub.id;
    const expectedEntities: ServerEntity[] = [
      { name: `${id}_chart`, entityType: 'structural_tension_chart', observations: [`Chart created on ${new Date(T0).toISOString()}`] },
      { name: `${id}_desired_outcome`, entityType: 'desired_outcome', observations: [outcome] },
      { name: `${id}_current_reality`, entityType: 'current_reality', observations: [...reality, 'Completed: Migrate remaining customers'] },
      { name: `${id}_action_1`, entityType: 'action_step', observations: ['Automate invoice generation'] },
      { name: `${id}_action_2`, entityType: 'action_step', observations: ['Migrate remaining customers'] },
      { name: `${id}_action_3`, entityType: 'action_step', observations: ['Retire the old system'] },
      { name: `${S}_chart`, entityType: 'structural_tension_chart', observations: [`Chart created on ${new Date(T1).toISOString()}`] },
      { name: `${S}_desired_outcome`, entityType: 'desired_outcome', observations: ['Automate invoice generation'] },
      { name: `${S}_current_reality`, entityType: 'current_reality', observations: ['Invoices are typed by hand'] },
      { name: `${S}_action_1`, entityType: 'action_step', observations: ['Pick a PDF library'] },
    ];
    const chartRelations = (c: string, steps: number): ServerRelation[] => [
      { from: `${c}_chart`, to: `${c}_desired_outcome`, relationType: 'contains' },
      { from: `${c}_chart`, to: `${c}_current_reality`, relationType: 'contains' },
      { from: `${c}_current_reality`, to: `${c}_desired_outcome`, relationType: 'creates_tension_with' },
      ...Array.from({ length: steps }, (_, i) => [
        { from: `${c}_chart`, to: `${c}_action_${i + 1}`, relationType: 'contains' },
        { from: `${c}_action_${i + 1}`, to: `${c}_desired_outcome`, relationType: 'advances_toward' },
      ]).flat(),
    ];
    const expectedRelations = [...chartRelations(id, 3), ...chartRelations(S, 1), { from: `${S}_desired_outcome`, to: `${id}_desired_outcome`, relationType: 'advances_toward' }];

    const server = await MemoryServer.start(file);
    tracked(server);
    const graph = await server.readGraph();
    expect(sortEntities(graph.entities)).toEqual(sortEntities(expectedEntities));
    expect(sortRelations(graph.relations)).toEqual(sortRelations(expectedRelations));

    // open_nodes on the sub-chart: its entities, and its relations (at least those among them).
    const subNames = [`${S}_chart`, `${S}_desired_outcome`, `${S}_current_reality`, `${S}_action_1`];
    const opened = (await server.call('open_nodes', { names: subNames })) as unknown as ServerGraph;
    expect(sortEntities(opened.entities)).toEqual(sortEntities(expectedEntities.filter((e) => subNames.includes(e.name))));
    const openedIds = new Set(opened.relations.map(relationId));
    for (const relation of expectedRelations.filter((r) => subNames.includes(r.from) && subNames.includes(r.to))) expect(openedIds, relationId(relation)).toContain(relationId(relation));
    for (const relation of opened.relations) {
      expect(expectedRelations.map(relationId), 'a relation we did not write').toContain(relationId(relation));
      expect(subNames.includes(relation.from) || subNames.includes(relation.to)).toBe(true);
    }

    // The completed step shows in the parent's current reality, found by the server's search.
    const found = await server.searchNodes('Completed: Migrate');
    expect(found.entities.map((e) => e.name)).toEqual([`${id}_current_reality`]);

    // Reading changed nothing in the file.
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });
});

describe('a data folder in coaia-spiral layout', () => {
  const sample = path.join(repoRoot, 'test', 'fixtures', 'samples', 'coaia-spiral', '.coaia');
  const SUB = 'chart_1758010800000';

  /**
   * The sample folder, with a sub-chart added the way coaia-spiral's telescope_action_step
   * writes one: a whole chart (createStructuralTensionChart) whose `_chart` entity then gets
   * parentChart / parentActionStep / level, entities before relations, lines joined by '\n'
   * with no final newline.
   */
  function copyWithSubChart(): { root: string; file: string } {
    const root = path.join(tempDir('tension-spiral-'), '.coaia');
    fs.cpSync(sample, root, { recursive: true });
    const file = path.join(root, 'charts-work.jsonl');
    const stamp = '2025-09-16T08:20:00.000Z';
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const firstRelation = lines.findIndex((line) => line.includes('"type":"relation"'));
    const entities = [
      { type: 'entity', name: `${SUB}_chart`, entityType: 'structural_tension_chart', observations: [`Chart created on ${stamp}`], metadata: { chartId: SUB, dueDate: '2025-10-31', level: 1, createdAt: stamp, updatedAt: '2025-09-16T08:20:00.015Z', parentChart: 'chart_work_q4', parentActionStep: 'chart_work_q4_action1' } },
      { type: 'entity', name: `${SUB}_desired_outcome`, entityType: 'desired_outcome', observations: ['Automate invoice generation'], metadata: { chartId: SUB, dueDate: '2025-10-31', createdAt: stamp, updatedAt: stamp } },
      { type: 'entity', name: `${SUB}_current_reality`, entityType: 'current_reality', observations: ['Invoices are typed by hand from a spreadsheet'], metadata: { chartId: SUB, createdAt: stamp, updatedAt: stamp } },
      { type: 'entity', name: `${SUB}_action_1`, entityType: 'action_step', observations: ['Pick a PDF library'], metadata: { chartId: SUB, dueDate: '2025-09-30T00:00:00.000Z', completionStatus: false, createdAt: stamp, updatedAt: stamp } },
    ].map((e) => JSON.stringify(e));
    const relations = [
      [`${SUB}_chart`, `${SUB}_desired_outcome`, 'contains'],
      [`${SUB}_chart`, `${SUB}_current_reality`, 'contains'],
      [`${SUB}_current_reality`, `${SUB}_desired_outcome`, 'creates_tension_with'],
      [`${SUB}_chart`, `${SUB}_action_1`, 'contains'],
      [`${SUB}_action_1`, `${SUB}_desired_outcome`, 'advances_toward'],
    ].map(([from, to, relationType]) => JSON.stringify({ type: 'relation', from, to, relationType, metadata: { createdAt: stamp } }));
    const written = [...lines.slice(0, firstRelation), ...entities, ...lines.slice(firstRelation), ...relations];
    fs.writeFileSync(file, written.join('\n'));
    return { root, file };
  }

  /** coaia-spiral's own loader (loadCoaiaGraph): split on '\n', skip blank and '#' lines, JSON.parse the rest. */
  function spiralLoad(file: string): { entities: Record<string, unknown>[]; relations: Record<string, unknown>[] } {
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
    const graph = { entities: [] as Record<string, unknown>[], relations: [] as Record<string, unknown>[] };
    for (const line of lines) {
      const item = JSON.parse(line) as Record<string, unknown>;
      if (item.type === 'entity') graph.entities.push(item);
      if (item.type === 'relation') graph.relations.push(item);
    }
    return graph;
  }

  it('opens the sample as it is: its chart, its `_action1` steps, due dates and current reality', async () => {
    const root = path.join(tempDir('tension-spiral-'), '.coaia');
    fs.cpSync(sample, root, { recursive: true });
    const engine = await openEngine(resolveLayout({ data: root }), { readOnly: true });
    tracked(engine);
    const charts = new ChartService(engine);
    expect(charts.contexts().sort()).toEqual(['default', 'personal', 'work']);
    expect(await charts.list('personal')).toEqual([]);
    expect(await charts.list('work')).toEqual([
      expect.objectContaining({ id: 'chart_work_q4', context: 'work', desiredOutcome: 'Ship the billing service to all customers', dueDate: '2025-12-31', level: 0, complete: false, stepsDone: 0, stepsTotal: 2 }),
    ]);
    const tree = await charts.tree('work', 'chart_work_q4');
    expect(tree.chart.currentReality).toEqual(['Billing runs for 3 pilot customers', 'No automated invoices yet']);
    expect(tree.chart.steps.map((s) => [s.name, s.title, s.dueDate, s.completed])).toEqual([
      ['chart_work_q4_action1', 'Automate invoice generation', '2025-10-31', false],
      ['chart_work_q4_action2', 'Migrate remaining customers', '2025-12-15', false],
    ]);
    expect(tree.children).toEqual([]);
  });

  it('opens with its charts, steps and a sub-chart telescoped the coaia-spiral way, and writes a completed step back with every other line byte for byte', async () => {
    const { root, file } = copyWithSubChart();
    const before = fs.readFileSync(file, 'utf8');
    expect(before.endsWith('\n')).toBe(false);
    const engine = await openEngine(resolveLayout({ data: root }));
    tracked(engine);
    const charts = new ChartService(engine, () => new Date('2026-01-10T12:00:00.000Z'));

    // Opening changed nothing.
    expect(fs.readFileSync(file, 'utf8')).toBe(before);

    const summaries = await charts.list('work');
    expect(summaries.map((c) => c.id).sort()).toEqual([SUB, 'chart_work_q4'].sort());
    expect(summaries.find((c) => c.id === SUB)).toMatchObject({ level: 1, parentChart: 'chart_work_q4', desiredOutcome: 'Automate invoice generation', dueDate: '2025-10-31', stepsTotal: 1 });
    const tree = await charts.tree('work', 'chart_work_q4');
    expect(tree.chart.steps.map((s) => [s.name, s.telescopedInto])).toEqual([
      ['chart_work_q4_action1', SUB],
      ['chart_work_q4_action2', undefined],
    ]);
    expect(tree.children.map((c) => c.chart)).toEqual([
      expect.objectContaining({ id: SUB, level: 1, parentChart: 'chart_work_q4', parentActionStep: 'chart_work_q4_action1', currentReality: ['Invoices are typed by hand from a spreadsheet'] }),
    ]);
    expect(tree.children[0]?.chart.steps.map((s) => [s.name, s.title, s.completed])).toEqual([[`${SUB}_action_1`, 'Pick a PDF library', false]]);

    // Complete the second step here; only its own line, the reality it adds to and the
    // chart's updatedAt may change.
    await charts.completeStep('work', 'chart_work_q4_action2');
    await engine.flush();
    const after = fs.readFileSync(file, 'utf8');
    const beforeLines = before.split('\n');
    const afterLines = after.replace(/\n$/, '').split('\n');
    expect(afterLines).toHaveLength(beforeLines.length);
    const changedNames = ['chart_work_q4_action2', 'chart_work_q4_current_reality', 'chart_work_q4_chart'];
    const nameOf = (line: string) => (line.startsWith('{') ? (JSON.parse(line) as { name?: string }).name : undefined);
    const changed: string[] = [];
    beforeLines.forEach((line, i) => {
      const now = afterLines[i] ?? '';
      if (now === line) return;
      const name = nameOf(line);
      expect(changedNames, `line ${i + 1} changed: ${line}\n -> ${now}`).toContain(name);
      expect(nameOf(now), `line ${i + 1} kept its place`).toBe(name);
      changed.push(name ?? '');
    });
    expect(changed).toContain('chart_work_q4_action2');
    expect(changed).toContain('chart_work_q4_current_reality');
    expect(afterLines[0]).toBe('# COAIA Charts for work context');

    // The changed lines keep every key they had (context, dueDate, chartId…).
    const loaded = spiralLoad(file);
    const step = loaded.entities.find((e) => e.name === 'chart_work_q4_action2') as { observations: string[]; metadata: Record<string, unknown> };
    expect(step.observations).toEqual(['Migrate remaining customers']);
    expect(step.metadata).toMatchObject({ chartId: 'chart_work_q4', dueDate: '2025-12-15', context: 'work', completionStatus: true });
    const reality = loaded.entities.find((e) => e.name === 'chart_work_q4_current_reality') as { observations: string[]; metadata: Record<string, unknown> };
    expect(reality.observations).toEqual(['Billing runs for 3 pilot customers', 'No automated invoices yet', 'Completed: Migrate remaining customers']);
    expect(reality.metadata).toMatchObject({ chartId: 'chart_work_q4', context: 'work' });
    const chartEntity = loaded.entities.find((e) => e.name === 'chart_work_q4_chart') as { metadata: Record<string, unknown> };
    expect(chartEntity.metadata).toMatchObject({ chartId: 'chart_work_q4', dueDate: '2025-12-31', level: 0, context: 'work', createdAt: '2025-09-16T08:10:00.000Z' });
    // One step done of two: the chart is not complete (PEERS.md failure 5), and nothing says it is.
    expect(chartEntity.metadata.completionStatus).toBeUndefined();
    expect(loaded.entities).toHaveLength(9);
    expect(loaded.relations).toHaveLength(8);

    // The other context files were not touched.
    for (const name of ['charts-personal.jsonl', 'charts.jsonl']) expect(fs.readFileSync(path.join(root, name)).equals(fs.readFileSync(path.join(sample, name)))).toBe(true);

    // And read back here, the chart is as expected.
    const reopened = await charts.tree('work', 'chart_work_q4');
    expect(reopened.chart).toMatchObject({ complete: false, currentReality: ['Billing runs for 3 pilot customers', 'No automated invoices yet', 'Completed: Migrate remaining customers'] });
    expect(reopened.chart.steps.map((s) => s.completed)).toEqual([false, true]);
  });
});
