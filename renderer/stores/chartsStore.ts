// The chart list: the summaries of the context shown (or of all contexts), how they are
// sorted and filtered, and the search hits while a query is typed. What is visible is
// computed from these (model/visibleCharts.ts).
import { createStore } from 'zustand/vanilla';
import type { SearchHit } from '../../shared/contract.ts';
import type { ChartSummary } from '../../shared/domain.ts';
import type { ChartFilter, ChartSort } from '../model/visibleCharts.ts';
import { applyChartListDelta } from '../model/chartListDelta.ts';
import { fromChartListColumns } from '../../shared/summaryColumns.ts';
import { FIRST_FILTER, FIRST_ROWS, FIRST_SORT } from '../../shared/firstScreen.ts';
import type { Client } from './client.ts';
import type { NotificationsStore } from './notificationsStore.ts';

/** The list's first rows in one sort and filter, shown while the whole list is on its way (charts.firstRows). */
export interface FirstRows {
  readonly rows: readonly ChartSummary[];
  /** Each sub-chart row's parent outcome, by the row. */
  readonly parents: ReadonlyMap<ChartSummary, string>;
  /** How many rows the whole list has under that filter. */
  readonly total: number;
  readonly sort: ChartSort;
  readonly filter: ChartFilter;
  /** The whole list could not be read (its error is told): these rows are all there is to show. */
  readonly restFailed?: true;
}

export interface ChartsState {
  /** null: all contexts. */
  readonly scope: string | null;
  readonly summaries: readonly ChartSummary[];
  readonly loaded: boolean;
  /** Until the whole list is loaded: its first rows, when they came first. */
  readonly firstRows: FirstRows | null;
  readonly sort: ChartSort;
  readonly filter: ChartFilter;
  readonly query: string;
  readonly hits: readonly SearchHit[] | null;
  /** How many charts match in all (the hits are the best of them). */
  readonly found: { readonly total: number } | null;
  /** How many hits are asked for: grows by SEARCH_LIMIT with "show more". */
  readonly searchLimit: number;
  load(scope?: string | null): Promise<void>;
  setSort(sort: ChartSort): void;
  setFilter(filter: ChartFilter): void;
  search(query: string): Promise<void>;
  showMore(): Promise<void>;
}

export const SEARCH_LIMIT = 200;
/** The contract's largest page of hits. */
export const SEARCH_LIMIT_MAX = 5_000;

export function createChartsStore(client: Client, notifications: NotificationsStore) {
  let loadSeq = 0;
  /** The load whose answer the list shows. */
  let shownSeq = 0;
  let searchSeq = 0;
  // Where the list held stands (charts.changes): a later load asks only for what changed since.
  let held: { scope: string | null; token: string } | undefined;
  return createStore<ChartsState>()((set, get) => {
    /** The list's first rows in the sort and filter shown, unless the whole list (or a newer load) came first; a failure is the whole list's to tell. */
    async function loadFirstRows(load: number, context: { context?: string }): Promise<void> {
      const { sort, filter } = get();
      const result = await client.call('charts.firstRows', { ...context, count: FIRST_ROWS, sort, filter }, 'Reading charts');
      if (load !== loadSeq || get().loaded || !result.ok) return;
      const rows = fromChartListColumns(result.value.rows);
      const parents = new Map<ChartSummary, string>();
      rows.forEach((row, i) => {
        const parent = result.value.parents[i];
        if (parent !== null && parent !== undefined) parents.set(row, parent);
      });
      set({ firstRows: { rows, parents, total: result.value.total, sort, filter } });
    }
    return {
      scope: null,
      summaries: [],
      loaded: false,
      firstRows: null,
      sort: FIRST_SORT,
      filter: FIRST_FILTER,
      query: '',
      hits: null,
      found: null,
      searchLimit: SEARCH_LIMIT,
      async load(scope = get().scope) {
        const mine = ++loadSeq;
        if (scope !== get().scope) {
          set({ scope, summaries: [], loaded: false, firstRows: null });
          // The list is empty now: whatever the token said was held is not (A, then B, then back to A before B answered).
          held = undefined;
        }
        const since = held?.scope === scope ? held.token : undefined;
        const context = scope === null ? {} : { context: scope };
        // No list yet: the first rows come first (a few kB), then the whole list (13.5 MB at 100k
        // charts). Asked one after the other: asked together, the whole list's answer was often
        // made first, and the first rows waited for it.
        if (since === undefined && !get().loaded) {
          await loadFirstRows(mine, context);
          if (mine !== loadSeq) return;
        }
        const result = await client.call('charts.changes', { ...context, ...(since === undefined ? {} : { since }) }, 'Reading charts');
        // A newer load answers instead: it asked since the same token, so it holds this one's
        // changes. But a whole list is shown when nothing newer has been: while a whole list of
        // 100k charts takes a second, outside changes every second would otherwise keep the list
        // from ever showing (each newer load asks for the whole list too, having no token yet).
        const stale = mine !== loadSeq;
        if (stale && (since !== undefined || mine < shownSeq || scope !== get().scope)) return;
        if (result.ok) {
          shownSeq = mine;
          held = { scope, token: result.value.token };
          const delta = { ...result.value, changed: fromChartListColumns(result.value.changed) };
          set({ summaries: applyChartListDelta(since === undefined ? [] : get().summaries, delta), loaded: true, firstRows: null });
        } else if (!stale) {
          const first = get().firstRows;
          if (first) set({ firstRows: { ...first, restFailed: true } });
          notifications.getState().notify('error', 'The charts could not be read', result.error);
        }
        if (!stale && get().query) await get().search(get().query);
      },
      setSort: (sort) => set({ sort }),
      setFilter: (filter) => set({ filter }),
      async search(query) {
        const mine = ++searchSeq;
        if (query !== get().query) set({ query, searchLimit: SEARCH_LIMIT });
        if (query.trim() === '') {
          set({ hits: null, found: null });
          return;
        }
        // Search spans every context: the point is to find a chart wherever it lives.
        const result = await client.call('charts.search', { query: query.trim(), limit: get().searchLimit }, 'Searching');
        if (mine !== searchSeq) return;
        if (result.ok) set({ hits: result.value.hits, found: { total: result.value.total } });
        else notifications.getState().notify('error', 'The search failed', result.error);
      },
      async showMore() {
        set({ searchLimit: Math.min(SEARCH_LIMIT_MAX, get().searchLimit + SEARCH_LIMIT) });
        await get().search(get().query);
      },
    };
  });
}
export type ChartsStore = ReturnType<typeof createChartsStore>;
