// The health and insights views: which of the app's views is shown (the charts, health,
// insights, or one chart's progress), and the figures each shows, read over the contract and
// read again when main says they moved (insights.changed, data.changed) while a view shows them.
import { createStore } from 'zustand/vanilla';
import type { IpcError } from '../../shared/contract.ts';
import type { HealthNotice, HealthReport } from '../../shared/healthFigures.ts';
import type { ChartInsights, ContextInsights } from '../../shared/insightFigures.ts';
import type { Transport } from '../transport/transport.ts';
import type { Client } from './client.ts';
import type { NotificationsStore } from './notificationsStore.ts';

/** How long after start the health is first worked out (the charts come first). */
export const STARTUP_CHECK_MS = 10_000;

export type AppView = 'charts' | 'health' | 'insights' | 'progress';

export interface InsightsState {
  readonly view: AppView;
  /** The context the health and insights views show (null: all of them). */
  readonly scope: string | null;
  /** The chart whose progress is shown. */
  readonly chart: { readonly id: string; readonly context: string | null } | null;
  readonly health: HealthReport | null;
  readonly insights: ContextInsights | null;
  readonly progress: ChartInsights | null;
  readonly error: IpcError | null;
  readonly busy: boolean;
  /** Problems main told of (each once) that the person has not looked at yet in the health view. */
  readonly unseen: readonly HealthNotice[];
  told(notice: HealthNotice): void;
  show(view: AppView, scope?: string | null): Promise<void>;
  showProgress(id: string, context: string | null): Promise<void>;
  reload(): Promise<void>;
  checkNow(): Promise<void>;
  freeSpace(): Promise<void>;
}

export function createInsightsStore(client: Client, notifications: NotificationsStore) {
  return createStore<InsightsState>()((set, get) => {
    const scopeInput = () => (get().scope === null ? {} : { context: get().scope as string });
    async function load(): Promise<void> {
      const { view, chart } = get();
      if (view === 'charts') return;
      set({ busy: true });
      const result =
        view === 'health'
          ? await client.call('health.report', scopeInput(), 'Reading the health figures')
          : view === 'insights'
            ? await client.call('insights.context', scopeInput(), 'Reading the insights')
            : chart
              ? await client.call('insights.chart', { id: chart.id, ...(chart.context === null ? {} : { context: chart.context }) }, 'Reading the chart\'s progress')
              : null;
      if (get().view !== view) return; // another view was chosen meanwhile
      if (result === null) return set({ busy: false });
      if (!result.ok) return set({ busy: false, error: result.error });
      const value = result.value;
      set({ busy: false, error: null, ...(view === 'health' ? { health: value as HealthReport } : view === 'insights' ? { insights: value as ContextInsights } : { progress: value as ChartInsights }) });
    }
    return {
      view: 'charts',
      scope: null,
      chart: null,
      health: null,
      insights: null,
      progress: null,
      error: null,
      busy: false,
      unseen: [],
      told: (notice) => set((s) => ({ unseen: s.view === 'health' ? s.unseen : [...s.unseen.filter((n) => n.id !== notice.id), notice] })),
      async show(view, scope = get().scope) {
        set({ view, scope, error: null, ...(view === 'health' ? { unseen: [] } : {}) });
        await load();
      },
      async showProgress(id, context) {
        set({ view: 'progress', chart: { id, context }, progress: null, error: null });
        await load();
      },
      reload: load,
      async checkNow() {
        const result = await client.call('health.check', {}, 'Checking every context');
        if (!result.ok) notifications.getState().notify('error', 'The check could not run', result.error);
        await load();
      },
      async freeSpace() {
        const result = await client.call('health.freeSpace', {}, 'Removing backups the policy no longer keeps');
        if (!result.ok) notifications.getState().notify('error', 'Space could not be freed', result.error);
        else notifications.getState().notify('info', result.value.removed.length === 0 ? 'Nothing to remove: the policy keeps every backup.' : `Removed ${result.value.removed.length} backups.`);
        await load();
      },
    };
  });
}
export type InsightsStore = ReturnType<typeof createInsightsStore>;

/** Reads the shown figures again when they moved; keeps each new health notice (told once) for the sidebar. */
export function startInsightUpdates(transport: Transport, store: InsightsStore, client: Client): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Once after start, whatever view is shown: main works out the health and pushes what is wrong (health.notice).
  const first = setTimeout(() => void client.call('health.report', { days: 1 }, 'Checking the health of the data'), STARTUP_CHECK_MS);
  const again = (context: string | null) => {
    const { view, scope, chart } = store.getState();
    if (view === 'charts') return;
    const shown = view === 'progress' ? null : scope;
    if (context !== null && shown !== null && context !== shown && !(view === 'progress' && chart)) return;
    timer ??= setTimeout(() => {
      timer = undefined;
      void store.getState().reload();
    }, 200);
  };
  const offs = [
    transport.on('insights.changed', ({ context }) => again(context)),
    transport.on('data.changed', ({ context }) => again(context)),
    // Kept for the sidebar's Health button (a count) and the health view, never laid over the chart.
    transport.on('health.notice', (notice) => store.getState().told(notice)),
  ];
  return () => {
    clearTimeout(first);
    if (timer) clearTimeout(timer);
    for (const off of offs) off();
  };
}
