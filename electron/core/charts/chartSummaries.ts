// The chart list's summaries of a context, kept as its records change, and what changed in
// them since a list the app already holds. The record set tells which charts a change touched
// (RecordSet.listen); a summary is made again only for those, so a list of 100k charts is
// parsed once, and the app, told that a context changed, asks only for what changed since
// its token (a sequence of summary generations), not for 100k summaries again. The summaries are
// saved at the engine's close and read back when the file is unchanged (summaryCacheFile.ts):
// the app's first list at a start then costs a read, not a pass over every record.
import type { ChartSummary } from '../../../shared/domain.ts';
import type { Engine } from '../engine.ts';
import { validateContextName } from '../dataRoot.ts';
import type { StoredRecord } from '../records.ts';
import type { RecordSet } from '../recordSet.ts';
import { chartHeadOf, chartIndexOf, isStepPart, type ChartIndex } from './chartModel.ts';
import { COMPLETED, NO_STEPS, gatherSummaryPart, quickSummary, stepOf, stepsOf, summarizeFully, type StepCount } from './chartSummary.ts';
import { derivedCacheOf } from '../derivedCache.ts';
import { decodeSummaries, encodeSummaries } from './summaryCacheFile.ts';
import { byDueDate } from '../../../shared/chartOrder.ts';
import { appendAll } from '../../../shared/appendAll.ts';

/** A chart's summary and the generation it was made in. */
interface CachedSummary {
  readonly summary: ChartSummary;
  readonly generation: number;
}

/** The summaries of one record set, and which charts a change touched since they were last made. */
interface SummaryCache {
  /** Names this cache: a token from another (the context read anew, another process) asks for the whole list. */
  epoch: string;
  /** Bumped by every pass that made, changed or dropped a summary. */
  generation: number;
  /**
   * Every chart's summary, in the list's order: by due date at the last full pass (or as saved),
   * then charts as they first appeared since (a chart changed keeps its place).
   */
  readonly byId: Map<string, CachedSummary>;
  /** The context name the summaries were last made under. */
  context: string;
  /** The file content (DerivedCache.tagNow) the summaries were last saved or read for: saved again only for another. */
  savedFor: string | undefined;
  /** Charts gone, with the generation that dropped them. */
  readonly removed: Map<string, number>;
  /** Which chart changed in which generation, oldest first: a difference is read from its end. */
  log: { readonly id: string; readonly generation: number }[];
  /** A token older than this generation is answered with the whole list (the log was cut). */
  oldest: number;
  /** Charts a change touched since the last pass; `all` after a reset (or at first). */
  touched: Set<string> | 'all';
  /**
   * Every chart's steps (those tagged with its id), counted by the last full pass and kept
   * current record by record (countStep): a change's summary needs no index of every record.
   */
  steps: Map<string, StepCount>;
  /** How many stray steps (stepOf) each chart has: those charts' steps are counted by stepsOf. */
  strays: Map<string, number>;
  /**
   * How many chart heads (chartHeadOf: chart entities and desired outcomes) name each chart
   * id, kept the same way: a chart exists while one does (ChartIndex.has), which a change's
   * summary asks without the chart index, rebuilt from every head at each change (80-140 ms
   * at 100k charts, the whole cost of an outside change's difference).
   */
  heads: Map<string, number>;
}

const caches = new WeakMap<RecordSet, SummaryCache>();
/** Beyond this many touched charts (nobody listed them for a long while), start over. */
const MAX_TOUCHED = 10_000;
/** The log keeps the newest this many changes. */
const MAX_LOG = 20_000;
/** The part suffix of a chart's own entity names: what follows `<id>`. */
const PART_NAME = /_(?:chart|desired_outcome|current_reality|action_?\d+)$/;
let epochs = 0;
const newEpoch = () => `${process.pid.toString(36)}-${Date.now().toString(36)}-${(epochs += 1).toString(36)}`;

/**
 * A record joins (sign 1) or leaves (-1) the set: the charts it can bear on the summary of are
 * touched (its metadata.chartId, the chart its name or a relation's ends name as a part, and,
 * for a chart entity, its parent chart, whose summary counts it among its sub-charts), and the
 * counts of steps and chart heads follow it.
 */
