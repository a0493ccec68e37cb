// The insights of a context, or of several together ("all contexts"), from their rollup
// summaries alone: charts created, completed and telescoped per week, steps completed per week
// and how long they took, overdue steps over time, charts quiet for a while, how deep
// telescoping goes. Plain, JSON-ready data: the view plots it, `tension insights --json` prints it.
import { DAY_MS, dateOfDay, dayOfDate, dayOfMs, weekOf } from './calendarDays.ts';
import type { RollupSummary } from './rollupSummary.ts';
import type { ContextInsights, StalledChart } from '../../../shared/insightFigures.ts';

import { medianOfLists, minutesAsDays, runningTotalByWeek, sumByWeek, todayOf, weekRange, weeklySeries } from './timeSeries.ts';
import { appendAll } from '../../../shared/appendAll.ts';

export type { ContextInsights, StalledChart, StepTimes } from '../../../shared/insightFigures.ts';

export interface FigureOptions {
  /** The time the figures are for (default: now). */
  readonly now?: Date;
  /** How many weeks the weekly series cover, up to this one (default 52). */
  readonly weeks?: number;
  /** A chart with no change for this many days is stalled (default 30). */
  readonly stalledDays?: number;
}

export const DEFAULT_WEEKS = 52;
export const DEFAULT_STALLED_DAYS = 30;
/** How many stalled charts are named (the count says how many there are). */
export const STALLED_LISTED = 100;

export function contextInsights(summaries: readonly RollupSummary[], options: FigureOptions = {}): ContextInsights {
  const now = options.now ?? new Date();
  const today = todayOf(now);
  const stalledDays = options.stalledDays ?? DEFAULT_STALLED_DAYS;
  const perDay = {
    created: new Map<number, number>(),
    completed: new Map<number, number>(),
    telescoped: new Map<number, number>(),
    stepsCompleted: new Map<number, number>(),
    overdue: new Map<number, number>(),
  };
  // Each day's step durations as the summaries hold them (a year at 100k charts: ~300k numbers),
  // gathered as lists of lists: copied once, into the one array each median sorts.
  const durationsByDay = new Map<number, (readonly number[])[]>();
  let firstDay: number | undefined;
  const add = (map: Map<number, number>, day: number, value: number | undefined) => {
    if (value) map.set(day, (map.get(day) ?? 0) + value);
  };
  for (const summary of summaries) {
    for (const [date, figures] of Object.entries(summary.days)) {
      const day = dayOfDate(date) as number;
      add(perDay.created, day, figures.created);
      add(perDay.completed, day, figures.completed);
      add(perDay.telescoped, day, figures.telescoped);
      add(perDay.stepsCompleted, day, figures.stepsCompleted);
      add(perDay.overdue, day, figures.overdue);
      if (figures.durations?.length) listOf(durationsByDay, day).push(figures.durations);
      if ((figures.created || figures.stepsCompleted || figures.commits) && day <= today) firstDay = Math.min(firstDay ?? day, day);
    }
  }
  const range = weekRange(today, options.weeks ?? DEFAULT_WEEKS, firstDay);
  const weekly = (map: Map<number, number>) => {
    const byWeek = sumByWeek(new Map([...map].filter(([day]) => day <= today)));
    return weeklySeries(range, (week) => byWeek.get(week) ?? 0);
  };
  const inRange = (day: number) => day >= range.first && day <= today;
  const durationsByWeek = new Map<number, (readonly number[])[]>();
  const allDurations: (readonly number[])[] = [];
  for (const [day, lists] of durationsByDay) {
    if (!inRange(day)) continue;
    appendAll(listOf(durationsByWeek, weekOf(day)), lists);
    appendAll(allDurations, lists);
  }
  const overall = medianOfLists(allDurations);
  const overdue = runningTotalByWeek(perDay.overdue, range, today);
  return {
    contexts: summaries.map((s) => s.context),
    asOf: now.toISOString(),
    weeks: { from: dateOfDay(range.first), to: dateOfDay(range.last) },
    charts: sumOf(summaries, (s) => s.charts, ['live', 'open', 'complete']),
    steps: sumOf(summaries, (s) => s.steps, ['open', 'done']),
    createdPerWeek: weekly(perDay.created),
    completedPerWeek: weekly(perDay.completed),
    telescopedPerWeek: weekly(perDay.telescoped),
    stepsCompletedPerWeek: weekly(perDay.stepsCompleted),
    stepTimeToComplete: {
      medianDays: overall === null ? null : minutesAsDays(overall),
      completions: allDurations.reduce((sum, list) => sum + list.length, 0),
      medianDaysPerWeek: weeklySeries(range, (week) => {
        const m = medianOfLists(durationsByWeek.get(week) ?? []);
        return m === null ? Number.NaN : minutesAsDays(m);
      }).filter((p) => !Number.isNaN(p.value)),
    },
    overdueSteps: { now: overdue.now, perWeek: overdue.points },
    stalled: stalledOf(summaries, now, stalledDays),
    telescoping: telescopingOf(summaries),
    unresolvedEdits: summaries.reduce((sum, s) => sum + s.unresolvedEdits, 0),
  };
}

function sumOf<K extends string>(summaries: readonly RollupSummary[], pick: (s: RollupSummary) => Record<K, number>, keys: readonly K[]): Record<K, number> {
  const out = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (const summary of summaries) for (const key of keys) out[key] += pick(summary)[key] ?? 0;
  return out;
}

function stalledOf(summaries: readonly RollupSummary[], now: Date, days: number): ContextInsights['stalled'] {
  const cutoff = dayOfMs(now.getTime()) - days;
  let count = 0;
  const charts: StalledChart[] = [];
  for (const summary of summaries) {
    for (const [date, open] of summary.openByLastChange) if ((dayOfDate(date) as number) <= cutoff) count += open;
    for (const [id, lastChange] of summary.longestQuiet) {
      const at = Date.parse(lastChange);
      if (dayOfMs(at) > cutoff) continue;
      charts.push({ id, context: summary.context, lastChange, quietDays: Math.floor((now.getTime() - at) / DAY_MS) });
    }
  }
  charts.sort((a, b) => (a.lastChange < b.lastChange ? -1 : a.lastChange > b.lastChange ? 1 : a.id < b.id ? -1 : 1));
  return { days, count, charts: charts.slice(0, STALLED_LISTED) };
}

function telescopingOf(summaries: readonly RollupSummary[]): ContextInsights['telescoping'] {
  const byDepth: number[] = [];
  let deepest: { id: string; context: string; depth: number } | undefined;
  for (const summary of summaries) {
    summary.depth.forEach((charts, depth) => (byDepth[depth] = (byDepth[depth] ?? 0) + charts));
    if (summary.deepest && (!deepest || summary.deepest.depth > deepest.depth)) deepest = { ...summary.deepest, context: summary.context };
  }
  return {
    maxDepth: Math.max(0, byDepth.length - 1),
    byDepth: [...byDepth.keys()].map((depth) => ({ depth, charts: byDepth[depth] ?? 0 })),
    ...(deepest ? { deepest } : {}),
  };
}

function listOf<K, T>(map: Map<K, T[]>, key: K): T[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}
