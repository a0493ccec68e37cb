// The renderer's stores against the real handlers (in-memory transport, temporary folder).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { visibleCharts, computeVisibleCharts } from '../../renderer/model/visibleCharts.ts';
import { timelineOf } from '../../renderer/model/timeline.ts';
import { orderSteps } from '../../renderer/model/stepOrder.ts';
import { plainError } from '../../renderer/model/plainError.ts';
import { startLiveUpdates, LIVE_DEBOUNCE_MS } from '../../renderer/stores/liveUpdates.ts';
import { realHarness } from './realTransport.ts';
import { EngineError } from '../../electron/core/errors.ts';
import { DataRootWatcher } from '../../electron/core/dataRootWatcher.ts';
import { runCli } from '../helpers/runCli.ts';

afterEach(removeTempDirs);

async function seeded() {
  const h = await realHarness();
  const a = await h.charts.create('work', { outcome: 'Ship billing', reality: ['Pilot only'], dueDate: '2027-06-01', steps: [{ title: 'Automate invoices', dueDate: '2027-02-01' }, 'Migrate customers'] });
  const b = await h.charts.create('personal', { outcome: 'Run a marathon', reality: ['10 km'], dueDate: '2027-03-01', steps: [] });
  return { ...h, work: a.id, personal: b.id };
}

