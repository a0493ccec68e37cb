// The chart list's summaries of a context, kept as its records change, and what changed in
// them since a list the app already holds. The record set tells which charts a change touched
// (RecordSet.listen); a summary is made again only for those, so a list of 100k charts is
// parsed once, and the app, told that a context changed, asks only for what changed since
// its token (a sequence of summary generations), not for 100k summaries again.
import { ACTION_STEP, type ChartSummary } from '../../../shared/domain.ts';
import { entityKey, type StoredRecord } from '../records.ts';
import type { RecordSet } from '../recordSet.ts';
import { chartEntityName, chartIndexOf, chartPartKeys, entityOf, isStepOfChart, num, outcomeName, readChart, summarizeChart, text, type ChartIndex } from './chartModel.ts';

/** A chart's summary, the sub-charts it was made with, and the generation it was made in. */
interface CachedSummary {
  readonly subCharts: string;
  readonly summary: ChartSummary;
  readonly generation: number;
}

/** The summaries of one record set, and which charts a change touched since they were last made. */
interface SummaryCache {
  /** Names this cache: a token from another (the context read anew, another process) asks for the whole list. */
  epoch: string;
  /** Bumped by every pass that made or dropped a summary. */
  generation: number;
  readonly byId: Map<string, CachedSummary>;
  /** Charts gone, with the generation that dropped them. */
  readonly removed: Map<string, number>;
  /** Charts a change touched since the last pass; `all` after a reset (or at first). */
  touched: Set<string> | 'all';
}

const caches = new WeakMap<RecordSet, SummaryCache>();
/** Beyond this many touched charts (nobody listed them for a long while) or remembered removals, start over. */
const MAX_TRACKED = 10_000;
/** The part suffix of a chart's own entity names: what follows `<id>`. */
const PART_NAME = /_(?:chart|desired_outcome|current_reality|action_?\d+)$/;
let epochs = 0;
const newEpoch = () => `${process.pid.toString(36)}-${Date.now().toString(36)}-${(epochs += 1).toString(36)}`;

/** The charts a record can bear on: its metadata.chartId, and the chart its name (or a relation's ends) names as a part. */
function chartsOfRecord(record: StoredRecord, into: Set<string>): void {
  if (record.chartId !== undefined) into.add(record.chartId);
  const names = record.kind === 'entity' ? [record.name] : record.kind === 'relation' ? [record.from, record.to] : [];
  for (const name of names) {
    if (typeof name !== 'string') continue;
    const part = PART_NAME.exec(name);
    if (part) into.add(name.slice(0, part.index));
  }
}

function cacheOf(state: RecordSet): SummaryCache {
  const known = caches.get(state);
  if (known) return known;
  const cache: SummaryCache = { epoch: newEpoch(), generation: 0, byId: new Map(), removed: new Map(), touched: 'all' };
  state.listen(
    (before, after) => {
      if (cache.touched === 'all') return;
      if (before) chartsOfRecord(before, cache.touched);
      if (after) chartsOfRecord(after, cache.touched);
      if (cache.touched.size > MAX_TRACKED) cache.touched = 'all';
    },
    () => (cache.touched = 'all'),
  );
  caches.set(state, cache);
  return cache;
}

/**
 * The summaries of every chart in a state, each made again only when a change touched one of
 * its records (by its chart id, or its name as one of the chart's parts: what a summary reads)
 * or its sub-charts changed. A list of 100k charts is parsed once (and again after the context
 * is read anew from its file), and a change costs only the charts it touched.
 */
export function summarizeCharts(state: RecordSet, context: string): ChartSummary[] {
  const cache = cacheOf(state);
  const touched = cache.touched;
  cache.touched = new Set();
  if (touched === 'all') {
    // Whatever the app holds was made from other records: it gets the whole list again.
    cache.byId.clear();
    cache.removed.clear();
    cache.epoch = newEpoch();
    cache.generation = 0;
  }
  const generation = cache.generation + 1;
  let changed = false;
  const index = chartIndexOf(state);
  const result: ChartSummary[] = [];
  const live = new Set<string>();
  for (const id of index.ids) {
    live.add(id);
    const cached = cache.byId.get(id);
    const subCharts = index.childrenOf(id).join(',');
    if (cached && touched !== 'all' && !touched.has(id) && cached.subCharts === subCharts) {
      result.push(cached.summary);
      continue;
    }
    // The records tagged with the chart id are what a summary reads (entities the COAIA servers
    // write carry metadata.chartId); a chart whose parts lack it is matched by its full part set.
    const tagged = state.chartKeys(id);
    const keys = tagged.size > 0 ? tagged : chartPartKeys(state, id);
    const summary = quickSummary(state, id, context, keys) ?? summarizeFully(state, id, context, index);
    if (!summary) {
      if (cached) drop(cache, id, generation);
      continue;
    }
    cache.removed.delete(id);
    cache.byId.set(id, { subCharts, summary, generation: cached && sameSummary(cached.summary, summary) ? cached.generation : generation });
    if (!cached || cache.byId.get(id)!.generation === generation) changed = true;
    result.push(summary);
  }
  if (cache.byId.size > live.size) {
    for (const id of [...cache.byId.keys()]) {
      if (live.has(id)) continue;
      drop(cache, id, generation);
      changed = true;
    }
  }
  if (changed) cache.generation = generation;
  if (cache.removed.size > MAX_TRACKED) {
    cache.removed.clear();
    cache.epoch = newEpoch(); // older tokens can no longer be answered with a difference
  }
  return result;
}

