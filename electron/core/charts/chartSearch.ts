// The app's chart search in one context: the word index's matches grouped by chart, the best
// `limit` charts ranked, and every matching chart counted.
//
// A common word matches most records of a big context (one word in 10,000 charts: ~18,000
// records of ~8,000 charts; ten times that at 100,000), so what is done per match decides the
// query's time. Per match, only this is done: one read of what the record says about its chart,
// kept in a flat array by the word index's id of the record (learnt at its first match, or
// ahead by the app's warm-up), and a compare in flat arrays by chart. Only the best charts are
// put in order (a bounded heap), and only the shown ones are read. Reading the chart id and
// testing the outcome in the record's text at each match, a map and an object per matched
// chart, and a sort of every matched chart took 52 ms at 10,000 charts and 1.3 s at 100,000.
// Keeping the facts in a WeakMap by record (the step before this one) still read each matched
// record, which lie all over a heap of a gigabyte at 100,000 charts (~250 ns a read), and each
// growth of the map rehashed every entry at once (~210 ms past 700,000 entries), which kept the
// warm-up from learning them all: a one-word query matching 83,000 charts took ~90 ms.
import { parseValue, type StoredRecord } from '../records.ts';
import type { RecordSet } from '../recordSet.ts';
import { DESIRED_OUTCOME, type ChartSummary } from '../../../shared/domain.ts';
import { BoundedHeap, type SearchIndex } from '../searchIndex.ts';
import { NOT_KEPT, keptSummaryOf } from './chartSummaries.ts';
import { chartIndexOf, isChartId, outcomeName, readChart, resolveChartId, summarizeChart } from './chartModel.ts';
import { monotonicMs } from '../monotonicClock.ts';

/** A match in the desired outcome ranks above any match in a step or an observation. */
export const OUTCOME_BONUS = 100;

export interface ChartSearchHit {
  readonly chart: ChartSummary;
  readonly score: number;
  /** The text that matched (an observation or a name). */
  readonly matched: string;
}

const OUTCOME_TYPE = `"entityType":"${DESIRED_OUTCOME}"`;

function isOutcomeOf(record: StoredRecord, chartId: string): boolean {
  return record.name === outcomeName(chartId) || record.raw.includes(OUTCOME_TYPE);
}

/** What is known of a record without a chart id (ChartFacts.untagged). */
interface Untagged {
  /** resolveChartId's answer when the name is no chart's id (null: none); undefined until needed. */
  own: string | null | undefined;
  /** Whether the line says it is a desired outcome (isOutcomeOf's second test). */
  readonly typedOutcome: boolean;
  version: number;
  fact: number;
}

/** A record's fact when it belongs to no chart: it is not counted. */
const NO_CHART = -1;
/** How ChartFacts.byId marks a record without a chart id (its fact is in `untagged`), and what it adds to a fact it holds (0 stays "not learnt yet": a new array's zeros). */
const UNTAGGED = 1;
const STORED = 2;
/** Summaries of shown charts kept for one version of the records, at most this many. */
const SUMMARIES_KEPT = 2_000;

/**
 * What the records of one record set say about their charts, by the id its word index gives
 * each record, kept between searches; and the scratch space of a search. A record's fact is
 * its chart's slot times two, plus one when it is that chart's desired outcome (the ranking's
 * bonus); NO_CHART when it has no chart.
 */
class ChartFacts {
  private readonly slotOfChart = new Map<string, number>();
  private readonly chartOfSlot: string[] = [];
  /** The index the ids are of: a new index (rebuilt) numbers its records anew. */
  private index: SearchIndex | undefined;
  /**
   * Facts of records tagged with metadata.chartId, which hold as long as the id (an id names
   * one immutable record): 0 while not learnt, UNTAGGED for a record without a chart id, else
   * the fact plus STORED.
   */
  private byId = new Int32Array(0);
  /**
   * Records without a chart id (a peer's file): their chart is what resolveChartId finds, the
   * name itself when a chart of that id exists (which other records decide: known for one
   * version of the set), else what the record alone says (known for good).
   */
  private untagged: (Untagged | undefined)[] = [];
  /** The warm-up's walk over the ids (learn): the next id to learn. */
  private learntTo = 0;
  /** Summaries of charts shown (undefined: the chart cannot be read), for one version of the set and one context name. */
  private summaries = new Map<string, ChartSummary | undefined>();
  private summariesOf = { version: -1, context: '' };

  // A search's scratch, by slot: the best score and record id so far, and the search that set them.
  best = new Float64Array(0);
  bestId = new Int32Array(0);
  seenBy = new Uint32Array(0);
  /** The slots a search matched, in the order first matched. */
  matched = new Int32Array(0);
  private searches = 0;

