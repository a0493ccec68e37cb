// What the undo of making a chart (creating it, telescoping a step into it) checks before it
// removes the chart with all it holds, its sub-charts at any depth: that nobody else changed
// any of it since. The chart still at the version the making answered with, and holding no
// sub-chart, was changed by nobody. Otherwise what the chart shows cannot tell: the window's
// own edits, undone before, leave time stamps and dated notes, and another program's note, time
// or sub-chart hung under it shows in no field. So the journal is asked: every version of every
// part of every chart the removal would take (as read at undo time) must come from a commit
// this window made (ownCommits.ts), the making first among them.
import type { IpcResult } from '../../shared/contract.ts';
import type { ChartTree } from '../../shared/domain.ts';
import { treeChartIds } from '../model/treeChartIds.ts';
import type { Client } from './client.ts';
import type { OwnCommits } from './ownCommits.ts';
import type { UndoCheck } from './undoStore.ts';

const PAGE = 1_000;
const THERE = 'there';

/** Whether every version of chart `id` in `context` comes from this window's commits: read newest first, a page at a time, until one does not. */
async function onlyOwnVersions(client: Client, own: OwnCommits, context: string, id: string): Promise<IpcResult<boolean>> {
  for (let before: number | undefined; ; ) {
    const page = await client.call('charts.history', { context, id, limit: PAGE, ...(before === undefined ? {} : { before }) });
    // A page after a full one may find nothing older: the whole history was read.
    if (!page.ok) return before !== undefined && page.error.code === 'NOT_FOUND' ? { ok: true, value: true } : page;
    // A pending version (seen in the file, not yet journaled) or one from before a move is never this window's commit.
    if (page.value.some((v) => v.pending || v.context !== undefined || !own.has(context, v.seq))) return { ok: true, value: false };
    if (page.value.length < PAGE) return { ok: true, value: true };
    before = page.value[0]!.seq;
  }
}

/** `madeAt`: the chart's version in the answer of the edit that made it (whose commit `own` holds). */
export function madeChartCheck(context: string, chartId: string, what: string, madeAt: string | undefined, client: Client, own: OwnCommits): UndoCheck {
  return {
    context,
    chartId,
    what,
    expected: THERE,
    read: (now) => ({ shows: THERE, version: now.versions?.chart }),
    async confirm(tree: ChartTree) {
      if (madeAt !== undefined && tree.chart.versions?.chart === madeAt && tree.children.length === 0) return { ok: true, value: true };
      for (const id of treeChartIds(tree)) {
        const mine = await onlyOwnVersions(client, own, context, id);
        if (!mine.ok || !mine.value) return mine;
      }
      return { ok: true, value: true };
    },
  };
}
