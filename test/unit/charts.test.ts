import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { readGraph } from '../../electron/core/knowledgeGraph.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { openEngine, removeTempDirs, tempDir, tempLayout } from '../helpers/tempRoot.ts';
import { exitOf, repoRoot, spawnCli } from '../helpers/runCli.ts';

afterEach(removeTempDirs);

let tick = Date.parse('2026-11-01T09:00:00Z');
const clock = () => new Date((tick += 1000));

async function setup() {
  const layout = tempLayout();
  const engine = await openEngine(layout);
  return { layout, engine, charts: new ChartService(engine, clock) };
}

describe('structural tension charts', () => {
  it('a new chart is written in the COAIA shape: entities, relations and metadata', async () => {
    const { engine, charts } = await setup();
    const { id } = await charts.create('work', { outcome: 'Ship billing', reality: '3 pilot customers', dueDate: '2026-12-31', steps: ['Automate invoices', { title: 'Migrate', dueDate: '2026-12-15' }] });
    expect(id).toMatch(/^chart_\d+$/);
    const graph = await engine.read('work', readGraph);
    const byName = new Map(graph.entities.map((e) => [e.name, e]));
    expect(byName.get(`${id}_chart`)).toMatchObject({ entityType: 'structural_tension_chart', metadata: { chartId: id, dueDate: '2026-12-31', level: 0 } });
    expect(byName.get(`${id}_desired_outcome`)).toMatchObject({ entityType: 'desired_outcome', observations: ['Ship billing'] });
    expect(byName.get(`${id}_current_reality`)).toMatchObject({ entityType: 'current_reality', observations: ['3 pilot customers'] });
    expect(byName.get(`${id}_action_2`)).toMatchObject({ entityType: 'action_step', observations: ['Migrate'], metadata: { chartId: id, dueDate: '2026-12-15', completionStatus: false } });
    const relations = graph.relations.map((r) => `${r.from} ${r.relationType} ${r.to}`);
    expect(relations).toEqual(expect.arrayContaining([
      `${id}_chart contains ${id}_desired_outcome`,
      `${id}_current_reality creates_tension_with ${id}_desired_outcome`,
      `${id}_action_1 advances_toward ${id}_desired_outcome`,
    ]));
    await engine.close();
  });

  it('completing one step does not complete the chart; completing every step does (PEERS bug 5)', async () => {
    const { engine, charts } = await setup();
    const { id } = await charts.create('work', { outcome: 'O', reality: 'R', steps: ['one', 'two'] });
    await charts.completeStep('work', `${id}_action_1`);
    await charts.completeStep('work', `${id}_action_1`); // twice: the note still appears once
    let chart = await charts.show('work', id);
    expect(chart.complete).toBe(false);
    expect(chart.currentReality).toEqual(['R', 'Completed: one']);
    await charts.completeStep('work', `${id}_action_2`);
    chart = await charts.show('work', id);
    expect(chart.complete).toBe(true);
    await charts.reopenStep('work', `${id}_action_2`);
    chart = await charts.show('work', id);
    expect(chart.complete).toBe(false);
    expect(chart.currentReality).toEqual(['R', 'Completed: one']);
    const chartEntity = (await engine.read('work', readGraph)).entities.find((e) => e.name === `${id}_chart`);
    expect(chartEntity?.metadata).not.toHaveProperty('completionStatus');
    await engine.close();
  });

  it('telescoping a step makes a sub-chart; completing its desired outcome completes the step in the parent', async () => {
    const { engine, charts } = await setup();
    const { id } = await charts.create('work', { outcome: 'Book out', reality: 'Notes', steps: ['Write chapter 1'] });
    const { id: sub } = await charts.telescope('work', `${id}_action_1`, { reality: 'Outline only' });
    const subChart = await charts.show('work', sub);
    expect(subChart).toMatchObject({ level: 1, parentChart: id, parentActionStep: `${id}_action_1`, desiredOutcome: 'Write chapter 1', currentReality: ['Outline only'] });
    await charts.completeOutcome('work', sub);
    const parent = await charts.show('work', id);
    expect(parent.steps[0]).toMatchObject({ completed: true, telescopedInto: sub });
    expect(parent.currentReality).toContain('Completed: Write chapter 1');
    expect(parent.complete).toBe(true);
    const tree = await charts.tree('work', id);
    expect(tree.children.map((c) => c.chart.id)).toEqual([sub]);
    await engine.close();
  });

  it('removing a step removes its whole telescoped subtree: no orphaned grandchildren (PEERS bug 7), history kept', async () => {
    const { engine, charts } = await setup();
    const { id } = await charts.create('work', { outcome: 'Top', reality: 'R', steps: ['Big step', 'Other'] });
    const { id: child } = await charts.telescope('work', `${id}_action_1`, { steps: ['Inner'] });
    const { id: grandchild } = await charts.telescope('work', `${child}_action_1`, {});
    await charts.removeStep('work', `${id}_action_1`);
    const graph = await engine.read('work', readGraph);
    const names = graph.entities.map((e) => e.name);
    expect(names.some((n) => n.startsWith(child) || n.startsWith(grandchild))).toBe(false);
    expect(graph.relations.every((r) => names.includes(r.from) && names.includes(r.to))).toBe(true);
    expect((await charts.show('work', id)).steps.map((s) => s.title)).toEqual(['Other']);
    expect((await charts.history('work', grandchild)).some((e) => e.action === 'delete')).toBe(true);
    await engine.close();
  });

  it('edits: rename, re-date, reorder, reality, outcome, due date with a dated note', async () => {
    const { engine, charts } = await setup();
    const { id } = await charts.create('work', { outcome: 'O', reality: 'R', steps: ['a', 'b', 'c'] });
    await charts.completeStep('work', `${id}_action_1`);
    await charts.editStep('work', `${id}_action_1`, { title: 'A!', dueDate: '2026-12-01' });
    await charts.moveStep('work', `${id}_action_3`, 1);
    await charts.addReality('work', id, 'New fact');
    await charts.editReality('work', id, 'R', 'R revised');
    await charts.setOutcome('work', id, 'O2');
    await charts.setDue('work', id, '2027-01-31');
    const chart = await charts.show('work', id);
    expect(chart.steps.map((s) => s.title)).toEqual(['c', 'A!', 'b']);
    expect(chart.steps[1]).toMatchObject({ dueDate: '2026-12-01', completed: true });
    expect(chart.currentReality).toEqual(['R revised', 'Completed: A!', 'New fact']);
    expect(chart.desiredOutcome).toBe('O2');
    expect(chart.dueDate).toBe('2027-01-31');
    expect(chart.notes.at(-1)).toMatch(/^Due date set to 2027-01-31 on \d{4}-\d{2}-\d{2}$/);
    await expect(charts.setDue('work', id, 'next tuesday')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(charts.moveStep('work', `${id}_action_1`, 9)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await engine.close();
  });

  it('history holds every version of every part; the chart as it was at a past time', async () => {
    const { engine, charts } = await setup();
    const { id } = await charts.create('work', { outcome: 'First outcome', reality: 'R' });
    await new Promise((r) => setTimeout(r, 20));
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await charts.setOutcome('work', id, 'Second outcome');
    const history = await charts.history('work', id);
    expect(history.filter((e) => e.part === `${id}_desired_outcome`).map((e) => (e.value?.observations as string[])[0])).toEqual(['First outcome', 'Second outcome']);
    expect((await charts.asOf('work', id, between)).desiredOutcome).toBe('First outcome');
    await engine.close();
  });

  it('a chart moves to another context with its sub-charts and relations; only a completed chart is archived', async () => {
    const { engine, charts } = await setup();
    const { id } = await charts.create('work', { outcome: 'Move me', reality: 'R', steps: ['s'] });
    const { id: sub } = await charts.telescope('work', `${id}_action_1`);
    await charts.move('work', id, 'personal');
    expect(await engine.read('work', (s) => s.size)).toBe(0);
    expect((await charts.tree('personal', id)).children.map((c) => c.chart.id)).toEqual([sub]);
    await expect(charts.archive('personal', id)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await charts.completeStep('personal', `${id}_action_1`);
    await charts.archive('personal', id);
    expect(await engine.read('personal', (s) => s.size)).toBe(0);
    await engine.flush();
    expect(fs.readFileSync(path.join(engine.layout.root, 'completed-charts.jsonl'), 'utf8')).toContain('"archivedFrom":"personal"');
    await charts.unarchive(id);
    expect((await charts.show('personal', id)).complete).toBe(true);
    await engine.close();
  });

  it('a plain move into the archive is an archiving (an open chart is refused), and out of it an unarchiving', async () => {
    const { engine, charts } = await setup();
    const { id } = await charts.create('work', { outcome: 'Move me', reality: 'R', steps: ['s'] });
    // `chart move --to completed`, or a drag onto the archive, asks for a plain move.
    await expect(charts.move('work', id, 'completed')).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('only a completed chart is archived') });
    expect(await engine.read('completed', (s) => s.size)).toBe(0);
    await charts.completeStep('work', `${id}_action_1`);
    await charts.move('work', id, 'completed');
    await engine.flush();
    expect(fs.readFileSync(path.join(engine.layout.root, 'completed-charts.jsonl'), 'utf8')).toContain('"archivedFrom":"work"');
    await charts.move('completed', id, 'personal');
    await engine.flush();
    expect(fs.readFileSync(path.join(engine.layout.root, 'charts-personal.jsonl'), 'utf8')).not.toContain('"archivedFrom"');
    await engine.close();
  });

  it('search finds charts across contexts, best first', async () => {
    const { engine, charts } = await setup();
    const { id: a } = await charts.create('work', { outcome: 'Ship the billing service', reality: 'Manual invoices' });
    const { id: b } = await charts.create('personal', { outcome: 'Run a marathon', reality: 'Billing-free life', steps: ['Train'] });
    const hits = await charts.search('billing');
    expect(hits.map((h) => h.chart.id).sort()).toEqual([a, b].sort());
    expect((await charts.search('marathon')).map((h) => [h.chart.id, h.chart.context])).toEqual([[b, 'personal']]);
    await engine.close();
  });
});

describe('charts made by the peers', () => {
  it('coaia-spiral charts (ids like chart_work_q4, steps _action1) open and work (PEERS bug 8)', async () => {
    const dir = tempDir();
    fs.cpSync(path.join(repoRoot, 'test/fixtures/samples/coaia-spiral/.coaia'), path.join(dir, '.coaia'), { recursive: true });
    const engine = await openEngine(resolveLayout({ data: path.join(dir, '.coaia') }));
    const charts = new ChartService(engine, clock);
    const chart = await charts.show('work', 'chart_work_q4');
    expect(chart).toMatchObject({ desiredOutcome: 'Ship the billing service to all customers', dueDate: '2025-12-31', complete: false });
    expect(chart.steps.map((s) => [s.name, s.title])).toEqual([
      ['chart_work_q4_action1', 'Automate invoice generation'],
      ['chart_work_q4_action2', 'Migrate remaining customers'],
    ]);
    await charts.completeStep('work', 'chart_work_q4_action1');
    const { name } = await charts.addStep('work', 'chart_work_q4', { title: 'Announce' });
    expect(name).toBe('chart_work_q4_action_3');
    expect((await charts.show('work', 'chart_work_q4')).currentReality).toContain('Completed: Automate invoice generation');
    await engine.close();
  });

  it('coaia-narrative charts: a telescoped sub-chart and a chart the peer wrongly marked complete', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'memory.jsonl');
    fs.copyFileSync(path.join(repoRoot, 'test/fixtures/samples/coaia-narrative-memory.jsonl'), file);
    const engine = await openEngine(resolveLayout({ memoryPath: file }));
    const charts = new ChartService(engine, clock);
    const tree = await charts.tree('default', 'chart_1771269081608');
    expect(tree.chart.complete).toBe(false); // one of two steps done: not complete, whatever the peer wrote
    expect(tree.chart.steps.find((s) => s.name.endsWith('_action_2'))?.telescopedInto).toBe('chart_1771300000000');
    expect(tree.children[0]?.chart).toMatchObject({ id: 'chart_1771300000000', level: 1, desiredOutcome: 'Write the documentation' });
    await engine.close();
  });
});

