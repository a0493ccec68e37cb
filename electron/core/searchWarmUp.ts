// Building the search indexes after the app opens, a slice at a time, so that the first search
// a person types finds its index ready instead of waiting seconds for it (100,000 charts), and
// the main process is never held for longer than a slice meanwhile. A search that comes before
// the build is done finishes it (ContextStore.searchIndex); live changes go to the index as it
// is built (searchIndex.ts, IndexBuild).
import type { Engine } from './engine.ts';

export interface WarmUpOptions {
  /** How long each slice may run (ms). */
  readonly sliceMs?: number;
  /** True once the app is closing: the build stops between slices. */
  readonly isStopped?: () => boolean;
}

/** Builds every context's search index in slices; resolves when all are built or the app stops. */
export async function warmSearchIndexes(engine: Engine, options: WarmUpOptions = {}): Promise<void> {
  for (const context of engine.listContextNames()) {
    if (!(await buildSearchIndexInSlices(engine, context, options))) return;
  }
}

/**
 * Builds one context's search index in slices (a search that comes while it is not built
 * waits for it this way, not in one piece that would hold every other request for seconds
 * at 100,000 charts). Resolves false when the app stopped it.
 */
export async function buildSearchIndexInSlices(engine: Engine, context: string, options: WarmUpOptions = {}): Promise<boolean> {
  const sliceMs = options.sliceMs ?? 15;
  for (;;) {
    if (options.isStopped?.()) return false;
    const done = await engine.read(context, (_state, store) => store.buildSearchIndexStep(sliceMs));
    if (done) return true;
    // Whatever else is waiting (an IPC call, a file event) runs between two slices.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
