// The health and insights channels through the real handler table on a real data folder: the
// figures the views get, windows told after a write once insights were asked for, a notice
// pushed once however often the report is asked for, and a chart or context that is not there
// refused in plain words.
import { afterEach, describe, expect, it } from 'vitest';
import { createHandlerTable, type SenderInfo } from '../../electron/ipc/handlerTable.ts';
import type { ChannelInput, ChannelName, ChannelOutput, EventName, Events, IpcResult } from '../../shared/contract.ts';
import type { Engine } from '../../electron/core/engine.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);
const OWN: SenderInfo = { id: 1, url: 'app://tension/index.html' };

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

async function rig() {
  engine = await openEngine(tempLayout());
  const events: { event: EventName; payload: unknown }[] = [];
  const table = createHandlerTable({ engine, isOwnSender: (s) => s.id === OWN.id, emit: <E extends EventName>(event: E, payload: Events[E]) => void events.push({ event, payload }) });
  const raw = <C extends ChannelName>(channel: C, input: ChannelInput<C>) => table.handle(channel, input, OWN) as Promise<IpcResult<ChannelOutput<C>>>;
  const call = async <C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> => {
    const result = await raw(channel, input);
    if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
    return result.value;
  };
  return { events, raw, call };
}

describe('health and insights over IPC', () => {
  it('a chart created and a step completed show in the insights, and the windows are told after each write', async () => {
    const { events, call } = await rig();
    const { id } = await call('charts.create', { context: 'work', outcome: 'Ship billing', reality: ['3 pilots'], steps: [{ title: 'Automate invoices' }, { title: 'Migrate' }] });
    expect(events.filter((e) => e.event === 'insights.changed')).toEqual([]); // nobody asked yet
    const before = await call('insights.context', { context: 'work', weeks: 4 });
    expect(before.charts).toEqual({ live: 1, open: 1, complete: 0 });
    expect(before.createdPerWeek.at(-1)?.value).toBe(1);
    await call('steps.complete', { context: 'work', name: `${id}_action_1` });
    expect(events.filter((e) => e.event === 'insights.changed').map((e) => e.payload)).toEqual([{ context: 'work' }]);
    const after = await call('insights.context', { context: 'work', weeks: 4 });
    expect(after.stepsCompletedPerWeek.at(-1)?.value).toBe(1);
    expect(after.steps).toEqual({ open: 1, done: 1 });
    const page = await call('insights.chart', { id });
    expect(page.progress.done.at(-1)?.value).toBe(1);
    expect(page.progress.total.at(-1)?.value).toBe(2);
  });

  it('the health report names the contexts, and a notice is pushed once however often it is asked for', async () => {
    const { events, call } = await rig();
    await call('charts.create', { context: 'work', outcome: 'Ship billing', reality: ['3 pilots'] });
    const report = await call('health.report', {});
    expect(report.contexts.map((c) => c.context)).toEqual(['work']);
    expect(report.activity.byOrigin.map((o) => [o.origin, o.total])).toEqual([['app', 1]]);
    expect(report.performance.operations.find((o) => o.what === 'write')?.count).toBeGreaterThan(0); // the create, timed by the monitor the table attached
    await call('health.report', { context: 'work', days: 7 });
    const checked = await call('health.check', {});
    expect(checked.contexts[0]?.integrity.lastVerified?.by).toBe('person');
    const notices = events.filter((e) => e.event === 'health.notice').map((e) => (e.payload as { id: string }).id);
    expect(notices).toEqual(['backup-stale:none']);
  });

  it('a chart no history holds, or a context that is not there, is refused in plain words', async () => {
    const { raw } = await rig();
    const chart = await raw('insights.chart', { id: 'chart_nowhere' });
    expect(chart).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringContaining('No chart "chart_nowhere"') } });
    const context = await raw('health.report', { context: 'ghost' });
    expect(context).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', kept: 'Nothing was changed.' } });
    const bad = await raw('insights.context', { weeks: 0 } as never);
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', issues: [{ path: 'weeks' }] } });
  });
});
