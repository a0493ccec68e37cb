// Where a chart went when its context no longer holds it: chart ids are unique across contexts,
// so another context holding the id holds the chart, moved there (by another program, or a move
// made in this window). Contexts are few: each is asked for that one chart, in the order listed.
// A chart another program moved under a new id (removed, and made again elsewhere, as a peer or
// an older tool does) cannot be recognised for sure: a chart with the same desired outcome is
// only a likely place, to be named as such.
import type { ChartTree } from '../../shared/domain.ts';
import type { Client } from './client.ts';
import type { ChartRef } from './selectionStore.ts';

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

/** The search's longest query. */
const QUERY_CHARS = 500;

/** A chart other than `gone` whose desired outcome is `title`, in another context first; null when there is none. */
export async function chartWithSameTitle(client: Client, title: string, gone: ChartRef): Promise<ChartRef | null> {
  const query = title.trim().slice(0, QUERY_CHARS);
  if (query === '') return null;
  const found = await client.call('charts.search', { query, limit: 50 });
  if (!found.ok) return null;
  const same = found.value.hits.map((hit) => hit.chart).filter((c) => c.desiredOutcome === title && !(c.context === gone.context && c.id === gone.id));
  const chart = same.find((c) => c.context !== gone.context) ?? same[0];
  return chart ? { context: chart.context, id: chart.id } : null;
}

/** The desired outcome a removed chart had last (read from its history); undefined when that cannot be read. */
export async function lastTitleOf(client: Client, context: string, id: string): Promise<string | undefined> {
  const history = await client.call('charts.history', { context, id, limit: 200 });
  if (!history.ok) return undefined;
  const lastSet = history.value.filter((v) => v.action === 'set').at(-1);
  if (!lastSet) return undefined;
  const then = await client.call('charts.asOf', { context, id, time: lastSet.ts });
  return then.ok ? then.value.desiredOutcome : undefined;
}
