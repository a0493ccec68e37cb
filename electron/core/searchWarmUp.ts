// Building the key maps and search indexes after the app opens, a slice at a time, so that the
// first change finds its context's key map built and the first search a person types finds its
// index ready, instead of waiting seconds for them (100,000 charts), and the main process is
// never held for longer than a slice meanwhile. A search that comes before the build is done
// finishes it (ContextStore.searchIndex), as a lookup does the key map (DeferredRecordMap);
// live changes go to the index as it is built (searchIndex.ts, IndexBuild). Once every
// context's index is built, the chart search learns what each record says about its chart
// (chartSearch.ts, up to a number of records), so that the first search of a common word costs
// what the next ones do.
import type { Engine } from './engine.ts';
import type { RecordSet } from './recordSet.ts';
import type { ContextStore } from './contextStore.ts';
import { learnChartFactsStep } from './charts/chartSearch.ts';

/**
 * How long a slice runs by default. A young-generation collection in a heap of a gigabyte (100k
 * charts) takes 10-20 ms and may fall inside any slice: at 15 ms a slice was seen to hold the
 * thread for 51 ms, at 10 ms for 39 ms (the bench's figure is the longest wait).
 */
const SLICE_MS = 10;

export interface WarmUpOptions {
  /** How long each slice may run (ms). */
  readonly sliceMs?: number;
  /** True once the app is closing: the build stops between slices. */
  readonly isStopped?: () => boolean;
}

/** Builds every context's search index in slices, then the chart search's facts; resolves when all are built or the app stops. */
export async function warmSearchIndexes(engine: Engine, options: WarmUpOptions = {}): Promise<void> {
  const contexts = engine.listContextNames();
  const sliceMs = options.sliceMs ?? SLICE_MS;
  // First each opened context is readied for its first change (RecordSet.readyForChanges: its
  // key map, its own copy of the map read from the file, its indexes by chart and relation end),
  // so that a change made a moment after the open does not wait for them: 2-3 s at 100k charts.
  for (const context of contexts) {
    if (!(await readyForChangesInSlices(engine, context, options))) return;
  }
  for (const context of contexts) {
    if (!(await buildSearchIndexInSlices(engine, context, options))) return;
  }
  for (const context of contexts) {
    if (!(await inSlices(options, () => inMemoryOrRead(engine, context, (state, store) => learnChartFactsStep(state, store.searchIndex(), sliceMs))))) return;
  }
}

/**
 * Readies one context for its next change a slice at a time (RecordSet.readyForChanges). Also
 * after live updates took in another process's rewrite of a file read at the open: the state's
 * map is then the file's view too (RecordSet.sharedMap), and the next change would copy it in
 * one piece (1.2-1.7 s at 100k charts). Resolves false when the app stopped it.
 */
export function readyForChangesInSlices(engine: Engine, context: string, options: WarmUpOptions = {}): Promise<boolean> {
  const sliceMs = options.sliceMs ?? SLICE_MS;
  return inSlices(options, () => inMemoryOrRead(engine, context, (state) => state.readyForChanges(sliceMs)));
}

/**
 * A slice of work on what this process holds in memory (the state's copy and indexes, the search
 * index), done at once when the context is loaded (Engine.inMemory), not after the lock: another
 * process's write holding the lock for seconds would hold it back too, and the first read after
 * that write would then do it in one piece. A context not loaded yet is loaded by a read.
 */
function inMemoryOrRead(engine: Engine, context: string, slice: (state: RecordSet, store: ContextStore) => boolean): Promise<boolean> {
  const done = engine.inMemory(context, slice);
  return done === undefined ? engine.read(context, slice) : Promise.resolve(done);
}

/**
 * Builds one context's search index in slices (a search that comes while it is not built
 * waits for it this way, not in one piece that would hold every other request for seconds
 * at 100,000 charts). Resolves false when the app stopped it.
 */
export function buildSearchIndexInSlices(engine: Engine, context: string, options: WarmUpOptions = {}): Promise<boolean> {
  const sliceMs = options.sliceMs ?? SLICE_MS;
  return inSlices(options, () => inMemoryOrRead(engine, context, (_state, store) => store.buildSearchIndexStep(sliceMs)));
}

/** Runs `slice` until it answers true, letting whatever else waits run between two slices; false when stopped. */
async function inSlices(options: WarmUpOptions, slice: () => Promise<boolean>): Promise<boolean> {
  for (;;) {
    if (options.isStopped?.()) return false;
    if (await slice()) return true;
    // Whatever else is waiting (an IPC call, a file event) runs between two slices.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
