// The chart list's orders and filters, shared by the window (which sorts what it shows) and the engine
// (which keeps each context's summaries by due date, so that the window's sort of 100k rows
// finds them in order already: 30 ms in place of 150-270 ms). Equal due dates (or times) go by
// context, then id: the order is total.
import type { ChartSummary } from './domain.ts';

export type ChartSort = 'due' | 'updated';
export type ChartFilter = 'open' | 'complete' | 'all';

/** Whether the list shows a chart under `filter`. */
export function keptBy(filter: ChartFilter): (chart: ChartSummary) => boolean {
  return (c) => filter === 'all' || (filter === 'open' ? !c.complete : c.complete);
}

const byPlace = (a: ChartSummary, b: ChartSummary) => (a.context < b.context ? -1 : a.context > b.context ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Soonest due first, charts without a due date last. */
export function byDueDate(a: ChartSummary, b: ChartSummary): number {
  if (a.dueDate === b.dueDate) return byPlace(a, b);
  if (a.dueDate === undefined) return 1;
  if (b.dueDate === undefined) return -1;
  return a.dueDate < b.dueDate ? -1 : 1;
}

/** Newest change first; ISO times compare as text (localeCompare was several times slower on 100k rows). */
export function byUpdated(a: ChartSummary, b: ChartSummary): number {
  const x = a.updatedAt ?? '';
  const y = b.updatedAt ?? '';
  return x === y ? byPlace(a, b) : x < y ? 1 : -1;
}

export function chartOrder(sort: ChartSort): (a: ChartSummary, b: ChartSummary) => number {
  return sort === 'updated' ? byUpdated : byDueDate;
}

/** The index of the first of `rows` (sorted by `order`) that sorts after `summary`: where it goes (a binary search). */
export function firstAfter(rows: readonly ChartSummary[], summary: ChartSummary, order: (a: ChartSummary, b: ChartSummary) => number): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (order(rows[middle] as ChartSummary, summary) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
