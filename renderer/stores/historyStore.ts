// A chart's history (charts.history) and the past version being looked at (charts.asOf).
import { createStore } from 'zustand/vanilla';
import type { IpcError } from '../../shared/contract.ts';
import type { Chart, ChartHistoryEntry } from '../../shared/domain.ts';
import type { ChartRef } from './selectionStore.ts';
import type { Client } from './client.ts';

export interface HistoryState {
  readonly chart: ChartRef | null;
  readonly entries: readonly ChartHistoryEntry[];
  readonly error: IpcError | null;
  readonly pastTime: string | null;
  readonly past: Chart | null;
  show(chart: ChartRef): Promise<void>;
  reload(): Promise<void>;
  viewAt(time: string): Promise<void>;
  close(): void;
}

export function createHistoryStore(client: Client) {
  return createStore<HistoryState>()((set, get) => ({
    chart: null,
    entries: [],
    error: null,
    pastTime: null,
    past: null,
    async show(chart) {
      const same = get().chart?.id === chart.id && get().chart?.context === chart.context;
      set({ chart, ...(same ? {} : { entries: [], past: null, pastTime: null }), error: null });
      const result = await client.call('charts.history', chart, 'Reading the history');
      if (get().chart !== chart) return;
      if (result.ok) set({ entries: result.value });
      else set({ error: result.error });
    },
    async reload() {
      const chart = get().chart;
      if (chart) await get().show(chart);
    },
    async viewAt(time) {
      const chart = get().chart;
      if (!chart) return;
      set({ pastTime: time });
      const result = await client.call('charts.asOf', { ...chart, time }, 'Reading a past version');
      if (get().pastTime !== time) return;
      if (result.ok) set({ past: result.value, error: null });
      else set({ past: null, error: result.error });
    },
    close: () => set({ chart: null, entries: [], past: null, pastTime: null, error: null }),
  }));
}
export type HistoryStore = ReturnType<typeof createHistoryStore>;
