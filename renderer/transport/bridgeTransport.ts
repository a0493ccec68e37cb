// In browser tests (and any page served next to the contract over HTTP): POST <base>/invoke
// with {channel, input} answers an IpcResult; GET <base>/events is a server-sent event stream
// whose event names are the contract's. A network failure comes back as a value, as in IPC.
import { EVENT_NAMES, type EventName } from '../../shared/channelNames.ts';
import type { IpcResult } from '../../shared/contract.ts';
import type { Transport } from './transport.ts';

export function bridgeTransport(base: string): Transport {
  const root = base.replace(/\/$/, '');
  let source: EventSource | undefined;
  const listeners = new Map<EventName, Set<(payload: never) => void>>();

  function connect(): void {
    if (source) return;
    source = new EventSource(`${root}/events`);
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (event) => {
        const payload = JSON.parse((event as MessageEvent<string>).data) as never;
        for (const listener of listeners.get(name) ?? []) listener(payload);
      });
    }
  }

  return {
    async invoke(channel, input) {
      try {
        const response = await fetch(`${root}/invoke`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channel, input }) });
        return (await response.json()) as never;
      } catch (error) {
        const failed: IpcResult<never> = { ok: false, error: { code: 'INTERNAL', message: `The bridge did not answer ${channel}: ${error instanceof Error ? error.message : String(error)}`, kept: 'Changes already saved are kept.' } };
        return failed;
      }
    },
    on(event, listener) {
      connect();
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
    },
  };
}
