// The renderer's stores on the REAL main-process handlers: the handler table on a temporary
// data folder, reached through the in-memory transport (a function call, no Electron).
import { createHandlerTable, type SenderInfo } from '../../electron/ipc/handlerTable.ts';
import type { Engine } from '../../electron/core/engine.ts';
import type { IpcResult } from '../../shared/contract.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { openEngine, tempLayout } from '../helpers/tempRoot.ts';
import { memoryTransport, type MemoryTransport } from '../../renderer/transport/memoryTransport.ts';
import { createAppStores, type AppStores } from '../../renderer/stores/appStores.ts';

const OWN: SenderInfo = { id: 1, url: 'app://tension/index.html' };

export interface Harness {
  readonly engine: Engine;
  readonly charts: ChartService;
  readonly transport: MemoryTransport;
  readonly stores: AppStores;
}

/**
 * `before`: awaited before each request is handled (an answer it gives is given instead);
 * `after`: awaited before each answer, once made, is given back. A test holds one channel's
 * requests or answers back with them, or makes one fail.
 */
export async function realHarness(options: { before?: (channel: string) => Promise<void | IpcResult<unknown>>; after?: (channel: string) => Promise<void> } = {}): Promise<Harness> {
  const engine = await openEngine(tempLayout(), { origin: 'app' });
  const table = createHandlerTable({ engine, isOwnSender: (s) => s.id === OWN.id });
  const transport = memoryTransport(async (channel, input) => {
    const instead = await options.before?.(channel);
    if (instead) return instead;
    const answer = await table.handle(channel, input, OWN);
    await options.after?.(channel);
    return answer;
  });
  return { engine, charts: new ChartService(engine), transport, stores: createAppStores(transport) };
}
