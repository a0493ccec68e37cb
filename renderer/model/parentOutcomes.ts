// The desired outcome of every chart in the list, by context and id: a sub-chart's row names
// the chart it belongs to with it. Made once per list, and for a list made by a difference
// (an outside change, chartListDelta.ts) taken over from the list before and changed by those
// few charts: made anew from 100k summaries at every change, it cost about 100 ms.
import type { ChartSummary } from '../../shared/domain.ts';
import { deltaBehind } from './chartListDelta.ts';

type Outcomes = Map<string, Map<string, string>>;

const outcomesOf = new WeakMap<readonly ChartSummary[], Outcomes>();

function put(outcomes: Outcomes, summary: ChartSummary): void {
  let inContext = outcomes.get(summary.context);
  if (!inContext) outcomes.set(summary.context, (inContext = new Map()));
  inContext.set(summary.id, summary.desiredOutcome);
}

export function parentOutcomes(list: readonly ChartSummary[]): ReadonlyMap<string, ReadonlyMap<string, string>> {
  const known = outcomesOf.get(list);
  if (known) return known;
  const delta = deltaBehind(list);
  const before = delta ? outcomesOf.get(delta.from) : undefined;
  let outcomes: Outcomes;
  if (delta && before) {
    // The list before is not shown again: its map is taken over (a list asked for later is read anew).
    outcomesOf.delete(delta.from);
    outcomes = before;
    for (const summary of delta.left) outcomes.get(summary.context)?.delete(summary.id);
    for (const summary of delta.changed) put(outcomes, summary);
  } else {
    outcomes = new Map();
    for (const summary of list) put(outcomes, summary);
  }
  outcomesOf.set(list, outcomes);
  return outcomes;
}