describe('the stores on the real handlers', () => {
  it('lists contexts with chart counts and health, and every chart in the all-contexts view', async () => {
    const { engine, stores } = await seeded();
    await stores.contexts.getState().load();
    expect(stores.contexts.getState().list.map((c) => [c.context, c.charts, c.health])).toEqual([['personal', 1, 'ok'], ['work', 1, 'ok']]);
    await stores.charts.getState().load(null);
    const state = stores.charts.getState();
    expect(visibleCharts(state).map((c) => c.desiredOutcome)).toEqual(['Run a marathon', 'Ship billing']); // by due date
    await stores.charts.getState().load('work');
    expect(stores.charts.getState().summaries.map((c) => c.context)).toEqual(['work']);
    const created = await stores.contexts.getState().create('garden');
    expect(created.ok).toBe(true);
    expect(stores.contexts.getState().list.map((c) => c.context)).toContain('garden');
    await engine.close();
  });

  it('keeps the list whole by difference: an outside change arrives as one summary, and a context left before its answer came is read whole on return', async () => {
    const { engine, stores, charts } = await seeded();
    await charts.create('work', { outcome: 'Second work chart', reality: ['r'] });
    await stores.charts.getState().load('work');
    expect(stores.charts.getState().summaries.map((c) => c.desiredOutcome).sort()).toEqual(['Second work chart', 'Ship billing']);
    // Another program adds a chart: the next load is a difference applied to the list held.
    await charts.create('work', { outcome: 'Third, from outside', reality: ['r'] });
    const before = stores.charts.getState().summaries;
    await stores.charts.getState().load();
    expect(stores.charts.getState().summaries.slice(0, before.length)).toEqual(before);
    expect(stores.charts.getState().summaries.map((c) => c.desiredOutcome).sort()).toEqual(['Second work chart', 'Ship billing', 'Third, from outside']);
    // Off to another context and back before its answer came: the list of work is read whole again.
    const away = stores.charts.getState().load('personal');
    const back = stores.charts.getState().load('work');
    await Promise.all([away, back]);
    expect(stores.charts.getState().scope).toBe('work');
    expect(stores.charts.getState().summaries.map((c) => c.desiredOutcome).sort()).toEqual(['Second work chart', 'Ship billing', 'Third, from outside']);
    await engine.close();
  });

  it('shows a whole list as soon as one comes, although outside changes keep asking for it anew (and never an older one after a newer)', async () => {
    // Each whole list's answer, once made, is held until the test lets it go.
    const gates: (() => void)[] = [];
    const h = await realHarness({ after: (channel) => (channel === 'charts.changes' ? new Promise<void>((resolve) => gates.push(resolve)) : Promise.resolve()) });
    await h.charts.create('work', { outcome: 'First', reality: 'r' });
    const first = h.stores.charts.getState().load(null);
    await vi.waitFor(() => expect(gates.length).toBe(1));
    // An outside change arrives before the first answer: the app asks again (no token yet: the whole list).
    await h.charts.create('work', { outcome: 'Second', reality: 'r' });
    const second = h.stores.charts.getState().load();
    await vi.waitFor(() => expect(gates.length).toBe(2));
    gates[0]!();
    await first;
    // The first answer is shown while the second is still on its way.
    expect(h.stores.charts.getState().loaded).toBe(true);
    expect(h.stores.charts.getState().summaries.map((c) => c.desiredOutcome)).toEqual(['First']);
    gates[1]!();
    await second;
    expect(h.stores.charts.getState().summaries.map((c) => c.desiredOutcome).sort()).toEqual(['First', 'Second']);

    // Answers in the other order: the older whole list, coming last, is not shown over the newer.
    const scoped = h.stores.charts.getState().load('work');
    await vi.waitFor(() => expect(gates.length).toBe(3));
    await h.charts.create('work', { outcome: 'Third', reality: 'r' });
    const again = h.stores.charts.getState().load('work');
    await vi.waitFor(() => expect(gates.length).toBe(4));
    gates[3]!();
    await again;
    gates[2]!();
    await scoped;
    expect(h.stores.charts.getState().summaries.map((c) => c.desiredOutcome).sort()).toEqual(['First', 'Second', 'Third']);
    await h.engine.close();
  });

  it('searches across contexts while the list shows one context', async () => {
    const { engine, stores } = await seeded();
    await stores.charts.getState().load('work');
    await stores.charts.getState().search('marathon');
    const hits = visibleCharts(stores.charts.getState());
    expect(hits.map((c) => [c.context, c.desiredOutcome])).toEqual([['personal', 'Run a marathon']]);
    await stores.charts.getState().search('');
    expect(stores.charts.getState().hits).toBeNull();
    await engine.close();
  });

  it('opens a chart tree, and the breadcrumb leads from a sub-chart up to its root', async () => {
    const { engine, stores, charts, work } = await seeded();
    const sub = await charts.telescope('work', `${work}_action_1`, {});
    const refused = await charts.telescope('work', `${sub.id}_action_1`, {}).then(() => undefined, (error: unknown) => error);
    await stores.selection.getState().select({ context: 'work', id: work });
    expect(stores.selection.getState().tree?.children.map((c) => c.chart.id)).toEqual([sub.id]);
    await stores.selection.getState().select({ context: 'work', id: sub.id });
    expect(stores.selection.getState().ancestors.map((a) => a.desiredOutcome)).toEqual(['Ship billing']);
    // A fresh sub-chart has no steps to telescope: its first step is not found.
    expect(refused, 'telescoping a step that does not exist was accepted').toBeInstanceOf(EngineError);
    expect((refused as EngineError).code).toBe('NOT_FOUND');
    await engine.close();
  });

  it('every edit is undoable: rename, re-date, add, complete, reality, outcome, due, reorder', async () => {
    const { engine, stores, work } = await seeded();
    const { selection, editor } = stores;
    await selection.getState().select({ context: 'work', id: work });
    const chart = () => selection.getState().tree!.chart;
    const step = () => chart().steps[0]!;

    expect((await editor.renameStep(chart(), step(), 'Automate all invoices')).ok).toBe(true);
    expect(step().title).toBe('Automate all invoices');
    await editor.undo();
    expect(step().title).toBe('Automate invoices');

    await editor.redateStep(chart(), step(), '2027-05-05');
    expect(step().dueDate).toBe('2027-05-05');
    await editor.undo();
    expect(step().dueDate).toBe('2027-02-01');

    const added = await editor.addStep(chart(), 'Tell the customers', '2027-04-01');
    expect(added.ok).toBe(true);
    expect(chart().steps.map((s) => s.title)).toContain('Tell the customers');
    await editor.undo();
    expect(chart().steps.map((s) => s.title)).not.toContain('Tell the customers');

    await editor.completeStep(chart(), step());
    expect(step().completed).toBe(true);
    expect(chart().currentReality).toContain('Completed: Automate invoices');
    await editor.undo();
    expect(step().completed).toBe(false);

    await editor.addReality(chart(), 'Two pilots signed');
    expect(chart().currentReality).toContain('Two pilots signed');
    await editor.undo();
    expect(chart().currentReality).not.toContain('Two pilots signed');

    await editor.setOutcome(chart(), 'Ship billing everywhere');
    await editor.setDue(chart(), null);
    expect([chart().desiredOutcome, chart().dueDate]).toEqual(['Ship billing everywhere', undefined]);
    await editor.undo();
    await editor.undo();
    expect([chart().desiredOutcome, chart().dueDate?.slice(0, 10)]).toEqual(['Ship billing', '2027-06-01']);

    await editor.moveStep(chart(), chart().steps[1]!, 1);
    expect(chart().steps.map((s) => s.title)).toEqual(['Migrate customers', 'Automate invoices']);
    await editor.undo();
    expect(chart().steps.map((s) => s.title)).toEqual(['Automate invoices', 'Migrate customers']);
    await engine.close();
  });

  it('a refused edit comes back as a value in plain words, and leaves nothing on the undo stack', async () => {
    const { engine, stores, work } = await seeded();
    await stores.selection.getState().select({ context: 'work', id: work });
    const chart = stores.selection.getState().tree!.chart;
    const result = await stores.editor.setDue(chart, '2027-02-30');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const plain = plainError(result.error);
    expect(plain.heading).toBe('Please check what you typed');
    // In a person's words, at its field: not the schema's.
    expect(plain.lines.join(' ')).toContain('choose a real date, like 2026-12-31');
    expect(plain.lines.join(' ')).not.toContain('Invalid request');
    expect(plain.lines).toContain('Nothing was changed.');
    expect(stores.undo.getState().entries).toEqual([]);
    await engine.close();
  });

  it('live: a step the CLI adds in another process reaches the open chart (the watcher\'s data.changed refreshes the stores)', async () => {
    const { engine, stores, transport, work } = await seeded();
    // As the shell does: a watcher on the data folder emits data.changed to the renderer.
    const watcher = new DataRootWatcher(engine, (c) => transport.emit('data.changed', { context: c.context, seq: c.seq, external: c.findings }), () => undefined, { debounceMs: 30, pollMs: 200 });
    await watcher.start();
    const stop = startLiveUpdates(stores);
    try {
      await stores.charts.getState().load(null);
      await stores.selection.getState().select({ context: 'work', id: work });
      const cli = runCli(['step', 'add', work, '--title', 'Added by another process', '--data', engine.layout.root, '--context', 'work']);
      expect(cli.status, cli.stderr).toBe(0);
      await vi.waitFor(() => expect(stores.selection.getState().tree!.chart.steps.map((s) => s.title)).toContain('Added by another process'), { timeout: LIVE_DEBOUNCE_MS + 5_000 });
    } finally {
      await watcher.stop();
    }
    // Progress events come from main itself (not another process): emitted here as main would.
    transport.emit('backup.progress', { task: 'Creating a backup', done: 0, total: 1 });
    expect(stores.notifications.getState().tasks.map((t) => t.label)).toContain('Creating a backup');
    transport.emit('backup.progress', { task: 'Creating a backup', done: 1, total: 1 });
    expect(stores.notifications.getState().tasks.map((t) => t.label)).not.toContain('Creating a backup');
    // A long load of a context file: a measured bar from the first word heard (a window that
    // opened midway hears the rest only), gone when the whole file is read.
    const reading = 'Reading charts-work.jsonl (250 MB)';
    transport.emit('data.loading', { context: 'work', task: reading, done: 100, total: 400 });
    expect(stores.notifications.getState().tasks.find((t) => t.label === reading)).toMatchObject({ done: 100, total: 400 });
    transport.emit('data.loading', { context: 'work', task: reading, done: 300, total: 400 });
    expect(stores.notifications.getState().tasks.filter((t) => t.label === reading)).toMatchObject([{ done: 300, total: 400 }]);
    transport.emit('data.loading', { context: 'work', task: reading, done: 400, total: 400 });
    expect(stores.notifications.getState().tasks.map((t) => t.label)).not.toContain(reading);
    stop();
    await engine.close();
  });

  it('history: a timeline by transaction (who, when, what) and a past version', async () => {
    const { engine, stores, work } = await seeded();
    await stores.selection.getState().select({ context: 'work', id: work });
    await new Promise((r) => setTimeout(r, 20));
    await stores.editor.setOutcome(stores.selection.getState().tree!.chart, 'Ship billing to everyone');
    await stores.history.getState().show({ context: 'work', id: work });
    const timeline = timelineOf(stores.history.getState().entries);
    expect(timeline.length).toBe(2);
    expect(timeline[0]).toMatchObject({ who: 'you, in this app', what: ['Outcome changed from ‘Ship billing’ to ‘Ship billing to everyone’'] });
    expect(timeline[1]).toMatchObject({ what: ['Created the chart ‘Ship billing’ with 2 steps'] });
    await stores.history.getState().viewAt(timeline[1]!.ts);
    expect(stores.history.getState().past?.desiredOutcome).toBe('Ship billing');
    await engine.close();
  });
});

