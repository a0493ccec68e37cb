// The renderer's stores on the REAL main-process handlers: the handler table on a temporary
// data folder, reached through the in-memory transport (a function call, no Electron).
import { createHandlerTable, type SenderInfo } from '../../electron/ipc/handlerTable.ts';
import type { Engine } from '../../electron/core/engine.ts';
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

export async function realHarness(): Promise<Harness> {
  const engine = await openEngine(tempLayout(), { origin: 'app' });
  const table = createHandlerTable({ engine, isOwnSender: (s) => s.id === OWN.id });
  const transport = memoryTransport((channel, input) => table.handle(channel, input, OWN));
  return { engine, charts: new ChartService(engine), transport, stores: createAppStores(transport) };
}