  constructor(private readonly state: RecordSet) {}

  /** Takes the ids of this index from now on (forgetting the facts of another), with room for every id it has given. */
  useIndex(index: SearchIndex): void {
    if (this.index !== index) {
      this.index = index;
      this.byId = new Int32Array(0);
      this.untagged = [];
      this.learntTo = 0;
    }
    const n = index.idCount;
    if (this.byId.length >= n) return;
    const size = Math.ceil(n * 1.25) + 1024;
    const byId = new Int32Array(size);
    byId.set(this.byId);
    this.byId = byId;
    // Filled, not holey.
    const untagged = new Array<Untagged | undefined>(size).fill(undefined);
    for (let i = 0; i < this.untagged.length; i += 1) untagged[i] = this.untagged[i];
    this.untagged = untagged;
  }

  /** The fact of a live id of the index in use. */
  factOf(id: number): number {
    const known = this.byId[id] as number;
    if (known >= STORED) return known - STORED;
    const record = (this.index as SearchIndex).recordAt(id) as StoredRecord;
    if (known === UNTAGGED) return this.untaggedFactOf(id, record);
    const chartId = record.chartId;
    if (chartId === undefined) {
      this.byId[id] = UNTAGGED;
      return this.untaggedFactOf(id, record);
    }
    const fact = chartId === '' ? NO_CHART : this.slotOf(chartId) * 2 + (isOutcomeOf(record, chartId) ? 1 : 0);
    this.byId[id] = fact + STORED;
    return fact;
  }

  private untaggedFactOf(id: number, record: StoredRecord): number {
    const version = this.state.version;
    let known = this.untagged[id];
    if (known?.version === version) return known.fact;
    known ??= { own: undefined, typedOutcome: record.raw.includes(OUTCOME_TYPE), version, fact: NO_CHART };
    const name = record.name as string;
    let chartId: string | undefined;
    if (isChartId(this.state, name)) chartId = name;
    else {
      // resolveChartId, the name not being a chart's id: what the record says, which does not change.
      if (known.own === undefined) known.own = resolveChartId(this.state, name) ?? null;
      chartId = known.own ?? undefined;
    }
    known.version = version;
    known.fact = chartId ? this.slotOf(chartId) * 2 + (known.typedOutcome || name === outcomeName(chartId) ? 1 : 0) : NO_CHART;
    this.untagged[id] = known;
    return known.fact;
  }

  /** Learns the facts of the index's live ids for about `budgetMs`; true once every id given so far is learnt. */
  learn(budgetMs: number): boolean {
    const index = this.index as SearchIndex;
    const until = monotonicMs() + budgetMs;
    while (this.learntTo < index.idCount) {
      // The clock is read every 256 ids: reading it costs more than learning one.
      for (let n = 0; n < 256 && this.learntTo < index.idCount; n += 1) {
        const id = this.learntTo;
        this.learntTo += 1;
        if (index.recordAt(id) !== undefined) this.factOf(id);
      }
      if (monotonicMs() >= until) break;
    }
    return this.learntTo >= index.idCount;
  }

  chartOf(slot: number): string {
    return this.chartOfSlot[slot] as string;
  }

  /** The summary of a chart as shown (readChart, summarizeChart), made once per version of the set (the summary names its context). */
  summaryOf(chartId: string, context: string): ChartSummary | undefined {
    const { version } = this.state;
    if (this.summariesOf.version !== version || this.summariesOf.context !== context || this.summaries.size >= SUMMARIES_KEPT) {
      this.summaries = new Map();
      this.summariesOf = { version, context };
    }
    if (this.summaries.has(chartId)) return this.summaries.get(chartId);
    // The chart list's summary when it keeps one (the app lists a context before it searches it).
    const kept = keptSummaryOf(this.state, chartId, context);
    if (kept !== NOT_KEPT) return kept;
    const chart = readChart(this.state, chartId, context, chartIndexOf(this.state));
    const summary = chart ? summarizeChart(chart) : undefined;
    this.summaries.set(chartId, summary);
    return summary;
  }

  /** A number no slot's seenBy holds yet: a new search starts with no chart seen. */
  nextSearch(): number {
    if (this.searches >= 0xfffffff0) {
      this.seenBy.fill(0);
      this.searches = 0;
    }
    this.searches += 1;
    return this.searches;
  }

  private slotOf(chartId: string): number {
    let slot = this.slotOfChart.get(chartId);
    if (slot === undefined) {
      slot = this.chartOfSlot.length;
      this.chartOfSlot.push(chartId);
      this.slotOfChart.set(chartId, slot);
      this.ensureSlots(slot + 1);
    }
    return slot;
  }

