// What the window shows first when it opens: the chart list of every context, in the sort and
// filter it starts with, of which it asks for the first rows (charts.firstRows) beside the
// whole list. One definition for the window that asks and the app that saves the answer at its
// close, to give it at the next start while the contexts still load (savedFirstScreen.ts).
import type { ChartFilter, ChartSort } from './chartOrder.ts';
import type { ContextInfo, FirstChartRows } from './contract.ts';

/** The sort the chart list starts with. */
export const FIRST_SORT: ChartSort = 'due';
/** The filter the chart list starts with. */
export const FIRST_FILTER: ChartFilter = 'open';
/** The first rows asked for beside a whole list: a few screenfuls. */
export const FIRST_ROWS = 100;

/** The answers of the window's first requests: contexts.list, and charts.firstRows of every context in the first sort and filter. */
export interface FirstScreenAnswers {
  readonly contexts: readonly ContextInfo[];
  readonly firstRows: FirstChartRows;
}
