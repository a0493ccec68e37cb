// The chart list: the summaries of the context shown (or of all contexts), how they are
// sorted and filtered, and the search hits while a query is typed. What is visible is
// computed from these (model/visibleCharts.ts).
import { createStore } from 'zustand/vanilla';
import type { SearchHit } from '../../shared/contract.ts';
import type { ChartSummary } from '../../shared/domain.ts';
import type { ChartFilter, ChartSort } from '../model/visibleCharts.ts';
import { applyChartListDelta } from '../model/chartListDelta.ts';
import type { Client } from './client.ts';
import type { NotificationsStore } from './notificationsStore.ts';

export interface ChartsState {
  /** null: all contexts. */
  readonly scope: string | null;
  readonly summaries: readonly ChartSummary[];
  readonly loaded: boolean;
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
  let searchSeq = 0;
  // Where the list held stands (charts.changes): a later load asks only for what changed since.
  let held: { scope: string | null; token: string } | undefined;
  return createStore<ChartsState>()((set, get) => ({
    scope: null,
    summaries: [],
    loaded: false,
    sort: 'due',
    filter: 'open',
    query: '',
    hits: null,
    found: null,
    searchLimit: SEARCH_LIMIT,
    async load(scope = get().scope) {
      const mine = ++loadSeq;
      if (scope !== get().scope) {
        set({ scope, summaries: [], loaded: false });
        // The list is empty now: whatever the token said was held is not (A, then B, then back to A before B answered).
        held = undefined;
      }
      const since = held?.scope === scope ? held.token : undefined;
      const result = await client.call('charts.changes', { ...(scope === null ? {} : { context: scope }), ...(since === undefined ? {} : { since }) }, 'Reading charts');
      if (mine !== loadSeq) return; // a newer load answers instead (it asked since the same token, so it holds this one's changes)
      if (result.ok) {
        held = { scope, token: result.value.token };
        set({ summaries: applyChartListDelta(since === undefined ? [] : get().summaries, result.value), loaded: true });
      } else notifications.getState().notify('error', 'The charts could not be read', result.error);
      if (get().query) await get().search(get().query);
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
  }));
}
export type ChartsStore = ReturnType<typeof createChartsStore>;
