// Time series as the views plot them and `--json` prints them: arrays of {date, value}, one
// point per day or per week (the week's Monday), every day or week of the range present (a
// zero is a point too: a gap in a line would read as "no data").
import { dateOfDay, dayOfMs, weekOf } from './calendarDays.ts';
import type { Point } from '../../../shared/insightFigures.ts';

export type { Point } from '../../../shared/insightFigures.ts';

/** The weeks to show: the `weeks` up to the one holding `today`, not before the first week with data. */
export function weekRange(today: number, weeks: number, firstDataDay: number | undefined): { first: number; last: number } {
  const last = weekOf(today);
  const earliest = last - 7 * (Math.max(1, weeks) - 1);
  const first = firstDataDay === undefined ? last : Math.min(last, Math.max(earliest, weekOf(firstDataDay)));
  return { first, last };
}

export function weeklySeries(range: { first: number; last: number }, valueOf: (week: number) => number): Point[] {
  const points: Point[] = [];
  for (let week = range.first; week <= range.last; week += 7) points.push({ date: dateOfDay(week), value: valueOf(week) });
  return points;
}

export function dailySeries(first: number, last: number, valueOf: (day: number) => number): Point[] {
  const points: Point[] = [];
  for (let day = first; day <= last; day += 1) points.push({ date: dateOfDay(day), value: valueOf(day) });
  return points;
}

/** Sums per week of values per day. */
export function sumByWeek(perDay: ReadonlyMap<number, number>): Map<number, number> {
  const weeks = new Map<number, number>();
  for (const [day, value] of perDay) weeks.set(weekOf(day), (weeks.get(weekOf(day)) ?? 0) + value);
  return weeks;
}

/**
 * A running total sampled at the end of each week (Sunday), or at `today` for the current week:
 * how many steps were overdue then, from the per-day changes in that number.
 */
export function runningTotalByWeek(deltas: ReadonlyMap<number, number>, range: { first: number; last: number }, today: number): { points: Point[]; now: number } {
  const days = [...deltas.keys()].sort((a, b) => a - b);
  let total = 0;
  let i = 0;
  const upTo = (day: number) => {
    while (i < days.length && (days[i] as number) <= day) {
      total += deltas.get(days[i] as number) as number;
      i += 1;
    }
    return total;
  };
  const points = weeklySeries(range, (week) => upTo(Math.min(week + 6, today)));
  return { points, now: upTo(today) };
}

/** The median, or null for no values. */
export function median(values: readonly number[]): number | null {
  return medianOfLists([values]);
}

/** The median of the numbers of all the lists together (copied once, into the array sorted). */
export function medianOfLists(lists: readonly (readonly number[])[]): number | null {
  let count = 0;
  for (const list of lists) count += list.length;
  if (count === 0) return null;
  // A typed array sorts numbers as numbers, many times faster than Array#sort with a comparator.
  const sorted = new Float64Array(count);
  let at = 0;
  for (const list of lists) {
    sorted.set(list, at);
    at += list.length;
  }
  sorted.sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Minutes as days, to the hundredth. */
export const minutesAsDays = (minutes: number): number => Math.round((minutes / 1440) * 100) / 100;

export const todayOf = (now: Date): number => dayOfMs(now.getTime());