  /** Grows the arrays by slot, keeping what they hold (a search may add slots as it goes). */
  private ensureSlots(n: number): void {
    if (this.best.length >= n) return;
    const size = Math.ceil(n * 1.5) + 1024;
    const best = new Float64Array(size);
    best.set(this.best);
    const bestId = new Int32Array(size);
    bestId.set(this.bestId);
    const seenBy = new Uint32Array(size);
    seenBy.set(this.seenBy);
    const matched = new Int32Array(size);
    matched.set(this.matched);
    this.best = best;
    this.bestId = bestId;
    this.seenBy = seenBy;
    this.matched = matched;
  }
}

const factsBySet = new WeakMap<RecordSet, ChartFacts>();

function factsOf(state: RecordSet, index: SearchIndex): ChartFacts {
  let facts = factsBySet.get(state);
  if (!facts) factsBySet.set(state, (facts = new ChartFacts(state)));
  facts.useIndex(index);
  return facts;
}

/**
 * Learns what each record says about its chart for about `budgetMs` (the app's warm-up, after
 * building the word indexes), so that the first search of a common word costs what the next
 * ones do; true when done. `index` is the set's word index (its ids key the facts).
 */
export function learnChartFactsStep(state: RecordSet, index: SearchIndex, budgetMs: number): boolean {
  return factsOf(state, index).learn(budgetMs);
}

/**
 * The best `limit` charts of one context for a query, best first, and how many charts match.
 * A chart ranks by its best matching record (plus OUTCOME_BONUS for its desired outcome); equal
 * scores go to the chart whose best record's key sorts first, as the record ranking does. A
 * chart that cannot be read (none of its records is a chart's part) is not shown, and not
 * counted when it ranks among those looked at for the shown ones.
 */
export function searchChartsIn(state: RecordSet, index: SearchIndex, context: string, query: string, limit: number): { hits: ChartSearchHit[]; total: number } {
  const facts = factsOf(state, index);
  const search = facts.nextSearch();
  let count = 0;
  // Every match counts (no cap): the index hands each one over without ranking them first.
  // The arrays are read from `facts` at each match: a chart met for the first time grows them.
  index.forEachMatchId(query, (id, matchScore) => {
    const fact = facts.factOf(id);
    if (fact === NO_CHART) return;
    const slot = fact >> 1;
    const score = matchScore + (fact & 1 ? OUTCOME_BONUS : 0);
    if (facts.seenBy[slot] !== search) {
      facts.seenBy[slot] = search;
      facts.best[slot] = score;
      facts.bestId[slot] = id;
      facts.matched[count] = slot;
      count += 1;
      return;
    }
    const known = facts.best[slot] as number;
    // Equal scores (same kind of match, same key length) go to the key that sorts first: only then is a record read.
    if (known < score || (known === score && index.keyAt(id) < index.keyAt(facts.bestId[slot] as number))) {
      facts.best[slot] = score;
      facts.bestId[slot] = id;
    }
  });

  const hits: ChartSearchHit[] = [];
  let missing = 0;
  let looked = 0;
  // The charts in rank order, the best `want` of them; more only when some could not be read.
  for (let want = limit; hits.length < limit && looked < count; want = Math.max(want * 2, limit + missing)) {
    const ranked = bestSlots(facts, index, count, want);
    for (; looked < ranked.length && hits.length < limit; looked += 1) {
      const slot = ranked[looked] as number;
      const summary = facts.summaryOf(facts.chartOf(slot), context);
      if (!summary) {
        missing += 1;
        continue;
      }
      const key = index.keyAt(facts.bestId[slot] as number);
      const value = parseValue(state.get(key) as StoredRecord);
      const matchedText = Array.isArray(value.observations) ? String(value.observations[0] ?? key.slice(2)) : key.slice(2);
      // A copy: the kept summary is not the caller's to change.
      hits.push({ chart: { ...summary }, score: facts.best[slot] as number, matched: matchedText });
    }
  }
  return { hits, total: count - missing };
}

/** The best `want` of the first `count` matched slots, best first (score, then the best record's key). */
function bestSlots(facts: ChartFacts, index: SearchIndex, count: number, want: number): number[] {
  const top = new BoundedHeap<{ key: string; score: number; slot: number }>(Math.min(want, count));
  for (let i = 0; i < count; i += 1) {
    const slot = facts.matched[i] as number;
    const score = facts.best[slot] as number;
    // Most charts lose to the worst kept on the score alone: their key is not read.
    if (top.beatenBy(score)) continue;
    const key = index.keyAt(facts.bestId[slot] as number);
    if (top.takes(score, key)) top.offer({ key, score, slot });
  }
  return top.sorted().map((hit) => hit.slot);
}
