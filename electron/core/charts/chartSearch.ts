// The app's chart search in one context: the word index's matches grouped by chart, the best
// `limit` charts ranked, and every matching chart counted.
//
// A common word matches most records of a big context (one word in 10,000 charts: ~18,000
// records of ~8,000 charts; ten times that at 100,000), so what is done per match decides the
// query's time. Per match, only this is done: one look-up of what the record says about its
// chart (learnt at its first match, ~1 µs) and a compare in flat arrays by chart. Only the best
// charts are put in order (a bounded heap), and only the shown ones are read. Reading the chart
// id and testing the outcome in the record's text at each match, a map and an object per
// matched chart, and a sort of every matched chart took 52 ms at 10,000 charts and 1.3 s at
// 100,000, and made the garbage behind the slowest queries' collections.
//
// What is learnt is kept in a WeakMap by record. The app's warm-up learns it ahead for up to
// LEARNT_AHEAD records of a context (all of them at 10,000 charts): each time the map grows
// it rehashes every entry in one go, ~40 ms past 175,000 entries and 210 ms past 700,000 (at
// 100,000 charts), which a slice of the warm-up must not hold; a search past that learns as
// it goes. A match still reads its record (~250 ns at 100,000 charts: they lie all over a heap
// of a gigabyte); only the word index knows its entities by a dense id facts could be kept by.
import { parseValue, type StoredRecord } from '../records.ts';
import type { RecordSet } from '../recordSet.ts';
import { DESIRED_OUTCOME, type ChartSummary } from '../../../shared/domain.ts';
import { BoundedHeap } from '../searchIndex.ts';
import { chartIndexOf, isChartId, outcomeName, readChart, resolveChartId, summarizeChart } from './chartModel.ts';

/** A match in the desired outcome ranks above any match in a step or an observation. */
export const OUTCOME_BONUS = 100;

export interface ChartSearchHit {
  readonly chart: ChartSummary;
  readonly score: number;
  /** The text that matched (an observation or a name). */
  readonly matched: string;
}

/** What a context's store offers the search (ContextStore.forEachMatch). */
export interface MatchSource {
  forEachMatch(query: string, visit: (record: StoredRecord, score: number) => void): void;
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

/** The warm-up learns the facts of at most this many records of a context (see the top). */
const LEARNT_AHEAD = 150_000;
/** A record's fact when it belongs to no chart: it is not counted. */
const NO_CHART = -1;
/** Summaries of shown charts kept for one version of the records, at most this many. */
const SUMMARIES_KEPT = 2_000;

/**
 * What the records of one record set say about their charts, kept between searches, and the
 * scratch space of a search. A record's fact is its chart's slot times two, plus one when it
 * is that chart's desired outcome (the ranking's bonus); NO_CHART when it has no chart.
 */
class ChartFacts {
  private readonly slotOfChart = new Map<string, number>();
  private readonly chartOfSlot: string[] = [];
  /** Records tagged with metadata.chartId: their fact holds as long as the record (records are immutable). */
  private readonly tagged = new WeakMap<StoredRecord, number>();
  /**
   * Records without a chart id (a peer's file): their chart is what resolveChartId finds, the
   * name itself when a chart of that id exists (which other records decide: known for one
   * version of the set), else what the record alone says (known for good).
   */
  private readonly untagged = new WeakMap<StoredRecord, Untagged>();
  /** The warm-up's walk over the records (learn), and how many it learnt; done when the walk ended or the count is LEARNT_AHEAD. */
  private learning: Iterator<StoredRecord> | undefined;
  private learnt = 0;
  private learnDone = false;
  /** Summaries of charts shown (undefined: the chart cannot be read), for one version of the set and one context name. */
  private summaries = new Map<string, ChartSummary | undefined>();
  private summariesOf = { version: -1, context: '' };

  // A search's scratch, by slot: the best score and record so far, and the search that set them.
  best = new Float64Array(0);
  bestRecord: (StoredRecord | undefined)[] = [];
  seenBy = new Uint32Array(0);
  /** The slots a search matched, in the order first matched. */
  matched = new Int32Array(0);
  private searches = 0;

  constructor(private readonly state: RecordSet) {}

  factOf(record: StoredRecord): number {
    const chartId = record.chartId;
    if (chartId !== undefined) {
      const known = this.tagged.get(record);
      if (known !== undefined) return known;
      const fact = chartId === '' ? NO_CHART : this.factFor(record, chartId);
      this.tagged.set(record, fact);
      return fact;
    }
    return this.untaggedFactOf(record);
  }

  private untaggedFactOf(record: StoredRecord): number {
    const version = this.state.version;
    let known = this.untagged.get(record);
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
    this.untagged.set(record, known);
    return known.fact;
  }

