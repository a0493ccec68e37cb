// The first rows of the chart list as the window shows them (its sort and filter), with how many
// rows there are in all: what the window asks for beside the whole list when it has none yet.
// At 100k charts the whole list is 13.5 MB that the engine serializes and the window parses
// and sorts, 0.5-1 s in all; the first hundred rows are a few kB, picked in one pass over the
// kept summaries (chartSummaries.ts), and on screen while the rest is on its way.
import type { FirstChartRows } from '../../../shared/contract.ts';
import type { ChartSummary } from '../../../shared/domain.ts';
import { chartOrder, firstAfter, keptBy, type ChartFilter, type ChartSort } from '../../../shared/chartOrder.ts';
import { toChartListColumns } from '../../../shared/summaryColumns.ts';
import type { Engine } from '../engine.ts';
import { validateContextName } from '../dataRoot.ts';
import { keptSummaryOf, NOT_KEPT, summarizeCharts } from './chartSummaries.ts';

export interface FirstRowsAsked {
  readonly count: number;
  readonly sort: ChartSort;
  readonly filter: ChartFilter;
}

/** The first `count` rows of one context's list, or of every context's, and the parents' outcomes of those that are sub-charts. */
export async function firstChartRows(engine: Engine, context: string | undefined, asked: FirstRowsAsked): Promise<FirstChartRows> {
  const contexts = context === undefined ? engine.listContextNames() : [validateContextName(context)];
  const order = chartOrder(asked.sort);
  const kept = keptBy(asked.filter);
  const best: ChartSummary[] = [];
  const parents = new Map<ChartSummary, string>();
  let total = 0;
  for (const name of contexts) {
    await engine.read(name, (state) => {
      for (const summary of summarizeCharts(state, name)) {
        if (!kept(summary)) continue;
        total += 1;
        keepIfAmongFirst(best, summary, order, asked.count);
      }
      // A sub-chart's parent is in its own context: its outcome is read while that context is at hand.
      for (const summary of best) {
        if (summary.context !== name || summary.parentChart === undefined || parents.has(summary)) continue;
        const parent = keptSummaryOf(state, summary.parentChart, name);
        if (parent !== NOT_KEPT) parents.set(summary, parent.desiredOutcome);
      }
    });
  }
  return { rows: toChartListColumns(best), parents: best.map((s) => parents.get(s) ?? null), total };
}

/** Puts `summary` in its place among `best` (sorted by `order`) when it is among the first `count`. */
function keepIfAmongFirst(best: ChartSummary[], summary: ChartSummary, order: (a: ChartSummary, b: ChartSummary) => number, count: number): void {
  if (best.length === count && order(best[count - 1] as ChartSummary, summary) <= 0) return;
  best.splice(firstAfter(best, summary, order), 0, summary);
  if (best.length > count) best.pop();
}
