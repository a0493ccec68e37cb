// Runs in a fresh Node process (started by run.ts with --expose-gc), so its memory figures
// hold only what opening one context costs. It opens the context, reports time, memory and
// which load path the engine took; optionally makes one commit and closes (the close rewrites
// the context file and writes the checkpoint the next open's fast path needs), and optionally
// times searches. The result is one line on stdout: `BENCH_RESULT {json}`.
import fs from 'node:fs';
import path from 'node:path';
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { setEntity } from '../../electron/core/knowledgeGraph.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { warmSearchIndexes } from '../../electron/core/searchWarmUp.ts';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { TimedFileSystem } from './timedFileSystem.ts';
import { searchQueries, type QueryKind } from './queries.ts';

export interface OpenChildTask {
  readonly root: string;
  /**
   * Measure the floor instead of the engine: read the file, split it into lines and JSON.parse
   * each one, keeping every line's text (what any loader that validates every line must do).
   */
  readonly floor?: boolean;
  /** Make one commit after measuring, then close: the close rewrites the file and writes the checkpoint. */
  readonly commitAfter: boolean;
  readonly search: boolean;
  readonly searchRepeats: number;
}

export interface SearchSample {
  readonly kind: QueryKind;
  readonly query: string;
  readonly hits: number;
  /** Through engine.read: lock, refresh, search. */
  readonly totalMs: number;
  /** store.search alone. */
  readonly searchMs: number;
  /** The app's search (the charts.search channel): charts ranked and counted, the best 50 summarized. */
  readonly appMs: number;
  readonly appTotal: number;
}