describe('two writers on one chart', () => {
  it('steps added by this process and by CLI processes at the same time are all kept: nothing saves a stale copy over a fresh one (PEERS bug 6)', async () => {
    const layout = tempLayout();
    const engine = await openEngine(layout);
    const charts = new ChartService(engine, clock);
    const { id } = await charts.create('work', { outcome: 'O', reality: 'R' });
    // The other writers: the real CLI, one process per change, all started at once.
    const where = ['--data', layout.root, '--context', 'work'];
    const exits = Promise.all([
      exitOf(spawnCli(['step', 'add', id, '--title', 'from the cli', ...where]), 60_000),
      exitOf(spawnCli(['reality', 'add', id, '--text', 'the cli saw that', ...where]), 60_000),
    ]);
    let othersRunning = true;
    void exits.then(() => (othersRunning = false));
    // This process keeps adding steps until every other process has finished.
    const ours: string[] = [];
    while (othersRunning || ours.length < 3) {
      const title = `from this process ${ours.length}`;
      await charts.addStep('work', id, { title });
      ours.push(title);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await charts.addReality('work', id, 'this process saw this');
    for (const exit of await exits) expect(exit?.code, `a CLI process: ${exit?.stderr ?? 'did not end in 60 s'}`).toBe(0);
    const chart = await charts.show('work', id);
    expect(chart.steps.map((s) => s.title).sort()).toEqual([...ours, 'from the cli'].sort());
    expect(new Set(chart.steps.map((s) => s.name)).size).toBe(chart.steps.length);
    expect(chart.currentReality).toEqual(expect.arrayContaining(['R', 'this process saw this', 'the cli saw that']));
    await engine.close();
  });
});

describe('chart lists', () => {
  it('a list made again after a change shows the change (summaries are cached per chart)', async () => {
    const { engine, charts } = await setup();
    const { id } = await charts.create('work', { outcome: 'Listed', reality: 'R', steps: ['one', 'two'] });
    const { id: other } = await charts.create('work', { outcome: 'Other', reality: 'R' });
    const summary = async (chartId: string) => (await charts.list('work')).find((c) => c.id === chartId);
    expect(await summary(id)).toMatchObject({ stepsDone: 0, stepsTotal: 2, complete: false });
    await charts.completeStep('work', `${id}_action_1`);
    await charts.addStep('work', id, { title: 'three' });
    expect(await summary(id)).toMatchObject({ stepsDone: 1, stepsTotal: 3, complete: false });
    await charts.setOutcome('work', other, 'Renamed');
    expect(await summary(other)).toMatchObject({ desiredOutcome: 'Renamed' });
    await charts.move('work', other, 'personal');
    expect(await summary(other)).toBeUndefined();
    await engine.close();
  });
});

describe('quick chart summaries', () => {
  it('match the full reading of every chart, for our charts and the peers\' samples', async () => {
    const { chartIndexOf, readChart, summarizeChart } = await import('../../electron/core/charts/chartModel.ts');
    const { summarizeCharts } = await import('../../electron/core/charts/chartSummaries.ts');
    const { byDueDate } = await import('../../shared/chartOrder.ts');
    const { engine, charts } = await setup();
    const { id } = await charts.create('work', { outcome: 'A', reality: 'R', dueDate: '2027-01-01', steps: ['one', 'two', 'three'] });
    await charts.completeStep('work', `${id}_action_2`);
    const { id: sub } = await charts.telescope('work', `${id}_action_1`, { steps: ['inner'] });
    await charts.completeOutcome('work', sub);
    await engine.close();
    const dir = tempDir();
    fs.cpSync(path.join(repoRoot, 'test/fixtures/samples/coaia-spiral/.coaia'), path.join(dir, '.coaia'), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, 'test/fixtures/samples/coaia-narrative-memory.jsonl'), path.join(dir, '.coaia', 'charts-narrative.jsonl'));
    fs.cpSync(path.join(engine.layout.root, 'charts-work.jsonl'), path.join(dir, '.coaia', 'charts-ours.jsonl'));
    const peers = await openEngine(resolveLayout({ data: path.join(dir, '.coaia') }));
    for (const context of ['work', 'narrative', 'ours']) {
      const [quick, full] = await peers.read(context, (state) => {
        const index = chartIndexOf(state);
        // The list keeps them by due date (the window's first order).
        return [summarizeCharts(state, context), index.ids.map((c) => summarizeChart(readChart(state, c, context, index)!)).sort(byDueDate)];
      });
      expect(quick.length, context).toBeGreaterThan(0);
      expect(quick, context).toEqual(full);
    }
    await peers.close();
  });
});

describe('taking back "outcome achieved"', () => {
  it('reopens the outcome and the step it completed in the parent, with its note', async () => {
    const { engine, charts } = await setup();
    const { id } = await charts.create('work', { outcome: 'Top', reality: 'R', steps: ['Big step'] });
    const { id: sub } = await charts.telescope('work', `${id}_action_1`);
    await charts.completeOutcome('work', sub);
    await charts.reopenOutcome('work', sub);
    expect((await charts.show('work', sub)).outcomeCompleted).toBe(false);
    const parent = await charts.show('work', id);
    expect(parent.steps[0]?.completed).toBe(false);
    expect(parent.currentReality).toEqual(['R']);
    await engine.close();
  });
});
