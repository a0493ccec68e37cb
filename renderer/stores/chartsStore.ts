// The chart list: the summaries of the context shown (or of all contexts), how they are
// sorted and filtered, and the search hits while a query is typed. What is visible is
// computed from these (model/visibleCharts.ts).
import { createStore } from 'zustand/vanilla';
import type { SearchHit } from '../../shared/contract.ts';
import type { ChartSummary } from '../../shared/domain.ts';
import type { ChartFilter, ChartSort } from '../model/visibleCharts.ts';
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
  load(scope?: string | null): Promise<void>;
  setSort(sort: ChartSort): void;
  setFilter(filter: ChartFilter): void;
  search(query: string): Promise<void>;
}

export const SEARCH_LIMIT = 200;

export function createChartsStore(client: Client, notifications: NotificationsStore) {
  let loadSeq = 0;
  let searchSeq = 0;
  return createStore<ChartsState>()((set, get) => ({
    scope: null,
    summaries: [],
    loaded: false,
    sort: 'due',
    filter: 'open',
    query: '',
    hits: null,
    async load(scope = get().scope) {
      const mine = ++loadSeq;
      if (scope !== get().scope) set({ scope, summaries: [], loaded: false });
      const result = await client.call('charts.list', scope === null ? {} : { context: scope }, 'Reading charts');
      if (mine !== loadSeq) return; // a newer load answers instead
      if (result.ok) set({ summaries: result.value, loaded: true });
      else notifications.getState().notify('error', 'The charts could not be read', result.error);
      if (get().query) await get().search(get().query);
    },
    setSort: (sort) => set({ sort }),
    setFilter: (filter) => set({ filter }),
    async search(query) {
      const mine = ++searchSeq;
      set({ query });
      if (query.trim() === '') {
        set({ hits: null });
        return;
      }
      // Search spans every context: the point is to find a chart wherever it lives.
      const result = await client.call('charts.search', { query: query.trim(), limit: SEARCH_LIMIT }, 'Searching');
      if (mine !== searchSeq) return;
      if (result.ok) set({ hits: result.value.hits });
      else notifications.getState().notify('error', 'The search failed', result.error);
    },
  }));
}
export type ChartsStore = ReturnType<typeof createChartsStore>;