export interface OpenChildResult {
  readonly records: number;
  readonly openedFast: boolean;
  readonly journalExisted: boolean;
  readonly findings: number;
  readonly openMs: number;
  /** The first key lookup after the open: it builds the key map the open put off (DeferredRecordMap). */
  readonly keyMapMs?: number;
  /** The context readied for changes in slices (the search run, as the app does): the event loop's longest wait meanwhile. */
  readonly keyMapBlock?: { readonly maxMs: number; readonly p99Ms: number };
  readonly ioMs: number;
  readonly io: string;
  readonly rssDelta: number;
  readonly heapDelta: number;
  readonly externalDelta: number;
  readonly peakRssDelta: number;
  readonly commitAndCloseMs?: number;
  /** The close after measuring, when no commit was made (after a first open it starts the journal). */
  readonly closeMs?: number;
  readonly closeIo?: string;
  readonly firstSearch?: SearchSample;
  readonly indexHeapDelta?: number;
  readonly searches?: SearchSample[];
  /** The index built in slices before the first query, as the app does. */
  readonly warmUp?: { readonly ms: number; readonly maxBlockMs: number; readonly p99BlockMs: number };
  /** The chart list made before the searches, as the app's window asks for it when it opens. */
  readonly firstListMs?: number;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function memory() {
  gc();
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, external: m.external + m.arrayBuffers };
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? '{}') as OpenChildTask;
  const layout = resolveLayout({ data: task.root });
  const timedFs = new TimedFileSystem();
  const journalExisted = timedFs.fs.existsSync(`${task.root}/.history/charts.journal.jsonl`);
  timedFs.reset();
  const before = memory();
  const baselinePeak = process.resourceUsage().maxRSS * 1024;

  if (task.floor) {
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(floor(task.root, before, baselinePeak))}\n`);
    return;
  }

  const start = performance.now();
  const engine = await Engine.open({ layout, fs: timedFs.fs, rewriteDelayMs: -1, origin: 'cli' });
  const opened = await engine.read('default', (state, store) => ({ records: state.size, fast: store.openedFast, findings: store.findings.length }));
  const openMs = performance.now() - start;
  const ioMs = timedFs.totalMs();
  const io = timedFs.describe();
  // An open puts off hashing the keys until one is looked up (DeferredRecordMap): the first
  // lookup's time is reported beside the open's, and memory is measured after it. Where the
  // searches are timed, the context is readied for changes in slices instead, as the app does
  // after an open (searchWarmUp.ts: the key map, its own copy of the map, its indexes), and the
  // longest wait of the event loop meanwhile is reported.
  const k = performance.now();
  let keyMapBlock: { maxMs: number; p99Ms: number } | undefined;
  let keyMapMs: number;
  if (task.search) {
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    await new Promise((resolve) => setTimeout(resolve, 30));
    const slicesFrom = performance.now();
    while (!(await engine.read('default', (state) => state.readyForChanges(10)))) await new Promise((resolve) => setImmediate(resolve));
    keyMapBlock = { maxMs: delay.max / 1e6, p99Ms: delay.percentile(99) / 1e6 };
    delay.disable();
    // The 30 ms let the histogram start is not the build's.
    keyMapMs = performance.now() - slicesFrom;
  } else {
    await engine.read('default', (state) => state.get('\u0000 no such key'));
    keyMapMs = performance.now() - k;
  }

  const peak = process.resourceUsage().maxRSS * 1024;
  const after = memory();
  let result: OpenChildResult = {
    records: opened.records,
    openedFast: opened.fast,
    journalExisted,
    findings: opened.findings,
    openMs,
    keyMapMs,
    ...(keyMapBlock ? { keyMapBlock } : {}),
    ioMs,
    io,
    rssDelta: after.rss - before.rss,
    heapDelta: after.heap - before.heap,
    externalDelta: after.external - before.external,
    peakRssDelta: Math.max(0, peak - Math.max(baselinePeak, before.rss)),
  };

  if (task.search) result = { ...result, ...(await runSearches(engine, task.searchRepeats, after.heap)) };

  if (task.commitAfter) {
    timedFs.reset();
    const t = performance.now();
    await engine.transact('default', (state) => setEntity(state, { name: 'bench_open_marker', entityType: 'note', observations: ['written so that close rewrites the file'] }));
    await engine.close();
    result = { ...result, commitAndCloseMs: performance.now() - t, closeIo: timedFs.describe() };
  } else {
    // After a first open this close starts the journal (the file as found becomes its first commit).
    const t = performance.now();
    await engine.close();
    result = { ...result, closeMs: performance.now() - t };
  }
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

function floor(root: string, before: ReturnType<typeof memory>, baselinePeak: number): OpenChildResult {
  const start = performance.now();
  const bytes = fs.readFileSync(path.join(root, 'charts.jsonl'));
  const ioMs = performance.now() - start;
  const kept: string[] = [];
  for (let from = 0; from < bytes.length; ) {
    let end = bytes.indexOf(10, from);
    if (end < 0) end = bytes.length;
    kept.push(bytes.toString('utf8', from, end));
    from = end + 1;
  }
  const splitMs = performance.now() - start - ioMs;
  for (const line of kept) JSON.parse(line);
  const openMs = performance.now() - start;
  const peak = process.resourceUsage().maxRSS * 1024;
  const after = memory();
  const result: OpenChildResult = {
    records: kept.length,
    openedFast: false,
    journalExisted: false,
    findings: 0,
    openMs,
    ioMs,
    io: `readFile ${ioMs.toFixed(1)} ms, split into line strings ${splitMs.toFixed(1)} ms, JSON.parse of every line ${(openMs - ioMs - splitMs).toFixed(1)} ms`,
    rssDelta: after.rss - before.rss,
    heapDelta: after.heap - before.heap,
    externalDelta: after.external - before.external,
    peakRssDelta: Math.max(0, peak - Math.max(baselinePeak, before.rss)),
  };
  if (kept.length < 0) console.log(kept); // keeps `kept` alive until after the measurement
  return result;
}

async function runSearches(engine: Engine, repeats: number, heapBefore: number): Promise<Partial<OpenChildResult>> {
  const chartIds = await engine.read('default', (state) => [...state.chartIds()]);
  const queries = searchQueries(chartIds);
  const charts = new ChartService(engine);
  // The app's window lists the charts when it opens, before anyone can type a search: the
  // search then shows the list's summaries of its charts instead of reading each chart.
  const l = performance.now();
  await charts.list('default');
  const firstListMs = performance.now() - l;
  // The app builds the index in slices after opening (searchWarmUp.ts): how long that takes, and
  // the longest the event loop waited meanwhile (what a click would wait at worst).
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  // The histogram counts a wait only from its second timer callback: let it start first.
  await new Promise((resolve) => setTimeout(resolve, 30));
  const w = performance.now();
  await warmSearchIndexes(engine);
  const warmUp = { ms: performance.now() - w, maxBlockMs: delay.max / 1e6, p99BlockMs: delay.percentile(99) / 1e6 };
  delay.disable();
  const once = async (kind: QueryKind, query: string): Promise<SearchSample> => {
    let searchMs = 0;
    const t = performance.now();
    const hits = await engine.read('default', (_state, store) => {
      const s = performance.now();
      const found = store.search(query, 50);
      searchMs = performance.now() - s;
      return found.length;
    });
    const totalMs = performance.now() - t;
    const a = performance.now();
    const app = await charts.searchCounted(query, { context: 'default', limit: 50 });
    return { kind, query, hits, totalMs, searchMs, appMs: performance.now() - a, appTotal: app.total };
  };
  const first = queries[0];
  if (!first) return {};
  const firstSearch = await once(first.kind, first.query);
  const indexHeapDelta = memory().heap - heapBefore;
  const searches: SearchSample[] = [];
  // Round-robin, so a burst of noise on the machine spreads over every query instead of one.
  for (let r = 0; r < repeats; r += 1) for (const q of queries) searches.push(await once(q.kind, q.query));
  return { firstSearch, indexHeapDelta, searches, warmUp, firstListMs };
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