function noteRecord(cache: SummaryCache, touched: Set<string>, record: StoredRecord, sign: 1 | -1): void {
  if (record.chartId !== undefined) touched.add(record.chartId);
  const names = record.kind === 'entity' ? [record.name] : record.kind === 'relation' ? [record.from, record.to] : [];
  for (const name of names) {
    if (typeof name !== 'string') continue;
    const part = PART_NAME.exec(name);
    if (part) touched.add(name.slice(0, part.index));
  }
  const head = chartHeadOf(record);
  if (head) {
    touched.add(head.id);
    if (head.kind === 'chart' && head.parentChart) touched.add(head.parentChart);
    addCount(cache.heads, head.id, sign);
  }
  countStep(cache, record, sign);
}

/** Adds `sign` to the count of `id`; a count that reaches 0 goes. */
function addCount(counts: Map<string, number>, id: string, sign: 1 | -1): void {
  const n = (counts.get(id) ?? 0) + sign;
  if (n > 0) counts.set(id, n);
  else counts.delete(id);
}

function cacheOf(state: RecordSet): SummaryCache {
  const known = caches.get(state);
  if (known) return known;
  const cache: SummaryCache = { epoch: newEpoch(), generation: 0, byId: new Map(), context: '', savedFor: undefined, removed: new Map(), log: [], oldest: 0, touched: 'all', steps: new Map(), strays: new Map(), heads: new Map() };
  state.listen(
    (before, after) => {
      // Until the next full pass, counts and touched charts are not kept (that pass makes them anew).
      if (cache.touched === 'all') return;
      if (before) noteRecord(cache, cache.touched, before, -1);
      if (after) noteRecord(cache, cache.touched, after, 1);
      if (cache.touched.size > MAX_TOUCHED) cache.touched = 'all';
    },
    () => (cache.touched = 'all'),
  );
  caches.set(state, cache);
  derivedCacheOf(state)?.onClose('summaries', () => saveSummaries(state, cache));
  return cache;
}

/**
 * Saves the summaries for the file's content (at the engine's close, after its last rewrite),
 * when they are kept and the state is the file's content; not again for a content they were
 * saved or read for.
 */
function saveSummaries(state: RecordSet, cache: SummaryCache): void {
  const files = derivedCacheOf(state);
  if (!files || cache.touched === 'all') return;
  update(state, cache.context);
  const tag = files.tagNow();
  if (tag === undefined || tag === cache.savedFor) return;
  files.write('summaries', tag, () => {
    const summaries: ChartSummary[] = [];
    for (const { summary } of cache.byId.values()) summaries.push(summary);
    return encodeSummaries({ summaries, steps: cache.steps, strays: cache.strays, heads: cache.heads });
  });
  cache.savedFor = tag;
}

/**
 * The summaries as saved for exactly what the state holds (a file unchanged since the close
 * that saved them), taken as a full pass's: true when they were.
 */
function readSaved(state: RecordSet, context: string, cache: SummaryCache): boolean {
  const files = derivedCacheOf(state);
  const tag = files?.tagNow();
  const text = tag === undefined ? undefined : files?.read('summaries', tag);
  const saved = text === undefined ? undefined : decodeSummaries(text, context);
  if (!saved) return false;
  for (const summary of saved.summaries) cache.byId.set(summary.id, { summary, generation: 1 });
  cache.steps = saved.steps;
  cache.strays = saved.strays;
  cache.heads = saved.heads;
  cache.savedFor = tag;
  return true;
}

/**
 * Adds (sign 1) or takes away (-1) a record in the cache's step counts: a step of the chart it
 * is tagged with (isStepPart: as readChart sorts that chart's parts, whatever the name says),
 * and a stray of the chart its name makes it a step of when it is not tagged with that one.
 */
function countStep(cache: SummaryCache, record: StoredRecord, sign: 1 | -1): void {
  if (record.kind !== 'entity') return;
  const id = record.chartId;
  if (id && isStepPart(record, id)) {
    let count = cache.steps.get(id);
    if (!count) cache.steps.set(id, (count = { total: 0, done: 0 }));
    count.total += sign;
    if (COMPLETED.test(record.raw)) count.done += sign;
    if (count.total <= 0) cache.steps.delete(id);
  }
  const step = stepOf(record);
  if (step && !step.tagged) addCount(cache.strays, step.id, sign);
}

/**
 * A chart's summary as its records say now; undefined when there is no chart. Its steps are
 * the cache's counts, unless it has a stray step: then they are looked for (stepsOf). `parts`:
 * the charts' `_chart` and outcome entities gathered by a full pass (tallySteps), looked up
 * there rather than in the record set.
 */
