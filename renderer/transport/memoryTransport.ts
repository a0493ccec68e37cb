// In unit tests: requests go to a function (the real handler table on a temporary folder) and
// events are pushed by the test with emit().
import type { ChannelName, Events, EventName, IpcResult } from '../../shared/contract.ts';
import type { Transport } from './transport.ts';

export type Handle = (channel: ChannelName, input: unknown) => Promise<IpcResult<unknown>>;

export interface MemoryTransport extends Transport {
  emit<E extends EventName>(event: E, payload: Events[E]): void;
}

export function memoryTransport(handle: Handle): MemoryTransport {
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  return {
    invoke: (channel, input) => handle(channel, input) as never,
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) listener(payload as never);
    },
  };
}
