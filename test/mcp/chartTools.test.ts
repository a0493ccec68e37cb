// The COAIA chart tools, end to end through the real `tension mcp` process, with our semantics:
// one completed step does not complete a chart, removing a step takes its subtree, metadata is
// kept; a chart made through MCP shows in Fritz's layout in `tension chart show` and through the
// app's handler table; a retried call applies once; coaia-narrative's own charts are ours to work on.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, removeTempDirs, openEngine } from '../helpers/tempRoot.ts';
import { runCli } from '../helpers/runCli.ts';
import { contextPaths, resolveLayout } from '../../electron/core/dataRoot.ts';
import { createHandlerTable } from '../../electron/ipc/handlerTable.ts';
import type { ChartSummary, ChartTree } from '../../shared/domain.ts';
import { eventually, startCoaiaNarrativeMcp, startTensionMcp, ToolFailure, type McpConnection } from './mcpClients.ts';

let server: McpConnection;
let data: string;

beforeAll(async () => {
  data = path.join(tempDir(), '.coaia');
  server = await startTensionMcp(['--data', data, '--context', 'work']);
}, 60_000);

afterAll(async () => {
  await server?.close();
  removeTempDirs();
});

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ToolFailure);
  return (error as ToolFailure).text;
}

const chartOf = (context: string, id: string) => server.call<ChartTree>('get_chart', { context, chartId: id });

