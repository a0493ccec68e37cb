// Recently deleted: what was removed in the last N days (30 unless the person picks another
// span), by whom and when, each with one click to put it back.
import { createStore } from 'zustand/vanilla';
import type { IpcError, IpcResult } from '../../shared/contract.ts';
import type { DeletedEntry, DeletedRestored } from '../../shared/backupTypes.ts';
import type { Client } from './client.ts';

export interface DeletedState {
  readonly items: readonly DeletedEntry[];
  readonly days: number;
  readonly loaded: boolean;
  readonly error: IpcError | null;
  /** What was put back last, to say so. */
  readonly restored: DeletedRestored | null;
  load(days?: number): Promise<void>;
  restore(id: string): Promise<IpcResult<DeletedRestored>>;
}

export function createDeletedStore(client: Client, afterRestore: (context: string) => Promise<void>) {
  return createStore<DeletedState>()((set, get) => ({
    items: [],
    days: 30,
    loaded: false,
    error: null,
    restored: null,
    async load(days = get().days) {
      set({ days });
      const result = await client.call('deleted.list', { days }, 'Reading what was deleted');
      if (result.ok) set({ items: result.value, loaded: true, error: null });
      else set({ error: result.error, loaded: true });
    },
    async restore(id) {
      const result = await client.call('deleted.restore', { id }, 'Putting it back');
      if (result.ok) {
        set({ restored: result.value, error: null });
        await Promise.all([get().load(), afterRestore(result.value.item.context)]);
      } else set({ error: result.error });
      return result;
    },
  }));
}
export type DeletedStore = ReturnType<typeof createDeletedStore>;
