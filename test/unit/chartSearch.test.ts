// The app's chart search against a plain reading of its rule, on seeded charts that change
// between queries: every matching record counts for its chart (its metadata.chartId, else the
// chart resolveChartId finds), a chart ranks by its best record (plus 100 for its desired
// outcome), equal scores by that record's key; the shown charts are read and summarized, and
// a chart that cannot be read is neither shown nor counted when it is looked at. The search
// keeps what it learnt of each record and the summaries it showed between queries, ranks only
// the best charts, and looks further only when some cannot be read: none of that may change
// what the person sees.
import { describe, expect, it } from 'vitest';
import { classifyLine, makeRecord, parseValue, type StoredRecord } from '../../electron/core/records.ts';
import { RecordSet } from '../../electron/core/recordSet.ts';
import { SearchIndex } from '../../electron/core/searchIndex.ts';
import { learnChartFactsStep, searchChartsIn, type ChartSearchHit } from '../../electron/core/charts/chartSearch.ts';
import { summarizeCharts } from '../../electron/core/charts/chartSummaries.ts';
import { chartIndexOf, outcomeName, readChart, resolveChartId, summarizeChart } from '../../electron/core/charts/chartModel.ts';
import { seededRandom } from '../helpers/seededRandom.ts';

const WORDS = ['invoice', 'invoices', 'billing', 'bill', 'garden', 'report', 'chart', 'plan', 'ship', 'a'];

function record(value: Record<string, unknown>): StoredRecord {
  const raw = JSON.stringify(value);
  const verdict = classifyLine(raw);
  if (!verdict.ok || verdict.kind === 'blank') throw new Error(`not a record: ${raw}`);
  return makeRecord(raw, verdict.fields);
}

/** The search as it was written before it kept anything between queries: every match grouped in a map, every chart sorted. */
function plainSearch(state: RecordSet, index: SearchIndex, query: string, limit: number): { hits: ChartSearchHit[]; total: number } {
  const best = new Map<string, { key: string; score: number }>();
  index.forEachMatchId(query, (id, matchScore) => {
    const match = index.recordAt(id) as StoredRecord;
    const chartId = match.chartId ?? resolveChartId(state, match.name as string);
    if (!chartId) return;
    const outcome = match.name === outcomeName(chartId) || match.raw.includes('"entityType":"desired_outcome"');
    const score = matchScore + (outcome ? 100 : 0);
    const known = best.get(chartId);
    if (!known || known.score < score || (known.score === score && match.key < known.key)) best.set(chartId, { key: match.key, score });
  });
  const ranked = [...best].sort((a, b) => b[1].score - a[1].score || (a[1].key < b[1].key ? -1 : a[1].key > b[1].key ? 1 : 0));
  const hits: ChartSearchHit[] = [];
  let missing = 0;
  for (const [chartId, { key, score }] of ranked) {
    if (hits.length >= limit) break;
    const chart = readChart(state, chartId, 'work', chartIndexOf(state));
    if (!chart) {
      missing += 1;
      continue;
    }
    const value = parseValue(state.get(key) as StoredRecord);
    const matched = Array.isArray(value.observations) ? String(value.observations[0] ?? key.slice(2)) : key.slice(2);
    hits.push({ chart: summarizeChart(chart), score, matched });
  }
  return { hits, total: best.size - missing };
}

/** A record set with a word index kept current by it, as a context's store keeps one. */
function indexedSet(): { state: RecordSet; index: SearchIndex } {
  const state = new RecordSet();
  const index = new SearchIndex([]);
  state.observe(index);
  return { state, index };
}

