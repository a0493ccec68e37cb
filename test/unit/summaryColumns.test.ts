// The chart list by field (shared/summaryColumns.ts), as it crosses to the window and is saved:
// what goes in comes out, field for field and in the same key order (the engine compares
// summaries by their JSON), for any mix of contexts and absent fields.
import { describe, expect, it } from 'vitest';
import type { ChartSummary } from '../../shared/domain.ts';
import { fromChartListColumns, isSummaryColumns, toChartListColumns, toSummaryColumns } from '../../shared/summaryColumns.ts';
import { byDueDate } from '../../shared/chartOrder.ts';
import { seededRandom } from '../helpers/seededRandom.ts';

/** A summary with its fields in the order the engine makes them (quickSummary). */
function summary(random: () => number, i: number): ChartSummary {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
  const s: Record<string, unknown> = { id: `chart_${i}`, context: pick(['work', 'home', 'café ☕']), desiredOutcome: pick(['Ship it', '', 'Line\nbreak "quoted" \\ 🙂']) };
  if (random() < 0.7) s.dueDate = pick(['2026-01-01', '2027-06-30T12:00:00Z']);
  s.level = pick([0, 1, 3]);
  if (random() < 0.3) s.parentChart = `chart_${Math.floor(random() * i)}`;
  s.complete = random() < 0.4;
  const total = Math.floor(random() * 5);
  s.stepsDone = Math.floor(random() * (total + 1));
  s.stepsTotal = total;
  if (random() < 0.8) s.updatedAt = '2026-11-30T10:00:00.000Z';
  return s as unknown as ChartSummary;
}

describe('chart summaries by field', () => {
  it('come back as they went, key order included, whatever the contexts and absent fields', () => {
    for (let seed = 1; seed <= 30; seed += 1) {
      const random = seededRandom(seed);
      const summaries = Array.from({ length: Math.floor(random() * 60) }, (_, i) => summary(random, i));
      const columns = JSON.parse(JSON.stringify(toChartListColumns(summaries))) as ReturnType<typeof toChartListColumns>;
      const back = fromChartListColumns(columns);
      expect(JSON.stringify(back), `seed ${seed}`).toBe(JSON.stringify(summaries));
      expect(isSummaryColumns(columns)).toBe(true);
    }
  });

  it('say each context once per run of its summaries', () => {
    const random = seededRandom(7);
    const [a, b, c] = [summary(random, 1), summary(random, 2), summary(random, 3)];
    const list = [{ ...a, context: 'work' }, { ...b, context: 'work' }, { ...c, context: 'home' }, { ...a, context: 'work' }];
    expect(toChartListColumns(list).contexts).toEqual(['work', 2, 'home', 1, 'work', 1]);
    expect(toChartListColumns([])).toMatchObject({ contexts: [], ids: [] });
  });

  it('are refused when a column is short, missing or of another type', () => {
    const random = seededRandom(3);
    const good = toSummaryColumns([summary(random, 1), summary(random, 2)]);
    expect(isSummaryColumns(good)).toBe(true);
    const bad: unknown[] = [null, [], { ...good, outcomes: ['one'] }, { ...good, due: [1, null] }, { ...good, complete: [true, false] }, { ...good, done: [-1, 0] }, { ...good, level: [Infinity, 0] }, { ids: good.ids }];
    for (const value of bad) expect(isSummaryColumns(value), JSON.stringify(value)).toBe(false);
  });
});

describe('the chart order shared by the engine and the window', () => {
  it('is total: by due date, undated last, then context, then id', () => {
    const s = (context: string, id: string, dueDate?: string) => ({ id, context, desiredOutcome: '', level: 0, complete: false, stepsDone: 0, stepsTotal: 0, ...(dueDate ? { dueDate } : {}) }) as ChartSummary;
    const list = [s('work', 'b'), s('work', 'a', '2026-02-01'), s('home', 'c', '2026-02-01'), s('home', 'a'), s('work', 'z', '2026-01-01')];
    expect(list.sort(byDueDate).map((x) => `${x.context}/${x.id}`)).toEqual(['work/z', 'home/c', 'work/a', 'home/a', 'work/b']);
  });
});
