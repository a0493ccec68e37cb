// The chart index and the chart summaries are kept as records change (RecordSet.derived and
// RecordSet.listen), not rebuilt from every record at every change. Seeded random changes on
// one record set, some of them as a peer makes them (metadata stripped, a relation alone, a
// record deleted, the set reordered or replaced): after each, what is kept must equal what a
// fresh reading of a copy of the same records gives.
import { describe, expect, it } from 'vitest';
import { RecordSet } from '../../electron/core/recordSet.ts';
import { recordFromObject } from '../../electron/core/knowledgeGraph.ts';
import { ChartIndex, chartIndexOf, readChart, summarizeChart } from '../../electron/core/charts/chartModel.ts';
import { chartCount, chartListChangesSince, summarizeCharts, type ListPosition } from '../../electron/core/charts/chartSummaries.ts';
import type { ChartSummary } from '../../shared/domain.ts';
import { seededRandom } from '../helpers/seededRandom.ts';

const entity = (name: string, entityType: string, observations: string[], metadata?: Record<string, unknown>) =>
  recordFromObject({ type: 'entity', name, entityType, observations, ...(metadata ? { metadata } : {}) });
const relation = (from: string, to: string, relationType: string) => recordFromObject({ type: 'relation', from, to, relationType });

function freshReading(state: RecordSet) {
  const copy = new RecordSet();
  copy.adopt(state.snapshotMap());
  const index = new ChartIndex(copy);
  // The same reading on a set that has kept nothing yet (a quick summary where it applies).
  const summaries = summarizeCharts(copy, 'work');
  const full = index.ids.map((id) => readChart(copy, id, 'work', index)).filter((c) => c !== undefined).map(summarizeChart);
  return { index, summaries, full };
}

