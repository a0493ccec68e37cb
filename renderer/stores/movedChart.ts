// Where a chart went when its context no longer holds it: chart ids are unique across contexts,
// so another context holding the id holds the chart, moved there (by another program, or a move
// made in this window). Contexts are few: each is asked for that one chart, in the order listed.
import type { ChartTree } from '../../shared/domain.ts';
import type { Client } from './client.ts';

export async function findMovedChart(client: Client, id: string, from: string): Promise<{ readonly context: string; readonly tree: ChartTree } | null> {
  const contexts = await client.call('contexts.list', {});
  if (!contexts.ok) return null;
  for (const { context, charts } of contexts.value) {
    if (context === from || charts === 0) continue;
    const there = await client.call('charts.tree', { context, id });
    if (there.ok) return { context, tree: there.value };
  }
  return null;
}
