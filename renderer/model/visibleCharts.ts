// The chart list as shown: the loaded summaries (or the search hits while searching),
// filtered by open/complete and sorted. Computed from the stores, never stored; memoized on
// its inputs so 100k rows are sorted once per change, not once per render.
import type { ChartSummary } from '../../shared/domain.ts';
import type { SearchHit } from '../../shared/contract.ts';

export type ChartSort = 'due' | 'updated';
export type ChartFilter = 'open' | 'complete' | 'all';

export interface ListInputs {
  readonly summaries: readonly ChartSummary[];
  readonly hits: readonly SearchHit[] | null;
  readonly sort: ChartSort;
  readonly filter: ChartFilter;
}

const keep = (filter: ChartFilter) => (c: ChartSummary) => filter === 'all' || (filter === 'open' ? !c.complete : c.complete);

function compare(sort: ChartSort) {
  if (sort === 'updated') return (a: ChartSummary, b: ChartSummary) => (b.updatedAt ?? '').localeCompare(a.updatedAt ?? '');
  return (a: ChartSummary, b: ChartSummary) => {
    if (a.dueDate === b.dueDate) return 0;
    if (a.dueDate === undefined) return 1;
    if (b.dueDate === undefined) return -1;
    return a.dueDate < b.dueDate ? -1 : 1;
  };
}

export function computeVisibleCharts(inputs: ListInputs): ChartSummary[] {
  if (inputs.hits) return inputs.hits.map((hit) => hit.chart).filter(keep(inputs.filter));
  return inputs.summaries.filter(keep(inputs.filter)).sort(compare(inputs.sort));
}

let last: { inputs: ListInputs; result: ChartSummary[] } | undefined;

export function visibleCharts(inputs: ListInputs): ChartSummary[] {
  if (last && last.inputs.summaries === inputs.summaries && last.inputs.hits === inputs.hits && last.inputs.sort === inputs.sort && last.inputs.filter === inputs.filter) {
    return last.result;
  }
  last = { inputs, result: computeVisibleCharts(inputs) };
  return last.result;
}
