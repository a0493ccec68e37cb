// The window on screen over the real engine, hearing of other processes' changes as the app does:
// the data folder watcher (electron/core/dataRootWatcher.ts) feeding live updates.
import { DataRootWatcher } from '../../electron/core/dataRootWatcher.ts';
import { startLiveUpdates } from '../../renderer/stores/liveUpdates.ts';
import type { Harness } from './realTransport.ts';
import { renderApp } from './appOnScreen.tsx';

/** Renders the app, watching the folder; the answer stops that and closes the engine. */
export async function liveWindow(h: Harness): Promise<() => Promise<void>> {
  const watcher = new DataRootWatcher(h.engine, (c) => h.transport.emit('data.changed', { context: c.context, seq: c.seq, external: c.findings }), () => undefined, { debounceMs: 30, pollMs: 200 });
  await watcher.start();
  const stopLive = startLiveUpdates(h.stores);
  await renderApp(h);
  return async () => {
    stopLive();
    await watcher.stop();
    await h.engine.close();
  };
}
