// The contexts in the sidebar: name, chart count, health (and repairing a damaged one).
import { createStore } from 'zustand/vanilla';
import type { ContextInfo, IpcResult, RecoveryReport, Written } from '../../shared/contract.ts';
import type { Client } from './client.ts';
import type { NotificationsStore } from './notificationsStore.ts';

export interface ContextsState {
  readonly list: readonly ContextInfo[];
  readonly loaded: boolean;
  load(): Promise<void>;
  create(context: string): Promise<IpcResult<Written>>;
  /** Repairs a damaged context (recovery.run), then reads the contexts again: the badge follows at once. */
  repair(context: string): Promise<IpcResult<RecoveryReport>>;
}

export function createContextsStore(client: Client, notifications: NotificationsStore) {
  return createStore<ContextsState>()((set, get) => ({
    list: [],
    loaded: false,
    async load() {
      const result = await client.call('contexts.list', {}, 'Reading contexts');
      if (result.ok) set({ list: result.value, loaded: true });
      else notifications.getState().notify('error', 'The contexts could not be read', result.error);
    },
    async create(context) {
      const result = await client.call('contexts.create', { context }, `Creating context ${context}`);
      if (result.ok) await get().load();
      return result;
    },
    async repair(context) {
      const result = await client.call('recovery.run', { contexts: [context] }, `Repairing ${context}`);
      await get().load();
      return result;
    },
  }));
}
export type ContextsStore = ReturnType<typeof createContextsStore>;
