// charts.firstRows: the first rows of the chart list in the window's sort and filter, asked
// beside the whole list when the window has none. Through the real handler table on a real
// engine: for every sort and filter, and counts below, at and above the list's size, the rows
// are exactly the first rows of the whole list as the window sorts and filters it, the total is
// the whole list's count, and each sub-chart row comes with its parent's outcome. And a list of
// 200k charts crosses whole.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandlerTable } from '../../electron/ipc/handlerTable.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { computeVisibleCharts } from '../../renderer/model/visibleCharts.ts';
import type { ChartFilter, ChartSort } from '../../shared/chartOrder.ts';
import type { ChartListDeltaColumns, FirstChartRows, IpcResult } from '../../shared/contract.ts';
import type { ChartSummary } from '../../shared/domain.ts';
import { fromChartListColumns } from '../../shared/summaryColumns.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { seededRandom } from '../helpers/seededRandom.ts';

afterEach(removeTempDirs);

describe('the first rows of the chart list', () => {
  it('are the whole list\'s first rows in every sort and filter, with its count and the parents\' outcomes', async () => {
    const engine = await openEngine(tempLayout());
    const charts = new ChartService(engine);
    const table = createHandlerTable({ engine, charts, isOwnSender: () => true });
    const call = async <T,>(channel: string, input: unknown) => {
      const result = (await table.handle(channel, input, { id: 1, url: 'app://tension/index.html' })) as IpcResult<T>;
      if (!result.ok) throw new Error(result.error.message);
      return result.value;
    };
    const random = seededRandom(15);
    const days = ['2026-03-01', '2026-03-02', '2027-01-15', undefined];
    for (let i = 0; i < 60; i += 1) {
      const context = ['work', 'home', 'garden'][i % 3] as string;
      const due = days[Math.floor(random() * days.length)];
      const { id } = await charts.create(context, { outcome: `Outcome ${i}`, reality: 'r', ...(due ? { dueDate: due } : {}), steps: ['one'] });
      if (random() < 0.3) await charts.completeOutcome(context, id);
      // Sub-charts, some due before every other chart (their rows are among the first).
      if (random() < 0.3) await charts.telescope(context, `${id}_action_1`, { steps: ['inner'] });
    }
    const whole = await call<ChartSummary[]>('charts.list', {});
    const work = whole.filter((c) => c.context === 'work');
    expect(whole.some((c) => c.parentChart !== undefined)).toBe(true);
    const outcomeOf = new Map(whole.map((c) => [`${c.context}/${c.id}`, c.desiredOutcome]));
    for (const sort of ['due', 'updated'] as ChartSort[]) {
      for (const filter of ['open', 'complete', 'all'] as ChartFilter[]) {
        for (const [scope, list] of [[undefined, whole], ['work', work]] as const) {
          const shown = computeVisibleCharts({ summaries: list, hits: null, sort, filter });
          for (const count of [1, 7, shown.length, 1_000]) {
            const first = await call<FirstChartRows>('charts.firstRows', { ...(scope ? { context: scope } : {}), count: Math.max(1, count), sort, filter });
            const rows = fromChartListColumns(first.rows);
            const label = `${sort} ${filter} ${scope ?? 'all'} ${count}`;
            expect(rows, label).toEqual(shown.slice(0, Math.max(1, count)));
            expect(first.total, label).toBe(shown.length);
            expect(first.parents, label).toEqual(rows.map((c) => (c.parentChart ? (outcomeOf.get(`${c.context}/${c.parentChart}`) ?? null) : null)));
          }
        }
      }
    }
    // At least one sub-chart was among some first rows, with its parent's outcome.
    const due = await call<FirstChartRows>('charts.firstRows', { count: 1_000, sort: 'due', filter: 'all' });
    expect(due.parents.some((p) => p !== null)).toBe(true);
    await engine.close();
  });

  it('refuses a count out of range, an unknown sort or filter, and a bad context name, and says why', async () => {
    const engine = await openEngine(tempLayout());
    const table = createHandlerTable({ engine, isOwnSender: () => true });
    const own = { id: 1, url: 'app://tension/index.html' };
    for (const input of [{ count: 0, sort: 'due', filter: 'open' }, { count: 5_001, sort: 'due', filter: 'open' }, { count: 10, sort: 'title', filter: 'open' }, { count: 10, sort: 'due', filter: 'none' }, { count: 10, sort: 'due', filter: 'open', context: '../etc' }]) {
      expect(await table.handle('charts.firstRows', input, own), JSON.stringify(input)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    }
    await engine.close();
  });
});

describe('a whole chart list of 200k charts', () => {
  it('is listed and sent whole, both ways the window asks (a spread of every summary as arguments overflowed the stack)', async () => {
    const layout = tempLayout();
    fs.mkdirSync(layout.root, { recursive: true });
    const lines: string[] = [];
    for (let i = 0; i < 200_000; i += 1) lines.push(JSON.stringify({ type: 'entity', name: `c${i}_desired_outcome`, entityType: 'desired_outcome', observations: [`Outcome ${i}`], metadata: { chartId: `c${i}` } }));
    fs.writeFileSync(path.join(layout.root, 'charts-big.jsonl'), `${lines.join('\n')}\n`);
    const engine = await openEngine(layout);
    const table = createHandlerTable({ engine, isOwnSender: () => true });
    const own = { id: 1, url: 'app://tension/index.html' };
    const whole = (await table.handle('charts.changes', {}, own)) as IpcResult<ChartListDeltaColumns>;
    expect(whole.ok && whole.value.changed.ids.length).toBe(200_000);
    const listed = (await table.handle('charts.list', {}, own)) as IpcResult<ChartSummary[]>;
    expect(listed.ok && listed.value.length).toBe(200_000);
    const first = (await table.handle('charts.firstRows', { count: 3, sort: 'due', filter: 'open' }, own)) as IpcResult<FirstChartRows>;
    expect(first.ok && first.value.total).toBe(200_000);
    await engine.close();
  }, 120_000);
});
