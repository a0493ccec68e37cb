// Applying charts.changes to the chart list the app holds: summaries of contexts sent whole
// are dropped first, charts gone are dropped, new and changed summaries replace theirs in
// place (new ones at the end). An answer that changes nothing keeps the same array, so that
// nothing downstream (sorting 100k rows) runs again for it.
import type { ChartListDelta } from '../../shared/contract.ts';
import type { ChartSummary } from '../../shared/domain.ts';

const keyOf = (context: string, id: string) => `${context}\u0000${id}`;

export function applyChartListDelta(held: readonly ChartSummary[], delta: ChartListDelta): readonly ChartSummary[] {
  if (delta.whole) return delta.changed;
  if (delta.replaced.length === 0 && delta.removed.length === 0 && delta.changed.length === 0) return held;
  const replaced = new Set(delta.replaced);
  const removed = new Set(delta.removed.map((r) => keyOf(r.context, r.id)));
  const changed = new Map(delta.changed.map((s) => [keyOf(s.context, s.id), s]));
  const next: ChartSummary[] = [];
  for (const summary of held) {
    if (replaced.has(summary.context)) continue;
    const key = keyOf(summary.context, summary.id);
    if (removed.has(key)) continue;
    const fresh = changed.get(key);
    if (fresh) changed.delete(key);
    next.push(fresh ?? summary);
  }
  for (const summary of changed.values()) next.push(summary);
  return next;
}