function summaryNow(state: RecordSet, id: string, context: string, index: () => ChartIndex, cache: SummaryCache, parts?: Map<string, StoredRecord>): ChartSummary | undefined {
  const steps = cache.strays.has(id) ? stepsOf(state, id) : (cache.steps.get(id) ?? NO_STEPS);
  const found = parts === undefined ? undefined : (key: string) => parts.get(key);
  return quickSummary(state, id, context, steps, found) ?? summarizeFully(state, id, context, index());
}

/**
 * Every chart's steps, counted in one pass over the records (countStep for each), for a list
 * made from scratch (a context read anew); kept current record by record from then on. Returns
 * the records quickSummary looks up, gathered on the way (gatherSummaryPart).
 */
function tallySteps(state: RecordSet, cache: SummaryCache): Map<string, StoredRecord> {
  cache.steps = new Map();
  cache.strays = new Map();
  const parts = new Map<string, StoredRecord>();
  for (const record of state.values()) {
    countStep(cache, record, 1);
    gatherSummaryPart(parts, record);
  }
  return parts;
}

/**
 * Brings the summaries up to date: after a reset (or at first) every chart's, made anew under
 * a new epoch; otherwise only the charts a change touched (by their chart id, their names as
 * parts, or as the parent of a sub-chart: what a summary reads), each logged with the
 * generation it changed in when it did change.
 */
function update(state: RecordSet, context: string): SummaryCache {
  const cache = cacheOf(state);
  const touched = cache.touched;
  cache.touched = new Set();
  cache.context = context;
  // The chart index is rebuilt from every chart head after any change: a difference asks for
  // it only when a chart needs the full reading (summarizeFully), which quick summaries avoid.
  const index = () => chartIndexOf(state);
  if (touched === 'all') {
    // Whatever the app holds was made from other records: it gets the whole list again.
    cache.byId.clear();
    cache.removed.clear();
    cache.log = [];
    cache.epoch = newEpoch();
    cache.generation = 1;
    cache.oldest = 1;
    cache.savedFor = undefined;
    if (readSaved(state, context, cache)) return cache;
    const parts = tallySteps(state, cache);
    const heads = state.derived(chartHeadOf);
    cache.heads = new Map();
    for (const head of heads.values()) addCount(cache.heads, head.id, 1);
    const made: ChartSummary[] = [];
    // Every chart id (those a head names: ChartIndex.ids as a set), without building the index:
    // the sort below makes the order (it is total), and most summaries need no index at all.
    for (const id of cache.heads.keys()) {
      const summary = summaryNow(state, id, context, index, cache, parts);
      if (summary) made.push(summary);
    }
    // Kept by due date (the window's first order): its sort of 100k rows then finds them in order.
    made.sort(byDueDate);
    for (const summary of made) cache.byId.set(summary.id, { summary, generation: 1 });
    return cache;
  }
  if (touched.size === 0) return cache;
  const generation = cache.generation + 1;
  for (const id of touched) {
    const cached = cache.byId.get(id);
    // ChartIndex.has(id), from the counts: a chart exists while a chart head names it.
    const summary = cache.heads.has(id) ? summaryNow(state, id, context, index, cache) : undefined;
    if (!summary) {
      if (!cached) continue;
      cache.byId.delete(id);
      cache.removed.set(id, generation);
    } else {
      if (cached && sameSummary(cached.summary, summary)) continue;
      cache.removed.delete(id);
      cache.byId.set(id, { summary, generation });
    }
    cache.log.push({ id, generation });
    cache.generation = generation;
  }
  if (cache.log.length > MAX_LOG) {
    cache.log = cache.log.slice(-MAX_LOG / 2);
    // The cut may fall inside the oldest generation left: a token is answered from the log only
    // from that generation on, when every later change is still in it.
    cache.oldest = cache.log[0]!.generation;
    for (const [id, dropped] of cache.removed) if (dropped <= cache.oldest) cache.removed.delete(id);
  }
  return cache;
}

/**
 * The summaries of every chart in a state, in the list's order (SummaryCache.byId). Kept as
 * records change: a list of 100k charts is parsed once (and again after the context is read
 * anew from its file, unless the summaries saved at the last close are of that very file), and
 * a change costs only the charts it touched.
 */
export function summarizeCharts(state: RecordSet, context: string): ChartSummary[] {
  const result: ChartSummary[] = [];
  for (const { summary } of update(state, context).byId.values()) result.push(summary);
  return result;
}

/** keptSummaryOf's answer when the list's summaries of a state are not kept. */
export const NOT_KEPT = Symbol('not kept');