  /** Learns the facts of the set's entities for about `budgetMs`; true once done. */
  learn(budgetMs: number): boolean {
    const until = performance.now() + budgetMs;
    // A live walk: a record set meanwhile is met or not; one not met is learnt at its first match.
    this.learning ??= this.state.values();
    while (!this.learnDone) {
      for (let n = 0; n < 256 && !this.learnDone; n += 1) {
        const next = this.learning.next();
        if (next.done || this.learnt >= LEARNT_AHEAD) this.learnDone = true;
        else if (next.value.kind === 'entity') {
          this.factOf(next.value);
          this.learnt += 1;
        }
      }
      if (performance.now() >= until) break;
    }
    if (this.learnDone) this.learning = undefined;
    return this.learnDone;
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

  private factFor(record: StoredRecord, chartId: string): number {
    return this.slotOf(chartId) * 2 + (isOutcomeOf(record, chartId) ? 1 : 0);
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
    const seenBy = new Uint32Array(size);
    seenBy.set(this.seenBy);
    const matched = new Int32Array(size);
    matched.set(this.matched);
    // Filled, not holey: a slot is written before the ones below it.
    const bestRecord = new Array<StoredRecord | undefined>(size).fill(undefined);
    for (let i = 0; i < this.bestRecord.length; i += 1) bestRecord[i] = this.bestRecord[i];
    this.best = best;
    this.seenBy = seenBy;
    this.matched = matched;
    this.bestRecord = bestRecord;
  }
}

const factsBySet = new WeakMap<RecordSet, ChartFacts>();

function factsOf(state: RecordSet): ChartFacts {
  let facts = factsBySet.get(state);
  if (!facts) factsBySet.set(state, (facts = new ChartFacts(state)));
  return facts;
}

/**
 * Learns what each record says about its chart for about `budgetMs` (the app's warm-up, after
 * building the word indexes), so that the first search of a common word costs what the next
 * ones do; true when done.
 */
export function learnChartFactsStep(state: RecordSet, budgetMs: number): boolean {
  return factsOf(state).learn(budgetMs);
}

/**
 * The best `limit` charts of one context for a query, best first, and how many charts match.
 * A chart ranks by its best matching record (plus OUTCOME_BONUS for its desired outcome); equal
 * scores go to the chart whose best record's key sorts first, as the record ranking does. A
 * chart that cannot be read (none of its records is a chart's part) is not shown, and not
 * counted when it ranks among those looked at for the shown ones.
 */
export function searchChartsIn(state: RecordSet, store: MatchSource, context: string, query: string, limit: number): { hits: ChartSearchHit[]; total: number } {
  const facts = factsOf(state);
  const search = facts.nextSearch();
  let count = 0;
  // Every match counts (no cap): the index hands each one over without ranking them first.
  store.forEachMatch(query, (record, matchScore) => {
    const fact = facts.factOf(record);
    if (fact === NO_CHART) return;
    const slot = fact >> 1;
    const score = matchScore + (fact & 1 ? OUTCOME_BONUS : 0);
    if (facts.seenBy[slot] !== search) {
      facts.seenBy[slot] = search;
      facts.best[slot] = score;
      facts.bestRecord[slot] = record;
      facts.matched[count] = slot;
      count += 1;
      return;
    }
    const best = facts.best[slot] as number;
    if (best < score || (best === score && record.key < (facts.bestRecord[slot] as StoredRecord).key)) {
      facts.best[slot] = score;
      facts.bestRecord[slot] = record;
    }
  });

  const hits: ChartSearchHit[] = [];
  let missing = 0;
  let looked = 0;
  // The charts in rank order, the best `want` of them; more only when some could not be read.
  for (let want = limit; hits.length < limit && looked < count; want = Math.max(want * 2, limit + missing)) {
    const ranked = bestSlots(facts, count, want);
    for (; looked < ranked.length && hits.length < limit; looked += 1) {
      const slot = ranked[looked] as number;
      const summary = facts.summaryOf(facts.chartOf(slot), context);
      if (!summary) {
        missing += 1;
        continue;
      }
      const key = (facts.bestRecord[slot] as StoredRecord).key;
      const value = parseValue(state.get(key) as StoredRecord);
      const matched = Array.isArray(value.observations) ? String(value.observations[0] ?? key.slice(2)) : key.slice(2);
      // A copy: the kept summary is not the caller's to change.
      hits.push({ chart: { ...summary }, score: facts.best[slot] as number, matched });
    }
  }
  // The records are the set's: the scratch does not hold them past the search.
  for (let i = 0; i < count; i += 1) facts.bestRecord[facts.matched[i] as number] = undefined;
  return { hits, total: count - missing };
}

/** The best `want` of the first `count` matched slots, best first (score, then the best record's key). */
function bestSlots(facts: ChartFacts, count: number, want: number): number[] {
  const top = new BoundedHeap<{ key: string; score: number; slot: number }>(Math.min(want, count));
  for (let i = 0; i < count; i += 1) {
    const slot = facts.matched[i] as number;
    const score = facts.best[slot] as number;
    // Most charts lose to the worst kept on the score alone: their key is not read.
    if (top.beatenBy(score)) continue;
    const key = (facts.bestRecord[slot] as StoredRecord).key;
    if (top.takes(score, key)) top.offer({ key, score, slot });
  }
  return top.sorted().map((hit) => hit.slot);
}
