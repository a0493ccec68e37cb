// Applying charts.changes to the chart list the app holds: summaries of contexts sent whole
// are dropped first, charts gone are dropped, new and changed summaries replace theirs in
// place (new ones at the end). An answer that changes nothing keeps the same array, so that
// nothing downstream (sorting 100k rows) runs again for it. A list made by a difference
// remembers it (deltaBehind), so that what is derived from the list (the sorted rows, the
// parents' outcomes) changes by the same few charts instead of being made again from 100k:
// at 100k charts that was 300-500 ms of the window's time for each outside change.
import type { ChartListDelta } from '../../shared/contract.ts';
import type { ChartSummary } from '../../shared/domain.ts';
import { appendAll } from '../../shared/appendAll.ts';

/** A list made by a difference: the list it was applied to, the summaries it brought, and the summaries of that list it removed or replaced. */
export interface AppliedDelta {
  readonly from: readonly ChartSummary[];
  readonly changed: readonly ChartSummary[];
  readonly left: readonly ChartSummary[];
}

const applied = new WeakMap<readonly ChartSummary[], AppliedDelta>();

/** The difference a list was made by from the one before it; undefined for a list sent whole or replaced in part. */
export function deltaBehind(list: readonly ChartSummary[]): AppliedDelta | undefined {
  return applied.get(list);
}

function byContext<T>(map: Map<string, T>, context: string, make: () => T): T {
  let entry = map.get(context);
  if (entry === undefined) map.set(context, (entry = make()));
  return entry;
}

export function applyChartListDelta(held: readonly ChartSummary[], delta: ChartListDelta): readonly ChartSummary[] {
  if (delta.whole) return delta.changed;
  if (delta.replaced.length === 0 && delta.removed.length === 0 && delta.changed.length === 0) return held;
  const replaced = new Set(delta.replaced);
  // By context, then id: no key string made for each of 100k summaries held.
  const removed = new Map<string, Set<string>>();
  for (const { context, id } of delta.removed) byContext(removed, context, () => new Set<string>()).add(id);
  const changed = new Map<string, Map<string, ChartSummary>>();
  for (const summary of delta.changed) byContext(changed, summary.context, () => new Map<string, ChartSummary>()).set(summary.id, summary);
  // What the difference brings, each chart once (the last summary sent for it).
  const brought: ChartSummary[] = [];
  for (const inContext of changed.values()) appendAll(brought, inContext.values());
  const next: ChartSummary[] = [];
  const left: ChartSummary[] = [];
  for (const summary of held) {
    if (replaced.has(summary.context)) continue;
    if (removed.get(summary.context)?.has(summary.id)) {
      left.push(summary);
      continue;
    }
    const inContext = changed.get(summary.context);
    const fresh = inContext?.get(summary.id);
    if (fresh) {
      inContext?.delete(summary.id);
      left.push(summary);
    }
    next.push(fresh ?? summary);
  }
  for (const inContext of changed.values()) for (const summary of inContext.values()) next.push(summary);
  if (replaced.size === 0) applied.set(next, { from: held, changed: brought, left });
  return next;
}