function drop(cache: SummaryCache, id: string, generation: number): void {
  cache.byId.delete(id);
  cache.removed.set(id, generation);
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
 * it and the ids dropped after it; or the whole list, when `since` is absent or from another
 * cache (the context was read anew, or the token is from another process).
 */
export function chartListChangesSince(state: RecordSet, context: string, since: ListPosition | undefined): ChartListChanges {
  const summaries = summarizeCharts(state, context);
  const cache = cacheOf(state);
  const at = { epoch: cache.epoch, generation: cache.generation };
  if (!since || since.epoch !== cache.epoch || since.generation > cache.generation) return { whole: true, at, summaries };
  const changed: ChartSummary[] = [];
  for (const entry of cache.byId.values()) if (entry.generation > since.generation) changed.push(entry.summary);
  const removed: string[] = [];
  for (const [id, generation] of cache.removed) if (generation > since.generation) removed.push(id);
  return { whole: false, at, changed, removed };
}

function summarizeFully(state: RecordSet, id: string, context: string, index: ChartIndex): ChartSummary | undefined {
  const chart = readChart(state, id, context, index);
  return chart ? summarizeChart(chart) : undefined;
}

/**
 * A chart's summary parsing only its `_chart` and desired-outcome lines: steps are counted
 * from their lines' text (`"completionStatus":true`). A list of 100k charts then parses 200k
 * lines instead of 1.3M. Undefined (the full reading is used) for a chart without those two
 * entities under their usual names.
 */
function quickSummary(state: RecordSet, id: string, context: string, keys: ReadonlySet<string>): ChartSummary | undefined {
  const chart = entityOf(state.get(entityKey(chartEntityName(id))));
  const outcome = entityOf(state.get(entityKey(outcomeName(id))));
  if (!chart || !outcome) return undefined;
  let stepsTotal = 0;
  let stepsDone = 0;
  const isStepKey = (key: string) => key.startsWith('e\u0000') && isStepOfChart(id, key.slice(2));
  const stepKeys = new Set([...keys].filter(isStepKey));
  // Steps without metadata.chartId (a peer stripped it from some or all of them) are found by
  // their relations to the chart's outcome or chart entity, as the full reading finds them.
  for (const hub of [outcomeName(id), chartEntityName(id)]) {
    for (const relation of state.relationKeysOf(hub)) {
      const record = state.get(relation);
      if (record?.kind !== 'relation') continue;
      for (const end of [record.from as string, record.to as string]) if (isStepOfChart(id, end)) stepKeys.add(entityKey(end));
    }
  }
  for (const key of stepKeys) {
    const record = state.get(key);
    if (record?.kind !== 'entity') continue;
    const name = record.name as string;
    const isStep = record.raw.includes(`"entityType":"${ACTION_STEP}"`) || isStepOfChart(id, name);
    if (!isStep || !name.startsWith(`${id}_`)) continue;
    stepsTotal += 1;
    if (/"completionStatus":\s*true/.test(record.raw)) stepsDone += 1;
  }
  const meta = chart.metadata;
  const dueDate = text(meta.dueDate) ?? text(outcome.metadata.dueDate);
  const parentChart = text(meta.parentChart);
  const updatedAt = text(meta.updatedAt);
  const outcomeCompleted = outcome.metadata.completionStatus === true;
  return {
    id,
    context,
    desiredOutcome: outcome.observations[0] ?? '',
    ...(dueDate === undefined ? {} : { dueDate }),
    level: num(meta.level) ?? 0,
    ...(parentChart === undefined ? {} : { parentChart }),
    complete: outcomeCompleted || (stepsTotal > 0 && stepsDone === stepsTotal),
    stepsDone,
    stepsTotal,
    ...(updatedAt === undefined ? {} : { updatedAt }),
  };
}
