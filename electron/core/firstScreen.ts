// What the app's window asks for first, made ready while the window loads: the contexts with
// their counts (the sidebar) and every context's chart list (the window opens on all contexts).
// At 100k charts, made on the window's requests they took 3-4 s (the chart list's pass over
// 1.3M records, the count of entities and relations); made at the start, the chart list is read
// back from the one saved at the last close (derivedCache.ts) before the window asks.
import type { Engine } from './engine.ts';
import { prepareChartLists } from './charts/chartSummaries.ts';

/** Resolves when both are ready, or once `isStopped` says the app is closing. */
export async function prepareFirstScreen(engine: Engine, isStopped: () => boolean = () => false): Promise<void> {
  await prepareChartLists(engine, isStopped);
  if (!isStopped()) await engine.listContexts();
}