describe('derived data', () => {
  it('filters open/complete and sorts by due date or last change', () => {
    const base = { context: 'c', level: 0, stepsDone: 0, stepsTotal: 0 };
    const summaries = [
      { ...base, id: 'a', desiredOutcome: 'A', dueDate: '2027-03-01', complete: false, updatedAt: '2026-01-01' },
      { ...base, id: 'b', desiredOutcome: 'B', complete: false, updatedAt: '2026-03-01' },
      { ...base, id: 'c', desiredOutcome: 'C', dueDate: '2027-01-01', complete: true, updatedAt: '2026-02-01' },
    ];
    expect(computeVisibleCharts({ summaries, hits: null, sort: 'due', filter: 'all' }).map((c) => c.id)).toEqual(['c', 'a', 'b']);
    expect(computeVisibleCharts({ summaries, hits: null, sort: 'updated', filter: 'open' }).map((c) => c.id)).toEqual(['b', 'a']);
    expect(computeVisibleCharts({ summaries, hits: null, sort: 'due', filter: 'complete' }).map((c) => c.id)).toEqual(['c']);
  });

  it('orders steps by due date, undated last', () => {
    const step = (name: string, dueDate?: string) => ({ name, number: 1, title: name, notes: [], completed: false, ...(dueDate ? { dueDate } : {}) });
    expect(orderSteps([step('x'), step('y', '2027-05-01'), step('z', '2027-01-01')], 'due').map((s) => s.name)).toEqual(['z', 'y', 'x']);
  });
});
