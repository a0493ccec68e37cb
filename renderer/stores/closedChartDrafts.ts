// Drafts of charts that are not open: the person typed in a chart, went to another, and left
// the text there. When another program (the CLI, a peer) changes the context holding such a
// chart, the chart is looked for again. Moved to another context, its drafts follow it there,
// and the window says where it went (Text kept from moved charts); removed, its drafts are
// listed apart, beside a chart of the same desired outcome when there is one (maybe the same
// chart moved under a new id: said as a maybe). Left keyed to the old context, they could be
// reached from nowhere. The open chart's tree is the selection store's to follow.
import type { ChartTree } from '../../shared/domain.ts';
import { treeChartIds } from '../model/treeChartIds.ts';
import type { Client } from './client.ts';
import type { DraftsStore } from './draftsStore.ts';
import { chartKey } from './draftsStore.ts';
import { chartWithSameTitle, findMovedChart, lastTitleOf } from './movedChart.ts';
import type { NotificationsStore } from './notificationsStore.ts';
import type { SelectionStore } from './selectionStore.ts';

export function createClosedChartDrafts(client: Client, drafts: DraftsStore, selection: SelectionStore, notifications: NotificationsStore) {
  /** Charts of `context` shown in the window now (the open one and its sub-charts). */
  function shown(context: string): Set<string> {
    const { open, tree } = selection.getState();
    if (open?.context !== context) return new Set();
    return new Set([open.id, ...(tree ? treeChartIds(tree) : [])]);
  }

  async function lookAgain(context: string, id: string): Promise<void> {
    const there = await client.call('charts.tree', { context, id });
    if (there.ok) return drafts.getState().chartsThere(context, [id]);
    // Not found, when listed apart already: it was looked for then.
    if (there.error.code !== 'NOT_FOUND' || drafts.getState().removedCharts.has(chartKey(context, id))) return;
    const moved = await findMovedChart(client, id, context);
    if (moved) {
      const titles = new Map(movedTitles(moved.tree));
      drafts.getState().chartsMoved(context, moved.context, [...titles.keys()], (chartId) => titles.get(chartId) ?? '');
      notifications.getState().notify('info', `The chart “${moved.tree.chart.desiredOutcome.slice(0, 60)}”, where you had typed text, was moved to the context “${moved.context}”; what you typed went with it.`);
      return;
    }
    drafts.getState().chartsGone(context, [id]);
    const title = await lastTitleOf(client, context, id);
    const lookalike = title === undefined ? null : await chartWithSameTitle(client, title, { context, id });
    if (title !== undefined && lookalike) drafts.getState().sameTitleElsewhere(context, id, { how: 'same-title', ...lookalike, title });
  }

  // One look at a time: a burst of refreshes must not move the same drafts twice, nor say so twice.
  let turn: Promise<void> = Promise.resolve();
  return {
    /** After `context` was read again ('': every context): each chart of it holding drafts, not on screen, is looked for again. */
    afterRefresh(context: string): Promise<void> {
      turn = turn.then(async () => {
        const held = () => [...drafts.getState().drafts.values()];
        for (const where of context === '' ? new Set(held().map((d) => d.context)) : [context]) {
          const skip = shown(where);
          const ids = new Set(held().filter((d) => d.context === where && !skip.has(d.chartId)).map((d) => d.chartId));
          // A chart moved with its sub-charts took their drafts along: each is looked for only while its drafts are still here.
          for (const id of ids) if (held().some((d) => d.context === where && d.chartId === id)) await lookAgain(where, id);
        }
      }).catch(() => undefined);
      return turn;
    },
  };
}

/** Each chart of the tree by its id, with its desired outcome. */
function movedTitles(tree: ChartTree): [string, string][] {
  return [[tree.chart.id, tree.chart.desiredOutcome], ...tree.children.flatMap(movedTitles)];
}
export type ClosedChartDrafts = ReturnType<typeof createClosedChartDrafts>;
