// Which chart is open: its tree (charts.tree), its ancestors for the breadcrumb, and which
// telescoped steps are expanded. Reloading keeps what is shown until the new tree arrives.
// A chart that leaves the tree (removed by another program) takes its fields with it: the
// drafts typed there are then listed apart. The open chart moved to another context is
// followed there, its drafts with it.
import { createStore } from 'zustand/vanilla';
import type { Chart, ChartTree } from '../../shared/domain.ts';
import type { StepOrder } from '../model/stepOrder.ts';
import { treeChartIds } from '../model/treeChartIds.ts';
import type { Client } from './client.ts';
import type { DraftsStore } from './draftsStore.ts';
import { chartWithSameTitle, findMovedChart } from './movedChart.ts';
import type { NotificationsStore } from './notificationsStore.ts';

export interface ChartRef {
  readonly context: string;
  readonly id: string;
}

export interface SelectionState {
  readonly open: ChartRef | null;
  readonly tree: ChartTree | null;
  /** Root first, the open chart's parent last. */
  readonly ancestors: readonly Pick<Chart, 'id' | 'desiredOutcome'>[];
  /** Ids of sub-charts shown expanded under their step. */
  readonly expanded: ReadonlySet<string>;
  readonly stepOrder: StepOrder;
  select(ref: ChartRef | null): Promise<void>;
  reload(): Promise<void>;
  toggle(subChartId: string): void;
  setStepOrder(order: StepOrder): void;
}

const MAX_DEPTH = 50;

export function createSelectionStore(client: Client, notifications: NotificationsStore, drafts: DraftsStore) {
  let seq = 0;
  async function ancestorsOf(context: string, chart: Chart) {
    const trail: Pick<Chart, 'id' | 'desiredOutcome'>[] = [];
    let parent = chart.parentChart;
    while (parent && trail.length < MAX_DEPTH) {
      const result = await client.call('charts.tree', { context, id: parent });
      if (!result.ok) break;
      trail.unshift({ id: result.value.chart.id, desiredOutcome: result.value.chart.desiredOutcome });
      parent = result.value.chart.parentChart;
    }
    return trail;
  }
  /** The charts of the tree shown before that the tree read now lacks: their drafts go apart. */
  function keepDraftsOfGone(context: string, before: ChartTree | null, now: ChartTree | null) {
    const there = now ? treeChartIds(now) : [];
    if (before) {
      const kept = new Set(there);
      drafts.getState().chartsGone(context, treeChartIds(before).filter((id) => !kept.has(id)));
    }
    drafts.getState().chartsThere(context, there);
  }
  return createStore<SelectionState>()((set, get) => ({
    open: null,
    tree: null,
    ancestors: [],
    expanded: new Set(),
    stepOrder: 'due',
    async select(ref) {
      const mine = ++seq;
      if (!ref) {
        set({ open: null, tree: null, ancestors: [] });
        return;
      }
      const same = get().open?.id === ref.id && get().open?.context === ref.context;
      set({ open: ref, ...(same ? {} : { tree: null, ancestors: [] }) });
      const result = await client.call('charts.tree', ref, 'Opening the chart');
      if (mine !== seq) return;
      if (!result.ok) {
        if (same && result.error.code === 'NOT_FOUND') {
          const before = get().tree;
          const named = before ? `“${before.chart.desiredOutcome.slice(0, 60)}” ` : '';
          // Moved to another context: followed there, with what was being typed in it.
          const moved = await findMovedChart(client, ref.id, ref.context);
          if (mine !== seq) return;
          if (moved) {
            drafts.getState().chartsMoved(ref.context, moved.context, treeChartIds(moved.tree));
            keepDraftsOfGone(ref.context, before, null);
            notifications.getState().notify('info', `The chart ${named}was moved to the context “${moved.context}”; it is open there.`);
            await get().select({ context: moved.context, id: ref.id });
            return;
          }
          // Removed (an undone creation, another program): say so once, and let it go. A chart
          // with the same desired outcome elsewhere may be this one moved under a new id (as a
          // peer moves charts): named as a maybe, beside the drafts kept apart.
          const title = before?.chart.id === ref.id ? before.chart.desiredOutcome : undefined;
          const lookalike = title === undefined ? null : await chartWithSameTitle(client, title, ref);
          if (mine !== seq) return;
          keepDraftsOfGone(ref.context, before, null);
          set({ open: null, tree: null, ancestors: [] });
          if (title !== undefined && lookalike) {
            drafts.getState().sameTitleElsewhere(ref.context, ref.id, { how: 'same-title', ...lookalike, title });
            notifications.getState().notify('info', `The chart ${named}is no longer in the context “${ref.context}”. A chart with the same desired outcome is in “${lookalike.context}”: it may be this one, moved there under a new id.`);
          } else notifications.getState().notify('info', `The chart ${named}is no longer there: it was removed.`);
          return;
        }
        notifications.getState().notify('error', 'The chart could not be opened', result.error);
        if (!same) set({ tree: null });
        return;
      }
      keepDraftsOfGone(ref.context, same ? get().tree : null, result.value);
      set({ tree: result.value });
      const ancestors = await ancestorsOf(ref.context, result.value.chart);
      if (mine === seq) set({ ancestors });
    },
    async reload() {
      const open = get().open;
      if (open) await get().select(open);
    },
    toggle(id) {
      const expanded = new Set(get().expanded);
      if (expanded.has(id)) expanded.delete(id);
      else expanded.add(id);
      set({ expanded });
    },
    setStepOrder: (stepOrder) => set({ stepOrder }),
  }));
}
export type SelectionStore = ReturnType<typeof createSelectionStore>;
