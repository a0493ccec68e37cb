// The days the health view's daily series cover, and their points: every day of the range, a
// zero where nothing happened (a gap in a line would read as "no data").
import { dateOfDay, dayOfDate, dayOfMs } from '../insights/calendarDays.ts';
import { dailySeries, type Point } from '../insights/timeSeries.ts';
import type { RollupSummary, DayFigures } from '../insights/rollupSummary.ts';

export const DEFAULT_HEALTH_DAYS = 30;

export interface DayRange {
  readonly first: number;
  readonly last: number;
}

export function dayRange(now: Date, days: number): DayRange {
  const last = dayOfMs(now.getTime());
  return { first: last - Math.max(1, days) + 1, last };
}

export const rangeDates = (range: DayRange) => ({ from: dateOfDay(range.first), to: dateOfDay(range.last) });

/** Sums a figure of the rollups' day totals, per day of the range. */
export function perDayOf(summaries: readonly RollupSummary[], range: DayRange, pick: (figures: DayFigures) => number | undefined): Point[] {
  const byDay = new Map<number, number>();
  for (const summary of summaries) {
    for (const [date, figures] of Object.entries(summary.days)) {
      const day = dayOfDate(date);
      if (day === undefined || day < range.first || day > range.last) continue;
      const value = pick(figures) ?? 0;
      if (value !== 0) byDay.set(day, (byDay.get(day) ?? 0) + value);
    }
  }
  return dailySeries(range.first, range.last, (day) => byDay.get(day) ?? 0);
}
