// charts.changes: the chart list as a difference since the app's last answer. Through the real
// handler table on a real engine, with another process's engine writing the same folder (as
// the CLI does): each difference, applied to the list held, gives exactly the list a fresh
// charts.list gives, and carries only what changed.
import { afterEach, describe, expect, it } from 'vitest';
import { createHandlerTable } from '../../electron/ipc/handlerTable.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { Engine } from '../../electron/core/engine.ts';
import { applyChartListDelta } from '../../renderer/model/chartListDelta.ts';
import type { ChartListDelta, ChartListDeltaColumns, IpcResult } from '../../shared/contract.ts';
import { fromChartListColumns } from '../../shared/summaryColumns.ts';
import type { ChartSummary } from '../../shared/domain.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { RecordSet } from '../../electron/core/recordSet.ts';
import { recordFromObject } from '../../electron/core/knowledgeGraph.ts';
import { chartListChangesSince, summarizeCharts } from '../../electron/core/charts/chartSummaries.ts';

afterEach(removeTempDirs);

const sorted = (list: readonly ChartSummary[]) => [...list].sort((a, b) => `${a.context}/${a.id}`.localeCompare(`${b.context}/${b.id}`));

describe('the chart list as a difference since the last answer', () => {
  it('sends only what changed (ours, another process\'s, removals), and applied to the list held equals a fresh list', async () => {
    const layout = tempLayout();
    const engine = await openEngine(layout);
    const charts = new ChartService(engine);
    const table = createHandlerTable({ engine, charts, isOwnSender: () => true });
    const call = async <T>(channel: string, input: unknown) => {
      const result = (await table.handle(channel, input, { id: 1, url: 'app://tension/index.html' })) as IpcResult<T>;
      if (!result.ok) throw new Error(result.error.message);
      return result.value;
    };
    // As the window reads it: the summaries cross by field (shared/summaryColumns.ts).
    const changes = async (input: unknown): Promise<ChartListDelta> => {
      const wire = await call<ChartListDeltaColumns>('charts.changes', input);
      return { ...wire, changed: fromChartListColumns(wire.changed) };
    };
    const fresh = () => call<ChartSummary[]>('charts.list', {});
    const { id: a } = await charts.create('work', { outcome: 'A', reality: 'r', steps: ['one', 'two'] });
    const { id: b } = await charts.create('work', { outcome: 'B', reality: 'r' });
    const { id: c } = await charts.create('work', { outcome: 'C', reality: 'r' });
    await charts.create('home', { outcome: 'D', reality: 'r' });

    const first = await changes({});
    expect(first.whole).toBe(true);
    expect(sorted(first.changed)).toEqual(sorted(await fresh()));
    let held = applyChartListDelta([], first);
    let token = first.token;

    const quiet = await changes({ since: token });
    expect(quiet).toMatchObject({ whole: false, replaced: [], changed: [], removed: [] });
    expect(applyChartListDelta(held, quiet)).toBe(held); // nothing to sort again

    await charts.completeStep('work', `${a}_action_1`);
    const { id: e } = await charts.create('home', { outcome: 'E', reality: 'r' });
    await charts.removeChart('work', c);
    // Another process (the CLI, an MCP server) writes the same folder.
    const other = await Engine.open({ layout, origin: 'cli', rewriteDelayMs: -1 });
    const { id: f } = await new ChartService(other).create('work', { outcome: 'From the CLI', reality: 'r' });
    await other.close();

    const delta = await changes({ since: token });
    expect(delta.whole).toBe(false);
    expect(delta.changed.map((s) => s.id).sort()).toEqual([a, e, f].sort());
    expect(delta.changed.find((s) => s.id === a)).toMatchObject({ stepsDone: 1, stepsTotal: 2 });
    expect(delta.removed).toEqual([{ context: 'work', id: c }]);
    expect(delta.changed.some((s) => s.id === b)).toBe(false);
    held = applyChartListDelta(held, delta);
    expect(sorted(held)).toEqual(sorted(await fresh()));
    token = delta.token;

    // One context asked for: only its charts; a token that is not ours: the whole list again.
    const work = await changes({ context: 'work' });
    expect(work.whole).toBe(true);
    expect(new Set(work.changed.map((s) => s.context))).toEqual(new Set(['work']));
    for (const bad of ['', 'not json', '[]', '{"work":{"epoch":1}}', '{"work":{"epoch":"elsewhere","generation":3}}']) {
      // Unreadable: the whole list; another cache's positions: every context it names sent whole.
      const answer = await changes({ since: bad });
      expect(answer.whole || answer.replaced.length === 2, bad).toBe(true);
      expect(sorted(applyChartListDelta(held, answer)), bad).toEqual(sorted(await fresh()));
    }
    // A context the list held that no longer exists is dropped whole.
    const stale = JSON.stringify({ ...JSON.parse(token), gone: { epoch: 'x', generation: 1 } });
    const ghost = { context: 'gone', id: 'chart_ghost', desiredOutcome: 'ghost', level: 0, complete: false, stepsDone: 0, stepsTotal: 0 } satisfies ChartSummary;
    const answer = await changes({ since: stale });
    expect(answer.replaced).toContain('gone');
    expect(sorted(applyChartListDelta([...held, ghost], answer))).toEqual(sorted(await fresh()));
    await engine.close();
  });
});

describe('a difference after the log of changes was cut', () => {
  it('a token older than every change still logged gets the whole list, never a difference missing some of them', () => {
    const state = new RecordSet();
    const outcome = (i: number, text: string) => state.set(recordFromObject({ type: 'entity', name: `chart_${i}_desired_outcome`, entityType: 'desired_outcome', observations: [text], metadata: { chartId: `chart_${i}` } }));
    for (let i = 0; i < 20_000; i += 1) {
      state.set(recordFromObject({ type: 'entity', name: `chart_${i}_chart`, entityType: 'structural_tension_chart', observations: [], metadata: { chartId: `chart_${i}`, level: 0 } }));
      outcome(i, 'v0');
    }
    const held = new Map(summarizeCharts(state, 'w').map((s) => [s.id, s]));
    let token = chartListChangesSince(state, 'w', undefined).at;
    const apply = (delta: ReturnType<typeof chartListChangesSince>) => {
      if (delta.whole) {
        held.clear();
        for (const s of delta.summaries) held.set(s.id, s);
      } else for (const s of delta.changed) held.set(s.id, s);
      token = delta.at;
    };
    for (let i = 0; i < 9_000; i += 1) outcome(i, 'v1');
    apply(chartListChangesSince(state, 'w', token));
    // Two more passes the app does not see (other lists made them), enough to cut the log inside the first.
    for (let i = 9_000; i < 18_000; i += 1) outcome(i, 'v2');
    summarizeCharts(state, 'w');
    for (let i = 0; i < 5_000; i += 1) outcome(i, 'v3');
    summarizeCharts(state, 'w');
    apply(chartListChangesSince(state, 'w', token));
    const stale = summarizeCharts(state, 'w').filter((s) => JSON.stringify(held.get(s.id)) !== JSON.stringify(s));
    expect(stale.length).toBe(0);
  });
});
