// The real handler table on a fresh data root, called as the app's own window calls it: for
// tests of what a channel does to the data (test/contexts/, test/ipc/).
import { createHandlerTable, type SenderInfo } from '../../electron/ipc/handlerTable.ts';
import type { Engine, EngineOptions } from '../../electron/core/engine.ts';
import type { ChannelInput, ChannelName, IpcResult } from '../../shared/contract.ts';
import { openEngine, tempLayout } from './tempRoot.ts';

const own: SenderInfo = { id: 1, url: 'app://tension/index.html' };

export type CallValue = <T = unknown>(channel: string, input: unknown) => Promise<T>;

export async function ownWindowTable(options: Partial<EngineOptions> = {}) {
  const layout = tempLayout();
  const engine = await openEngine(layout, options);
  const table = createHandlerTable({ engine, isOwnSender: (s) => s.id === own.id });
  /** The channel's answer; a refusal as a thrown Error "<channel>: <code> <message>". */
  const value: CallValue = async <T,>(channel: string, input: unknown): Promise<T> => {
    const result = await table.handle(channel, input, own);
    if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
    return result.value as T;
  };
  /** The channel's answer as the contract types it (ok or refused). */
  const typed = <C extends ChannelName>(channel: C, input: ChannelInput<C>) => table.handle(channel, input, own) as Promise<IpcResult<Record<string, unknown>>>;
  return { layout, engine, table, value, typed, call: (channel: string, input: unknown) => table.handle(channel, input, own) };
}

/** Every record of a context, as its lines. */
export const recordsOf = (engine: Engine, context: string): Promise<string[]> => engine.read(context, (state) => [...state.values()].map((r) => r.raw));