describe('the chart search', () => {
  it('shows and counts what a plain reading finds, as charts, peers\' untagged records and unreadable charts change between queries (seeded)', () => {
    const random = seededRandom(20261130);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
    const { state, index: first } = indexedSet();
    let index = first;
    const ids = Array.from({ length: 60 }, (_, i) => `chart_${pick(['garden', 'plan', 'x'])}_${i}`);
    // A chart's parts, tagged with its id or (a peer's file) not; an outcome typed so or only named so.
    const writeChart = (id: string) => {
      const tag = (meta: Record<string, unknown>) => (random() < 0.6 ? { metadata: { chartId: id, ...meta } } : random() < 0.5 ? { metadata: meta } : {});
      state.set(record({ type: 'entity', name: `${id}_chart`, entityType: 'structural_tension_chart', observations: [words(2)], ...tag({ level: 0 }) }));
      if (random() < 0.9) state.set(record({ type: 'entity', name: `${id}_desired_outcome`, entityType: random() < 0.8 ? 'desired_outcome' : 'goal', observations: [words(3)], ...tag({}) }));
      state.set(record({ type: 'entity', name: `${id}_current_reality`, entityType: 'current_reality', observations: [words(2), words(1)], ...tag({}) }));
      for (let n = 1; n <= 1 + Math.floor(random() * 3); n += 1) {
        const name = `${id}_action_${n}`;
        state.set(record({ type: 'entity', name, entityType: 'action_step', observations: [words(2)], ...tag({ completionStatus: random() < 0.3 }) }));
        state.set(record({ type: 'relation', from: name, to: `${id}_desired_outcome`, relationType: 'advances_toward' }));
      }
    };
    // Records that belong to no readable chart, or to a chart another way than their name says.
    const writeOdd = (i: number) => {
      const roll = random();
      if (roll < 0.25) state.set(record({ type: 'entity', name: `ghost_${i}_note`, entityType: 'note', observations: [words(3)], metadata: { chartId: `ghost_${i}` } }));
      else if (roll < 0.45) state.set(record({ type: 'entity', name: `${pick(ids)}`, entityType: 'note', observations: [words(2)] }));
      else if (roll < 0.6) state.set(record({ type: 'entity', name: `loose_${i}`, entityType: 'desired_outcome', observations: [words(2)] }));
      else if (roll < 0.75) state.set(record({ type: 'entity', name: `nest_${i}_desired_outcome`, entityType: 'thing', observations: [words(2)], metadata: { inner: { entityType: 'desired_outcome' } } }));
      else if (roll < 0.82) state.set(record({ type: 'entity', name: `${pick(ids)}_action_9`, entityType: 'action_step', observations: [words(2)], metadata: { chartId: pick(ids) } }));
      else if (roll < 0.9) state.set(record({ type: 'entity', name: `${pick(ids)}_action_8`, entityType: 'desired_outcome', observations: [words(2)] }));
      else state.set(record({ type: 'entity', name: `empty_${i}`, entityType: 'note', observations: [words(1)], metadata: { chartId: '' } }));
    };
    for (const id of ids.slice(0, 50)) writeChart(id);
    for (let i = 0; i < 30; i += 1) writeOdd(i);
    // The app's warm-up learns records ahead, by the word index's ids: here a slice of no time
    // learns the first 256 of them and not the rest. Edits after it must not leak through.
    expect(index.idCount).toBeGreaterThan(256);
    expect(learnChartFactsStep(state, index, 0)).toBe(false);

    let compared = 0;
    let withHits = 0;
    let cut = 0;
    for (let round = 0; round < 40; round += 1) {
      // Halfway, the store rebuilds its word index (as when removals outnumber live entries):
      // the new index numbers the records anew, and what was learnt by the old ids must go.
      if (round === 20) {
        index = new SearchIndex(state.values());
        state.observe(index);
      }
      // From a third of the way, the chart list's summaries are kept (the app lists the context),
      // and the search shows those, brought up to date, instead of reading each chart.
      if (round === 13) expect(summarizeCharts(state, 'work').length).toBeGreaterThan(30);
      // Those kept summaries are each chart's own reading, whatever the odd records did to it
      // (in the list's order, which keeps a chart's place; the index's order can move it).
      if (round >= 13) {
        const charts = chartIndexOf(state);
        const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
        expect(summarizeCharts(state, 'work').sort(byId), `round ${round}`).toEqual(charts.ids.map((id) => summarizeChart(readChart(state, id, 'work', charts)!)).sort(byId));
      }
      for (let q = 0; q < 8; q += 1) {
        const query = random() < 0.3 ? pick(WORDS).slice(0, 1 + Math.floor(random() * 3)) : words(1 + Math.floor(random() * 2));
        const limit = pick([1, 2, 5, 50, 1_000]);
        const expected = plainSearch(state, index, query, limit);
        // Twice: the second search finds what the first learnt, and the summaries it showed.
        for (const time of ['first', 'again']) expect(searchChartsIn(state, index, 'work', query, limit), `round ${round}, "${query}", limit ${limit}, ${time}`).toEqual(expected);
        compared += 1;
        if (expected.hits.length > 0) withHits += 1;
        if (expected.total > expected.hits.length) cut += 1;
      }
      // Edits: a chart made or made again (new text, steps completed, its tag taken away or
      // given), a part removed (an outcome whose chart now has none), an odd record, a removal.
      for (let change = 0; change < 6; change += 1) {
        const roll = random();
        if (roll < 0.45) writeChart(pick(ids));
        else if (roll < 0.6) state.delete(`e\u0000${pick(ids)}_desired_outcome`);
        else if (roll < 0.8) writeOdd(100 + round * 10 + change);
        else {
          const keys = [...state.keys()];
          state.delete(pick(keys));
        }
      }
    }
    // The comparison meant something: most queries found charts, many more than they showed.
    expect(compared).toBe(320);
    expect(withHits).toBeGreaterThan(200);
    expect(cut).toBeGreaterThan(50);
  });

  it('looks past the best charts when they cannot be read, and counts only those it can', () => {
    const { state, index } = indexedSet();
    // Three notes tagged with charts that have no part: the word in their name, and an outcome's
    // type in their metadata (the outcome bonus), rank them first, but they cannot be shown.
    for (let i = 0; i < 3; i += 1) {
      state.set(record({ type: 'entity', name: `invoice_${i}`, entityType: 'note', observations: ['invoice'], metadata: { chartId: `ghost_${i}`, copiedFrom: { entityType: 'desired_outcome' } } }));
    }
    for (const id of ['chart_a', 'chart_b']) {
      state.set(record({ type: 'entity', name: `${id}_chart`, entityType: 'structural_tension_chart', observations: ['created'], metadata: { chartId: id } }));
      state.set(record({ type: 'entity', name: `${id}_desired_outcome`, entityType: 'desired_outcome', observations: [`Send the ${id} invoice`], metadata: { chartId: id } }));
    }
    const found = searchChartsIn(state, index, 'work', 'invoice', 1);
    expect(found).toEqual(plainSearch(state, index, 'invoice', 1));
    expect(found.hits.map((hit) => hit.chart.id)).toEqual(['chart_a']);
    // Five charts match; the three looked at before the shown one cannot be read.
    expect(found.total).toBe(2);
  });
});