describe('a chart built over several sessions through the COAIA tools', () => {
  it('creates, adds, telescopes, completes and notes progress; one completed step does not complete the chart', async () => {
    const created = await server.call<{ chartId: string; context: string; actionSteps: { name: string; title: string }[] }>('create_structural_tension_chart', {
      desiredOutcome: 'Billing runs itself for every customer',
      currentReality: 'Three pilot customers, invoices typed by hand',
      dueDate: '2027-03-31',
      actionSteps: ['Automate invoices', 'Migrate customers'],
    });
    const id = created.chartId;
    expect(id).toMatch(/^chart_\d+$/);
    expect(created).toMatchObject({
      context: 'work',
      desiredOutcome: 'Billing runs itself for every customer',
      currentReality: ['Three pilot customers, invoices typed by hand'],
      dueDate: '2027-03-31',
      actionSteps: [
        { name: `${id}_action_1`, title: 'Automate invoices' },
        { name: `${id}_action_2`, title: 'Migrate customers' },
      ],
    });

    const added = await server.call<{ chartId: string; actionStepName: string; parentChartId: string }>('add_action_step', { parentChartId: id, actionStepTitle: 'Write the billing guide', currentReality: 'No guide, questions answered by mail', dueDate: '2027-01-15' });
    expect(added).toEqual({ chartId: expect.stringMatching(/^chart_\d+$/), actionStepName: `${id}_action_3`, parentChartId: id });
    const telescoped = await server.call<{ chartId: string; parentChart: string }>('telescope_action_step', { actionStepName: `${id}_action_1`, newCurrentReality: 'A spreadsheet macro, half done', initialActionSteps: ['Choose a template'] });
    expect(telescoped.parentChart).toBe(id);

    const completed = await server.call('mark_action_complete', { actionStepName: `${id}_action_2` });
    expect(completed).toMatchObject({ chartId: id, chartComplete: false, completedActions: 1, totalActions: 3 });
    await server.call('update_action_progress', { actionStepName: `${id}_action_3`, progressObservation: 'Outline written', updateCurrentReality: true });
    const reality = await server.call<{ currentReality: string[] }>('update_current_reality', { chartId: id, newObservations: ['Two pilots pay by card', 'Three pilot customers, invoices typed by hand'] });
    expect(reality.currentReality).toEqual(['Three pilot customers, invoices typed by hand', 'Completed: Migrate customers', 'Progress on Write the billing guide: Outline written', 'Two pilots pay by card']);
    expect(await server.call('update_desired_outcome', { chartId: telescoped.chartId, newDesiredOutcome: 'Invoices go out without anyone typing' })).toMatchObject({ desiredOutcome: 'Invoices go out without anyone typing' });

    const tree = await chartOf('work', id);
    expect(tree.chart).toMatchObject({ complete: false, outcomeCompleted: false });
    expect(tree.chart.steps.map((s) => [s.name, s.completed, s.telescopedInto])).toEqual([
      [`${id}_action_1`, false, telescoped.chartId],
      [`${id}_action_2`, true, undefined],
      [`${id}_action_3`, false, added.chartId],
    ]);
    expect(tree.chart.steps[2]?.notes).toEqual(['Outline written']);
    expect(tree.children.map((c) => [c.chart.id, c.chart.level, c.chart.parentActionStep])).toEqual(
      expect.arrayContaining([
        [telescoped.chartId, 1, `${id}_action_1`],
        [added.chartId, 1, `${id}_action_3`],
      ]),
    );
    expect(await server.call('get_chart_progress', { chartId: id })).toMatchObject({ chartId: id, progress: 1 / 3, completedActions: 1, totalActions: 3, nextAction: `${id}_action_3`, complete: false });
    const step = await server.call<{ step: { title: string }; subChart: ChartTree }>('get_action_step', { actionStepName: `${id}_action_1` });
    expect(step.step.title).toBe('Automate invoices');
    expect(step.subChart.chart).toMatchObject({ id: telescoped.chartId, desiredOutcome: 'Invoices go out without anyone typing', currentReality: ['A spreadsheet macro, half done'], steps: [{ title: 'Choose a template' }] });

    // Completing the telescoped steps completes their sub-charts; the last one completes the chart.
    await server.call('mark_action_complete', { actionStepName: `${id}_action_1` });
    const progress = await server.call('mark_action_complete', { actionStepName: `${id}_action_3` });
    expect(progress).toMatchObject({ chartComplete: true, completedActions: 3, totalActions: 3 });
    const active = await server.call<{ charts: ChartSummary[] }>('list_active_charts', {});
    expect(active.charts.map((c) => c.id)).not.toContain(id);
    expect(active.charts.map((c) => c.id)).not.toContain(added.chartId);
  });

  it('a chart made through MCP shows in Fritz\'s layout in `tension chart show` and in the app\'s handler table', async () => {
    const { chartId } = await server.call<{ chartId: string }>('create_structural_tension_chart', { context: 'shown', desiredOutcome: 'A garden that feeds us in summer', currentReality: 'Bare soil, no compost', dueDate: '2027-06-01', actionSteps: ['Build a compost bin', 'Sow beans'] });
    await server.call('add_action_step', { context: 'shown', parentChartId: chartId, actionStepTitle: 'Fence the beds', currentReality: 'Rabbits everywhere' });
    const shown = runCli(['chart', 'show', chartId, '--data', data, '--context', 'shown']);
    expect(shown.status, shown.stderr).toBe(0);
    const lines = shown.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${chartId}  due 2027-06-01  \\(shown, level 0\\)$`));
    expect(lines[1]).toBe('  DESIRED OUTCOME: A garden that feeds us in summer');
    // Steps between, the earliest at the bottom just above current reality.
    expect(lines.slice(2, 5).map((l) => l.replace(/ {2}chart_.*$/, '').trim())).toEqual(['[ ] Fence the beds', '[ ] Sow beans', '[ ] Build a compost bin']);
    expect(lines[4]).toContain(`${chartId}_action_1`);
    expect(lines[5]).toBe('  CURRENT REALITY:');
    expect(lines[6]).toBe('    - Bare soil, no compost');
    expect(lines.slice(7).join('\n')).toMatch(/^ {4}chart_\d+ .*level 1\)\n {6}DESIRED OUTCOME: Fence the beds\n {6}CURRENT REALITY:\n {8}- Rabbits everywhere$/);

    const engine = await openEngine(resolveLayout({ data }));
    try {
      const table = createHandlerTable({ engine, isOwnSender: () => true });
      const tree = await table.handle('charts.tree', { context: 'shown', id: chartId }, { id: 1, url: 'app://tension/index.html' });
      expect(tree).toMatchObject({ ok: true, value: { chart: { id: chartId, desiredOutcome: 'A garden that feeds us in summer', currentReality: ['Bare soil, no compost'], steps: [{ title: 'Build a compost bin' }, { title: 'Sow beans' }, { title: 'Fence the beds' }] }, children: [{ chart: { desiredOutcome: 'Fence the beds', level: 1 } }] } });
    } finally {
      await engine.close();
    }
  });

  it('removing a step removes the charts telescoped from it at every depth; the rest of the chart stays', async () => {
    const context = 'removal';
    const { chartId } = await server.call<{ chartId: string }>('create_structural_tension_chart', { context, desiredOutcome: 'Launch the course', currentReality: 'Outline only', dueDate: '2027-09-01', actionSteps: ['Record lessons', 'Open sign-ups'] });
    const child = await server.call<{ chartId: string }>('telescope_action_step', { context, actionStepName: `${chartId}_action_1`, newCurrentReality: 'No microphone', initialActionSteps: ['Buy a microphone'] });
    const grandchild = await server.call<{ chartId: string }>('telescope_action_step', { context, actionStepName: `${child.chartId}_action_1`, newCurrentReality: 'Two models in mind' });
    const removed = await server.call<{ records: number }>('remove_action_step', { context, parentChartId: chartId, actionStepName: `${chartId}_action_1` });
    expect(removed.records).toBeGreaterThan(10);
    const graph = await server.call<{ entities: { name: string }[] }>('read_graph', { context });
    const names = graph.entities.map((e) => e.name);
    expect(names.filter((n) => n.startsWith(child.chartId) || n.startsWith(grandchild.chartId) || n === `${chartId}_action_1`)).toEqual([]);
    expect(names).toEqual(expect.arrayContaining([`${chartId}_chart`, `${chartId}_desired_outcome`, `${chartId}_current_reality`, `${chartId}_action_2`]));
    const text = await refusal(server.call('remove_action_step', { context, parentChartId: grandchild.chartId, actionStepName: `${chartId}_action_2` }));
    expect(text).toMatch(/NOT_FOUND/);
  });

  it('manage_action_step adds a step to a chart, or telescopes a step, as its reference says', async () => {
    const context = 'managed';
    const { chartId } = await server.call<{ chartId: string }>('create_structural_tension_chart', { context, desiredOutcome: 'A quiet studio', currentReality: 'Echo everywhere', dueDate: '2027-02-01', actionSteps: ['Hang panels'] });
    const added = await server.call<{ action: string; actionStepName: string; chartId: string }>('manage_action_step', { context, parentReference: chartId, actionDescription: 'Seal the door', currentReality: 'Gap under the door', initialActionSteps: ['Measure the gap'] });
    expect(added).toMatchObject({ action: 'step added and telescoped', actionStepName: `${chartId}_action_2` });
    expect((await chartOf(context, added.chartId)).chart.steps.map((s) => s.title)).toEqual(['Measure the gap']);
    const expanded = await server.call<{ action: string; parentChartId: string; note?: string }>('manage_action_step', { context, parentReference: `${chartId}_action_1`, actionDescription: 'Hang panels', currentReality: 'Panels bought, not hung' });
    expect(expanded).toMatchObject({ action: 'step telescoped', parentChartId: chartId });
    expect(expanded.note).toBeUndefined();
    expect(await refusal(server.call('manage_action_step', { context, parentReference: chartId, actionDescription: 'No reality' }))).toMatch(/currentReality is required/);
  });

  it('a step named where a chart is wanted is refused, and nothing changes', async () => {
    const context = 'mixup';
    const { chartId } = await server.call<{ chartId: string }>('create_structural_tension_chart', { context, desiredOutcome: 'Keep me', currentReality: 'As is', dueDate: '2027-02-01', actionSteps: ['A step'] });
    await eventually(() => fs.existsSync(path.join(data, `charts-${context}.jsonl`)), 'the rewrite');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = fs.readFileSync(path.join(data, `charts-${context}.jsonl`));
    expect(await refusal(server.call('update_desired_outcome', { context, chartId: `${chartId}_action_1`, newDesiredOutcome: 'Overwritten' }))).toMatch(new RegExp(`BAD_INPUT: ${chartId}_action_1 is an action step of chart ${chartId}, not a chart`));
    expect(await refusal(server.call('update_current_reality', { context, chartId: 'chart_nope', newObservations: ['x'] }))).toMatch(/NOT_FOUND: No chart "chart_nope"/);
    expect(await refusal(server.call('create_structural_tension_chart', { context, desiredOutcome: 'Bad date', currentReality: 'x', dueDate: '2027-02-30' }))).toMatch(/BAD_INPUT: the due date must be a date/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fs.readFileSync(path.join(data, `charts-${context}.jsonl`)).equals(before)).toBe(true);
  });

  it('a call retried with the same operationId applies once and answers as the first time', async () => {
    const context = 'retried';
    const args = { context, desiredOutcome: 'Once only', currentReality: 'Nothing yet', dueDate: '2027-05-01', actionSteps: ['First'], operationId: 'session-7-create' };
    const first = await server.call<{ chartId: string }>('create_structural_tension_chart', args);
    const second = await server.call<{ chartId: string; alreadyApplied?: boolean }>('create_structural_tension_chart', args);
    expect(second).toMatchObject({ chartId: first.chartId, alreadyApplied: true });
    const step = { context, parentChartId: first.chartId, actionStepTitle: 'Second', currentReality: 'Not begun', operationId: 'session-7-step' };
    const added = await server.call('add_action_step', step);
    expect(await server.call('add_action_step', step)).toEqual({ ...added, alreadyApplied: true });
    const progress = { context, actionStepName: `${first.chartId}_action_1`, progressObservation: 'Halfway', operationId: 'session-7-progress' };
    const noted = await server.call<{ chartId: string }>('update_action_progress', progress);
    // A retry answers as the first run did: the chart's id, not an empty one.
    expect(await server.call('update_action_progress', progress)).toEqual({ ...noted, alreadyApplied: true });
    expect(noted.chartId).toBe(first.chartId);
    const removal = { context, parentChartId: first.chartId, actionStepName: `${first.chartId}_action_1`, operationId: 'session-7-remove' };
    await server.call('remove_action_step', removal);
    expect(await server.call('remove_action_step', removal)).toMatchObject({ alreadyApplied: true });
    const charts = await server.call<{ charts: ChartSummary[] }>('list_active_charts', { context });
    expect(charts.charts.filter((c) => c.level === 0)).toHaveLength(1);
    expect(charts.charts.find((c) => c.id === first.chartId)?.stepsTotal).toBe(1);
  });

  it('an operationId given again with other arguments is refused (CONFLICT), nothing changed: it was answered as applied, and nothing was done', async () => {
    const context = 'reused';
    // The journal: a commit is in it when the call answers (the context file is rewritten a moment later).
    const journal = contextPaths(resolveLayout({ data }), context).journal;
    const { chartId } = await server.call<{ chartId: string }>('create_structural_tension_chart', { context, desiredOutcome: 'First', currentReality: 'r', dueDate: '2027-05-01', actionSteps: ['One', 'Two'], operationId: 'reused-1' });
    expect(await refusal(server.call('create_structural_tension_chart', { context, desiredOutcome: 'Second', currentReality: 'r', dueDate: '2027-05-01', operationId: 'reused-1' }))).toMatch(
      /CONFLICT: The operation id .* was used for another change \(create_structural_tension_chart\)/,
    );
    await server.call('mark_action_complete', { context, actionStepName: `${chartId}_action_1`, operationId: 'reused-2' });
    const before = fs.readFileSync(journal);
    expect(await refusal(server.call('mark_action_complete', { context, actionStepName: `${chartId}_action_2`, operationId: 'reused-2' }))).toMatch(/CONFLICT: .*used for another change \(mark_action_complete\)/);
    expect(fs.readFileSync(journal).equals(before)).toBe(true);
    const charts = await server.call<{ charts: ChartSummary[] }>('list_active_charts', { context });
    expect(charts.charts.map((c) => [c.desiredOutcome, c.stepsDone])).toEqual([['First', 1]]);
  });

  it('metadata written by others is kept through every change', async () => {
    const context = 'metadata';
    const { chartId } = await server.call<{ chartId: string }>('create_structural_tension_chart', { context, desiredOutcome: 'Keep the keys', currentReality: 'Keys exist', dueDate: '2027-05-01', actionSteps: ['Step'] });
    expect(runCli(['entity', 'set', '--data', data, '--context', context, '--name', `${chartId}_action_1`, '--type', 'action_step', '--meta', '{"github":"acme/app#12","mmotEvaluations":[{"phase":"acknowledge"}]}']).status).toBe(0);
    await server.call('update_action_progress', { context, actionStepName: `${chartId}_action_1`, progressObservation: 'Halfway' });
    await server.call('mark_action_complete', { context, actionStepName: `${chartId}_action_1` });
    const graph = await server.call<{ entities: { name: string; metadata?: Record<string, unknown> }[] }>('open_nodes', { context, names: [`${chartId}_action_1`] });
    expect(graph.entities[0]?.metadata).toMatchObject({ chartId, completionStatus: true, github: 'acme/app#12', mmotEvaluations: [{ phase: 'acknowledge' }] });
  });
});

describe('charts coaia-narrative made', () => {
  it('are read, completed and removed by ours on the same --memory-path file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'memory.jsonl');
    const narrative = await startCoaiaNarrativeMcp(file);
    let parent: string;
    let sub: string;
    try {
      // Its answers are text: JSON for a new chart, a sentence for a step.
      parent = (await narrative.call<{ chartId: string }>('create_structural_tension_chart', { desiredOutcome: 'Publish the album', currentReality: 'Six songs demoed', dueDate: '2027-08-01', actionSteps: ['Mix the songs', 'Press the vinyl'] })).chartId;
      const added = await narrative.call<{ text: string }>('add_action_step', { parentChartId: parent, actionStepTitle: 'Master the songs', currentReality: 'No engineer yet' });
      sub = /telescoped chart '(chart_\d+)'/.exec(added.text)?.[1] as string;
      expect(sub).toMatch(/^chart_\d+$/);
    } finally {
      await narrative.close();
    }
    const ours = await startTensionMcp(['--memory-path', file]);
    try {
      const active = await ours.call<{ charts: ChartSummary[] }>('list_active_charts', {});
      expect(active.charts.map((c) => [c.id, c.level])).toEqual([
        [parent, 0],
        [sub, 1],
      ]);
      const done = await ours.call('mark_action_complete', { actionStepName: `${parent}_action_1` });
      // coaia-narrative would have marked the whole chart complete here (PEERS.md failure 5).
      expect(done).toMatchObject({ chartId: parent, chartComplete: false, completedActions: 1, totalActions: 2 });
      // Its step-as-a-chart completed: noted in the parent's reality as coaia-narrative notes it; the removal takes the note back.
      await ours.call('mark_action_complete', { actionStepName: `${sub}_desired_outcome` });
      expect((await ours.call<ChartTree>('get_chart', { chartId: parent })).chart.currentReality).toContain('Completed: Master the songs');
      const removed = await ours.call<{ records: number }>('remove_action_step', { parentChartId: parent, actionStepName: `${sub}_desired_outcome` });
      expect(removed.records).toBeGreaterThanOrEqual(3);
      const left = await ours.call<{ charts: ChartSummary[] }>('list_active_charts', {});
      expect(left.charts.map((c) => c.id)).toEqual([parent]);
      expect((await ours.call<ChartTree>('get_chart', { chartId: parent })).chart).toMatchObject({ complete: false, currentReality: ['Six songs demoed', 'Completed: Mix the songs'] });
      const chartEntity = await ours.call<{ entities: { metadata?: Record<string, unknown> }[] }>('open_nodes', { names: [`${parent}_chart`] });
      expect(chartEntity.entities[0]?.metadata).not.toHaveProperty('completionStatus');
    } finally {
      await ours.close();
    }
    expect(fs.readFileSync(file, 'utf8')).not.toContain(`${sub}_`);
  });
});