const byId = <T extends { id: string }>(list: readonly T[]) => [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

describe('the chart index and summaries kept as records change', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`equal a fresh reading after every change (seed ${seed})`, () => {
      const random = seededRandom(seed);
      const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
      const state = new RecordSet();
      const charts: string[] = [];
      let next = 1;
      const steps = (id: string) => [...state.keys()].filter((k) => k.startsWith(`e\u0000${id}_action_`)).map((k) => k.slice(2));
      const makeChart = (parent?: { chart: string; step: string }) => {
        const id = `chart_${next++}`;
        // What the list shows of a chart entity's metadata (due date, last change) now and then,
        // and a due date on the outcome that a chart entity's own overrides.
        const shown = { ...(random() < 0.5 ? { dueDate: `2027-0${1 + Math.floor(random() * 9)}-15` } : {}), ...(random() < 0.5 ? { updatedAt: `2026-11-${10 + next}T10:00:00.000Z` } : {}) };
        const meta = { chartId: id, ...shown, ...(parent ? { parentChart: parent.chart, parentActionStep: parent.step, level: 1 } : { level: 0 }) };
        state.set(entity(`${id}_chart`, 'structural_tension_chart', [], meta));
        state.set(entity(`${id}_desired_outcome`, 'desired_outcome', [`Outcome ${id}`], { chartId: id, ...(random() < 0.5 ? { dueDate: '2028-01-01' } : {}) }));
        state.set(entity(`${id}_current_reality`, 'current_reality', ['Now'], { chartId: id }));
        for (let n = 1; n <= 1 + Math.floor(random() * 3); n += 1) {
          state.set(entity(`${id}_action_${n}`, 'action_step', [`Step ${n}`], { chartId: id, completionStatus: false }));
          state.set(relation(`${id}_action_${n}`, `${id}_desired_outcome`, 'advances_toward'));
        }
        charts.push(id);
      };
      for (let i = 0; i < 4; i += 1) makeChart();
      let summarized = 0;
      // The list the app holds, kept by the differences it is sent (charts.changes).
      let held = new Map<string, ChartSummary>();
      let since: ListPosition | undefined;
      for (let round = 0; round < 250; round += 1) {
        const roll = random();
        const id = pick(charts);
        const own = steps(id);
        if (roll < 0.15) makeChart();
        else if (roll < 0.25 && own.length > 0) makeChart({ chart: id, step: pick(own) });
        else if (roll < 0.4 && own.length > 0) {
          // Completing a step, with its metadata, or as a peer that dropped it.
          const step = pick(own);
          state.set(entity(step, 'action_step', ['Done'], random() < 0.5 ? { chartId: id, completionStatus: true } : { completionStatus: true }));
        } else if (roll < 0.5 && own.length > 0) {
          // A peer's rewrite of a step without any metadata (found through its relation and its name).
          state.set(entity(pick(own), 'action_step', ['Stripped']));
        } else if (roll < 0.58) {
          state.set(entity(`${id}_desired_outcome`, 'desired_outcome', [`Changed ${round}`], random() < 0.5 ? { chartId: id, completionStatus: random() < 0.3 } : undefined));
        } else if (roll < 0.66 && own.length > 0) {
          const step = pick(own);
          state.delete(`e\u0000${step}`);
        } else if (roll < 0.72 && own.length > 0) {
          state.delete([...state.keys()].find((k) => k.startsWith('r\u0000') && k.includes(id)) ?? 'none');
        } else if (roll < 0.78) {
          // A step added without metadata, tied only by its relation.
          const name = `${id}_action_${50 + round}`;
          state.set(entity(name, 'action_step', ['Loose']));
          state.set(relation(name, `${id}_desired_outcome`, 'advances_toward'));
        } else if (roll < 0.83) {
          // The chart entity goes; the chart lives on by its desired outcome, or goes too.
          state.delete(`e\u0000${id}_chart`);
        } else if (roll < 0.845) {
          // A peer retypes the chart's head entities (no longer a chart entity or an outcome): the chart is gone from the index.
          state.set(entity(`${id}_chart`, 'note', ['retyped'], { chartId: id }));
          state.set(entity(`${id}_desired_outcome`, 'note', ['retyped'], { chartId: id }));
        } else if (roll < 0.86) {
          // A sub-chart re-parented, or made top-level.
          state.set(entity(`${id}_chart`, 'structural_tension_chart', [], random() < 0.5 ? { chartId: id, parentChart: pick(charts), level: 1, updatedAt: `2026-12-0${1 + (round % 9)}T00:00:00.000Z` } : { chartId: id, level: 0, dueDate: '2027-05-05' }));
        } else if (roll < 0.88) {
          state.reorder([...state.keys()].sort(() => random() - 0.5));
        } else if (roll < 0.9) {
          state.adopt(state.snapshotMap());
        } else {
          state.set(entity(`note_${round}`, 'note', ['not a chart']));
        }
        // Read now and then, as the app does: changes pile up between two lists.
        if (random() < 0.4) {
          const fresh = freshReading(state);
          // Asked before the summaries catch up (the contexts list does): counts kept by every change.
          expect(chartCount(state), `chart count, round ${round}`).toBe(fresh.index.size);
          const copy = new RecordSet();
          copy.adopt(state.snapshotMap());
          expect(state.kindCounts(), `entity and relation counts, round ${round}`).toEqual(copy.kindCounts());
          const kept = chartIndexOf(state);
          expect([...kept.ids].sort(), `round ${round}`).toEqual([...fresh.index.ids].sort());
          for (const chart of fresh.index.ids) expect([...kept.childrenOf(chart)].sort(), `children of ${chart}, round ${round}`).toEqual([...fresh.index.childrenOf(chart)].sort());
          expect(byId(summarizeCharts(state, 'work')), `round ${round}`).toEqual(byId(fresh.summaries));
          const delta = chartListChangesSince(state, 'work', since);
          if (delta.whole) held = new Map(delta.summaries.map((summary) => [summary.id, summary]));
          else {
            for (const summary of delta.changed) held.set(summary.id, summary);
            for (const id of delta.removed) held.delete(id);
          }
          since = delta.at;
          expect(byId([...held.values()]), `the list held after the difference, round ${round}`).toEqual(byId(fresh.summaries));
          expect(byId(fresh.summaries)).toEqual(byId(fresh.full));
          summarized += 1;
        }
      }
      expect(summarized).toBeGreaterThan(50);
    });
  }
});
