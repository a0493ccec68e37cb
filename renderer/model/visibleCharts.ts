// The chart list as shown: the loaded summaries (or the search hits while searching),
// filtered by open/complete and sorted. Computed from the stores, never stored; memoized on
// its inputs so 100k rows are sorted once per change, not once per render, and a list made
// by a difference of a few charts (an outside change) updates the rows sorted before by those
// charts alone. The order is total (shared/chartOrder.ts), so the rows updated so are the rows
// a full sort gives; the engine keeps the summaries by due date, so the first sort finds them
// in order.
import type { ChartSummary } from '../../shared/domain.ts';
import type { SearchHit } from '../../shared/contract.ts';
import { deltaBehind, type AppliedDelta } from './chartListDelta.ts';
import { chartOrder as compare, firstAfter, keptBy as keep, type ChartFilter, type ChartSort } from '../../shared/chartOrder.ts';

export type { ChartFilter, ChartSort };

export interface ListInputs {
  readonly summaries: readonly ChartSummary[];
  readonly hits: readonly SearchHit[] | null;
  readonly sort: ChartSort;
  readonly filter: ChartFilter;
}

export function computeVisibleCharts(inputs: ListInputs): ChartSummary[] {
  if (inputs.hits) return inputs.hits.map((hit) => hit.chart).filter(keep(inputs.filter));
  return inputs.summaries.filter(keep(inputs.filter)).sort(compare(inputs.sort));
}

/** The rows of the list before a difference, updated by it: the summaries it took out found by their place in the order, its own put in at theirs. */
function updateVisibleCharts(rows: readonly ChartSummary[], delta: AppliedDelta, inputs: ListInputs): ChartSummary[] {
  const next = rows.slice();
  const order = compare(inputs.sort);
  const kept = keep(inputs.filter);
  for (const summary of delta.left) {
    if (!kept(summary)) continue;
    const at = firstAfter(next, summary, order) - 1;
    // The order is total, so a row shown is found at its place; indexOf only if it was not.
    const index = next[at] === summary ? at : next.indexOf(summary);
    if (index >= 0) next.splice(index, 1);
  }
  for (const summary of delta.changed) if (kept(summary)) next.splice(firstAfter(next, summary, order), 0, summary);
  return next;
}

let last: { inputs: ListInputs; result: ChartSummary[] } | undefined;

export function visibleCharts(inputs: ListInputs): ChartSummary[] {
  if (last && last.inputs.hits === inputs.hits && last.inputs.sort === inputs.sort && last.inputs.filter === inputs.filter) {
    if (last.inputs.summaries === inputs.summaries) return last.result;
    const delta = inputs.hits ? undefined : deltaBehind(inputs.summaries);
    if (delta && delta.from === last.inputs.summaries) {
      last = { inputs, result: updateVisibleCharts(last.result, delta, inputs) };
      return last.result;
    }
  }
  last = { inputs, result: computeVisibleCharts(inputs) };
  return last.result;
}