/**
 * One chart's summary as the chart list keeps it (brought up to date first: only the charts
 * changes touched are made again); NOT_KEPT when nothing keeps the list's summaries of this
 * state (no list was made of it, or it was read anew since), or the list has no such chart
 * (the list shows a chart only while its `_chart` entity or its outcome is there; a reading of
 * its other parts is the caller's). The search shows its charts this way: reading each one
 * (readChart) needs the relation index, whose first build held the first search of a common
 * word for 1-3 s at 100k charts.
 */
export function keptSummaryOf(state: RecordSet, id: string, context: string): ChartSummary | typeof NOT_KEPT {
  const cache = caches.get(state);
  if (!cache || cache.touched === 'all') return NOT_KEPT;
  const summary = update(state, context).byId.get(id)?.summary;
  // Made under another name (the context was renamed since): not the summary to show.
  return summary && summary.context === context ? summary : NOT_KEPT;
}

/**
 * How many charts a state has (the chart index's count, ChartIndex.size): the summaries' count
 * of chart ids while they are kept current, else the index. The contexts list shows it after
 * every change, where rebuilding the index cost 80-140 ms at 100k charts.
 */
export function chartCount(state: RecordSet): number {
  const cache = caches.get(state);
  if (cache && cache.touched !== 'all') return cache.heads.size;
  return chartIndexOf(state).size;
}

/**
 * Makes every context's chart list ready (read back from its cache, or made by a full pass),
 * one context per turn of the engine: the app does this as it starts, while its window loads,
 * so that the window's first list finds the summaries made. Stops between contexts once
 * `isStopped` says so.
 */
export async function prepareChartLists(engine: Engine, isStopped: () => boolean = () => false): Promise<void> {
  for (const name of engine.listContextNames()) {
    if (isStopped()) return;
    // The file is read before the lock, and the list made after it, from what this process then
    // holds: on a first open at 100k charts the lock was held for both (4-5 s and 3 s), and a
    // CLI write or an MCP server's waited for them.
    engine.readFileAhead(name, { readyForChange: false });
    await engine.read(name, () => undefined);
    const listed = engine.inMemory(name, (state) => {
      update(state, name);
      return true;
    });
    if (listed === undefined) await engine.read(name, (state) => void update(state, name));
  }
}

/**
 * The chart list of one context, or of every context when none is named (ChartService.list):
 * here, beside the summaries, so that `tension chart list` loads the engine and this module
 * only, not every chart operation.
 */
export async function listCharts(engine: Engine, context?: string): Promise<ChartSummary[]> {
  const contexts = context === undefined ? engine.listContextNames() : [validateContextName(context)];
  const all: ChartSummary[] = [];
  for (const name of contexts) {
    // A reader (the CLI) of a file unchanged since its list was saved reads the list alone.
    const saved = await engine.savedWithoutLoading(name, 'summaries');
    const summaries = (saved === undefined ? undefined : decodeSummaries(saved, name)?.summaries) ?? (await engine.read(name, (state) => summarizeCharts(state, name)));
    appendAll(all, summaries);
  }
  return all;
}

function sameSummary(a: ChartSummary, b: ChartSummary): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Where a list the app holds stands: the cache it came from, and its generation. */
export interface ListPosition {
  readonly epoch: string;
  readonly generation: number;
}

export type ChartListChanges =
  | { readonly whole: true; readonly at: ListPosition; readonly summaries: ChartSummary[] }
  | { readonly whole: false; readonly at: ListPosition; readonly changed: ChartSummary[]; readonly removed: string[] };

/**
 * What changed in a context's chart list since `since`: the summaries made or changed after
 * it and the ids dropped after it, read from the end of the log (a quiet context costs
 * nothing, whatever its size); or the whole list, when `since` is absent, from another cache
 * (the context was read anew, the token is from another process) or older than the log.
 */
export function chartListChangesSince(state: RecordSet, context: string, since: ListPosition | undefined): ChartListChanges {
  const cache = update(state, context);
  const at = { epoch: cache.epoch, generation: cache.generation };
  if (!since || since.epoch !== cache.epoch || since.generation > cache.generation || since.generation < cache.oldest) {
    return { whole: true, at, summaries: summarizeCharts(state, context) };
  }
  const seen = new Set<string>();
  const changed: ChartSummary[] = [];
  const removed: string[] = [];
  for (let i = cache.log.length - 1; i >= 0 && cache.log[i]!.generation > since.generation; i -= 1) {
    const { id } = cache.log[i]!;
    if (seen.has(id)) continue;
    seen.add(id);
    const entry = cache.byId.get(id);
    if (entry) changed.push(entry.summary);
    else removed.push(id);
  }
  return { whole: false, at, changed, removed };
}
