// The chart list kept by differences (charts.changes): the rows shown and the parents'
// outcomes are updated by the few charts a difference brings (model/chartListDelta.ts,
// visibleCharts.ts, parentOutcomes.ts) instead of being made again from the whole list. Seeded
// random lists and differences, every sort and filter: after each difference, what was
// updated must equal what a full computation from the list gives.
import { describe, expect, it } from 'vitest';
import type { ChartListDelta } from '../../shared/contract.ts';
import type { ChartSummary } from '../../shared/domain.ts';
import { applyChartListDelta, deltaBehind } from '../../renderer/model/chartListDelta.ts';
import { computeVisibleCharts, visibleCharts, type ChartFilter, type ChartSort } from '../../renderer/model/visibleCharts.ts';
import { parentOutcomes } from '../../renderer/model/parentOutcomes.ts';
import { seededRandom } from '../helpers/seededRandom.ts';

const CONTEXTS = ['work', 'home', 'garden'];

describe('the chart list kept by differences', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`shows after each difference what a full sort and filter of the list shows (seed ${seed})`, () => {
      const random = seededRandom(seed);
      const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
      let next = 1;
      const summary = (context: string, id: string, ids: readonly string[]): ChartSummary => ({
        id,
        context,
        desiredOutcome: `Outcome ${next++}`,
        level: 0,
        complete: random() < 0.3,
        stepsDone: 0,
        stepsTotal: 2,
        // Few distinct dates and times: many ties, which a total order must settle the same way both ways.
        ...(random() < 0.7 ? { dueDate: `2027-0${1 + Math.floor(random() * 3)}-01` } : {}),
        ...(random() < 0.7 ? { updatedAt: `2026-11-0${1 + Math.floor(random() * 3)}T00:00:00.000Z` } : {}),
        ...(ids.length > 0 && random() < 0.3 ? { parentChart: pick(ids) } : {}),
      });
      const initial: ChartSummary[] = [];
      for (let i = 0; i < 60; i += 1) {
        const context = pick(CONTEXTS);
        initial.push(summary(context, `chart_${i}`, initial.filter((s) => s.context === context).map((s) => s.id)));
      }
      let held = applyChartListDelta([], { token: 't', whole: true, replaced: [], changed: initial, removed: [] });
      let updated = 0;
      for (let round = 0; round < 200; round += 1) {
        const sort: ChartSort = round % 50 < 25 ? 'due' : 'updated';
        const filter: ChartFilter = (['open', 'all', 'complete'] as const)[Math.floor(round / 70)] as ChartFilter;
        // The rows shown before the difference (as the window renders them).
        visibleCharts({ summaries: held, hits: null, sort, filter });
        parentOutcomes(held);
        const changed: ChartSummary[] = [];
        const removed: { context: string; id: string }[] = [];
        const replaced: string[] = [];
        for (let n = Math.floor(random() * 4); n >= 0; n -= 1) {
          const roll = random();
          const existing = held.length > 0 ? pick(held) : undefined;
          if (roll < 0.4 && existing) changed.push({ ...summary(existing.context, existing.id, held.filter((s) => s.context === existing.context).map((s) => s.id)) });
          else if (roll < 0.6 && existing && !changed.some((c) => c.id === existing.id)) removed.push({ context: existing.context, id: existing.id });
          else if (roll < 0.97) {
            const context = pick(CONTEXTS);
            changed.push(summary(context, `chart_new_${round}_${n}`, held.filter((s) => s.context === context).map((s) => s.id)));
          } else replaced.push(pick(CONTEXTS));
        }
        const delta: ChartListDelta = { token: 't', whole: false, replaced, changed, removed };
        held = applyChartListDelta(held, delta);
        if (deltaBehind(held)) updated += 1;
        expect(visibleCharts({ summaries: held, hits: null, sort, filter }), `rows, round ${round}`).toEqual(computeVisibleCharts({ summaries: held, hits: null, sort, filter }));
        const fresh = new Map<string, Map<string, string>>();
        for (const s of held) fresh.set(s.context, (fresh.get(s.context) ?? new Map()).set(s.id, s.desiredOutcome));
        const kept = parentOutcomes(held);
        expect(new Map([...kept].filter(([, ids]) => ids.size > 0)), `outcomes, round ${round}`).toEqual(fresh);
      }
      expect(updated, 'no difference was applied as one: the updating was not tested').toBeGreaterThan(100);
    });
  }

  it('takes a difference that sends one context of 200k charts whole (it is read anew), as a whole list of that size', () => {
    const make = (context: string, n: number, outcome: string) => Array.from({ length: n }, (_, i): ChartSummary => ({ id: `chart_${i}`, context, desiredOutcome: `${outcome} ${i}`, level: 0, complete: false, stepsDone: 0, stepsTotal: 0 }));
    const held = applyChartListDelta([], { token: 't', whole: true, replaced: [], changed: [...make('work', 10, 'Old'), ...make('bulk', 200_000, 'Old')], removed: [] });
    // A spread of 200k summaries as arguments (push(...)) overflowed the stack here.
    const next = applyChartListDelta(held, { token: 't2', whole: false, replaced: ['bulk'], changed: make('bulk', 200_000, 'New'), removed: [] });
    expect(next.length).toBe(200_010);
    expect(next.filter((c) => c.context === 'bulk').every((c) => c.desiredOutcome.startsWith('New'))).toBe(true);
  });
});
