// Recently deleted: what was removed in the last 30 days, by whom and when, with the chart as
// it was, each restorable (with its sub-charts) as a new change.
import { afterEach, describe, expect, it } from 'vitest';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { deleteEntity, setEntity } from '../../electron/core/knowledgeGraph.ts';
import { listRecentlyDeleted, restoreDeleted } from '../../electron/core/recentlyDeleted.ts';
import { historyOf } from '../../electron/core/history.ts';
import { entityKey } from '../../electron/core/records.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

const DAY = 86_400_000;

async function workWithDeletions() {
  // One clock for the journal and the charts: the deletions happen on 2026-05-01.
  let clock = Date.UTC(2026, 4, 1, 9);
  const tick = () => new Date((clock += 60_000));
  const engine = await openEngine(tempLayout(), { origin: 'app', clock: tick });
  const charts = new ChartService(engine, tick);
  const { id: plan } = await charts.create('work', { outcome: 'Ship billing', reality: ['3 pilot customers', 'Invoices typed by hand'], steps: ['Automate invoices', 'Migrate customers', 'Retire the old system'] });
  const { id: sub } = await charts.telescope('work', `${plan}_action_2`, { reality: 'Nobody migrated yet', steps: ['Write the script'] });
  const { id: garden } = await charts.create('work', { outcome: 'A vegetable garden', reality: 'A lawn', steps: ['Dig beds'] });
  const { id: trip } = await charts.create('work', { outcome: 'A week in Lisbon', reality: 'No tickets' });
  await engine.transact('work', (s) => setEntity(s, { name: 'note_x', entityType: 'note', observations: ['a loose note'] }));
  await charts.completeStep('work', `${plan}_action_1`);
  // The deletions, in order.
  await charts.removeStep('work', `${plan}_action_2`);
  await charts.editReality('work', plan, 'Invoices typed by hand', undefined);
  await charts.removeChart('work', garden);
  await engine.transact('work', (s) => deleteEntity(s, 'note_x'), { origin: 'cli' });
  // Not a deletion: the chart lives on in another context.
  await charts.move('work', trip, 'personal');
  return { engine, charts, plan, sub, garden, trip };
}

describe('recently deleted', () => {
  it('lists every chart, step, observation and entity removed, by whom and when, with the chart as it was; a chart moved away is not listed', async () => {
    const { engine, plan, sub, garden } = await workWithDeletions();
    const items = await listRecentlyDeleted(engine, { now: new Date(Date.UTC(2026, 4, 2)) });
    expect(items.map((i) => [i.kind, i.name, i.by])).toEqual([
      ['entity', 'note_x', 'the tension command'],
      ['chart', garden, 'this app'],
      ['observation', `${plan}_current_reality`, 'this app'],
      ['step', `${plan}_action_2`, 'this app'],
    ]);
    const step = items.find((i) => i.kind === 'step')!;
    expect(step).toMatchObject({ title: 'Migrate customers', chartId: plan, subCharts: [sub] });
    // The chart as it was just before: the step still there, telescoped into its sub-chart.
    expect(step.chart?.chart.steps.map((s) => s.title)).toEqual(['Automate invoices', 'Migrate customers', 'Retire the old system']);
    expect(step.chart?.children.map((c) => c.chart.id)).toEqual([sub]);
    expect(items.find((i) => i.kind === 'observation')).toMatchObject({ title: 'Invoices typed by hand', chartId: plan });
    expect(items.find((i) => i.kind === 'chart')).toMatchObject({ title: 'A vegetable garden', subCharts: [] });
    expect(items.find((i) => i.kind === 'chart')?.chart?.chart.steps.map((s) => s.title)).toEqual(['Dig beds']);
    // Thirty days later they are out of the window (unless asked for a longer one).
    expect(await listRecentlyDeleted(engine, { now: new Date(Date.UTC(2026, 4, 1) + 31 * DAY) })).toEqual([]);
    expect(await listRecentlyDeleted(engine, { now: new Date(Date.UTC(2026, 4, 1) + 31 * DAY), days: 60 })).toHaveLength(4);
    await engine.close();
  });

  it('restores a removed step with its sub-chart, an observation and a chart, each as a new change, and they leave the list', async () => {
    const { engine, charts, plan, sub, garden } = await workWithDeletions();
    const now = new Date(Date.UTC(2026, 4, 2));
    const items = await listRecentlyDeleted(engine, { now });
    const step = items.find((i) => i.kind === 'step')!;
    const restored = await restoreDeleted(engine, step.id, { now });
    expect(restored.changed).toBeGreaterThan(5);
    const tree = await charts.tree('work', plan);
    expect(tree.chart.steps.map((s) => s.title)).toEqual(['Automate invoices', 'Migrate customers', 'Retire the old system']);
    expect(tree.children.map((c) => [c.chart.id, c.chart.steps.map((s) => s.title)])).toEqual([[sub, ['Write the script']]]);

    await restoreDeleted(engine, items.find((i) => i.kind === 'observation')!.id, { now });
    expect((await charts.show('work', plan)).currentReality).toContain('Invoices typed by hand');
    await restoreDeleted(engine, items.find((i) => i.kind === 'chart')!.id, { now });
    expect((await charts.show('work', garden)).steps.map((s) => s.title)).toEqual(['Dig beds']);

    // A new change in the journal, not a rewrite of history: the step's history shows its removal and its return.
    const journal = await engine.read('work', (_s, store) => store.paths.journal);
    const versions = historyOf(engine.fs, journal, (k) => k === entityKey(`${plan}_action_2`)).get(entityKey(`${plan}_action_2`))!;
    expect(versions.map((v) => v.action).slice(-2)).toEqual(['delete', 'set']);
    expect(versions.at(-1)?.note).toMatch(/restored the deleted step/);
    expect((await listRecentlyDeleted(engine, { now })).map((i) => i.kind)).toEqual(['entity']);
    await engine.close();
  });

  it('a thing whose name was taken again since is not restored over it; nothing changes', async () => {
    const { engine } = await workWithDeletions();
    const now = new Date(Date.UTC(2026, 4, 2));
    const note = (await listRecentlyDeleted(engine, { now })).find((i) => i.name === 'note_x')!;
    await engine.transact('work', (s) => setEntity(s, { name: 'note_x', entityType: 'note', observations: ['a new note'] }));
    // Made again: it no longer shows as deleted, and its old id is refused.
    expect((await listRecentlyDeleted(engine, { now })).some((i) => i.name === 'note_x')).toBe(false);
    await expect(restoreDeleted(engine, note.id, { now })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(restoreDeleted(engine, 'nonsense', { now })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await engine.close();
  });
});
