// A chart's own page, from the event logs of every context it lived in (a chart moved between
// contexts keeps one story): its progress over time (steps done against steps in all), when its
// current reality changed, when its due date moved, when it was completed or reopened, where it
// moved; and the figures of its telescoped subtree (steps completed per week, how long they
// took, overdue steps over time, sub-charts gone quiet).
import { DAY_MS, NO_DAY, dateOfDay, dayOfMinute, dayOfMs, timeOfMinute, weekOf } from './calendarDays.ts';
import { DEFAULT_STALLED_DAYS, DEFAULT_WEEKS, type FigureOptions } from './contextFigures.ts';
import type { ChartInsights, StalledChart } from '../../../shared/insightFigures.ts';

import { COMPLETE, EVENT, overdueEnd, overdueStart, type RollupState } from './rollupState.ts';
import { telescopingDepth } from './rollupSummary.ts';
import { median, minutesAsDays, runningTotalByWeek, sumByWeek, todayOf, weekRange, weeklySeries } from './timeSeries.ts';
import { appendAll } from '../../../shared/appendAll.ts';

export type { ChartInsights } from '../../../shared/insightFigures.ts';

/** One context's rollup, for a chart's page. */
export interface ChartSource {
  readonly context: string;
  readonly state: RollupState;
}

interface Happening {
  readonly context: string;
  readonly chart: string;
  readonly minute: number;
  readonly kind: number;
  readonly a: number;
  readonly b: number;
  /** Order within its context's log. */
  readonly index: number;
}

/** Every event of the named charts, in every context, oldest first. */
function happeningsOf(sources: readonly ChartSource[], ids: ReadonlySet<string>): Happening[] {
  const out: Happening[] = [];
  for (const { context, state } of sources) {
    const rows = new Map<number, string>();
    for (const id of ids) {
      const row = state.row(id);
      if (row !== undefined) rows.set(row, id);
    }
    if (rows.size === 0) continue;
    const charts = state.evChart.values();
    for (let i = 0; i < charts.length; i += 1) {
      const chart = rows.get(charts[i] as number);
      if (chart === undefined) continue;
      out.push({ context, chart, minute: state.evMinute.get(i), kind: state.evKind.get(i), a: state.evA.get(i), b: state.evB.get(i), index: i });
    }
  }
  // A move's two sides share their minute: the side leaving comes first.
  const leaving = (h: Happening) => (h.kind === EVENT.MOVED_OUT ? 0 : 1);
  return out.sort((x, y) => x.minute - y.minute || leaving(x) - leaving(y) || (x.context === y.context ? x.index - y.index : x.context < y.context ? -1 : 1));
}

export function chartInsights(sources: readonly ChartSource[], id: string, options: FigureOptions = {}): ChartInsights | undefined {
  const holders = sources.filter((s) => s.state.row(id) !== undefined);
  if (holders.length === 0) return undefined;
  const now = options.now ?? new Date();
  const today = todayOf(now);
  const home = holders.find((s) => s.state.exists(s.state.row(id) as number));
  const own = happeningsOf(holders, new Set([id]));
  const steps = new Map<number, { present: boolean; done: boolean }>();
  const progressByDay = new Map<number, { done: number; total: number }>();
  const realityUpdated: string[] = [];
  const dueDateMoves: { at: string; from: string | null; to: string | null }[] = [];
  const completions: { at: string; complete: boolean }[] = [];
  const moves: { at: string; from: string | null; to: string | null }[] = [];
  let created: number | undefined;
  for (const h of own) {
    const at = timeOfMinute(h.minute);
    switch (h.kind) {
      case EVENT.CREATED:
        created ??= h.minute;
        break;
      case EVENT.STEP: {
        steps.set(h.a >> 2, { present: (h.a & 1) !== 0, done: (h.a & 2) !== 0 });
        let done = 0;
        let total = 0;
        for (const step of steps.values()) {
          if (!step.present) continue;
          total += 1;
          if (step.done) done += 1;
        }
        progressByDay.set(dayOfMinute(h.minute), { done, total });
        break;
      }
      case EVENT.REALITY:
        realityUpdated.push(at);
        break;
      case EVENT.DUE_MOVED:
        dueDateMoves.push({ at, from: h.a === NO_DAY ? null : dateOfDay(h.a), to: h.b === NO_DAY ? null : dateOfDay(h.b) });
        break;
      case EVENT.COMPLETED:
      case EVENT.REOPENED:
        completions.push({ at, complete: h.kind === EVENT.COMPLETED });
        break;
      case EVENT.MOVED_OUT:
        moves.push({ at, from: h.context, to: null });
        break;
      case EVENT.MOVED_IN: {
        const out = moves.findLast((m) => m.to === null && m.from !== h.context && Date.parse(at) - Date.parse(m.at) <= 60_000);
        if (out) Object.assign(out, { to: h.context });
        else moves.push({ at, from: null, to: h.context });
        break;
      }
      default:
        break;
    }
  }
  const progressDays = [...progressByDay.keys()].sort((a, b) => a - b);
  const last = progressByDay.get(progressDays[progressDays.length - 1] as number);
  if (last && progressDays[progressDays.length - 1] !== today) {
    progressDays.push(today);
    progressByDay.set(today, last);
  }
  const homeRow = home?.state.row(id);
  const anyHolder = holders[holders.length - 1] as ChartSource;
  const stateOfRecord = home ?? anyHolder;
  const row = homeRow ?? (stateOfRecord.state.row(id) as number);
  if (created === undefined && stateOfRecord.state.created.get(row) >= 0) created = stateOfRecord.state.created.get(row);
  const lastChange = Math.max(...holders.map((s) => s.state.lastChange.get(s.state.row(id) as number)));
  return {
    id,
    context: home?.context,
    contexts: [...new Set([...own.map((h) => h.context), ...holders.map((s) => s.context)])],
    asOf: now.toISOString(),
    ...(created === undefined ? {} : { created: timeOfMinute(created) }),
    ...(lastChange >= 0 ? { lastChange: timeOfMinute(lastChange) } : {}),
    complete: home ? (home.state.flags.get(homeRow as number) & COMPLETE) !== 0 : false,
    progress: {
      done: progressDays.map((day) => ({ date: dateOfDay(day), value: progressByDay.get(day)!.done })),
      total: progressDays.map((day) => ({ date: dateOfDay(day), value: progressByDay.get(day)!.total })),
    },
    realityUpdated,
    dueDateMoves,
    completions,
    moves,
    subtree: subtreeFigures(sources, home ?? stateOfRecord, row, now, today, options),
  };
}

function subtreeFigures(sources: readonly ChartSource[], home: ChartSource, root: number, now: Date, today: number, options: FigureOptions): ChartInsights['subtree'] {
  const state = home.state;
  // The subtree as it is now, where the chart is.
  const children = new Map<number, number[]>();
  for (let row = 0; row < state.charts; row += 1) {
    const parent = state.parent.get(row);
    if (parent < 0 || !state.exists(row)) continue;
    const list = children.get(parent) ?? [];
    list.push(row);
    children.set(parent, list);
  }
  const rows: number[] = [];
  const seen = new Set<number>();
  for (const queue = [root]; queue.length > 0; ) {
    const row = queue.shift() as number;
    if (seen.has(row)) continue;
    seen.add(row);
    rows.push(row);
    queue.push(...(children.get(row) ?? []));
  }
  const depth = telescopingDepth(state, rows);
  const rootDepth = depth.depthOf(root);
  const maxDepth = rows.reduce((max, row) => (state.exists(row) ? Math.max(max, depth.depthOf(row) - rootDepth) : max), 0);
  const ids = new Set(rows.map((row) => state.ids[row] as string));
  const happenings = happeningsOf(sources, ids);
  const completedByDay = new Map<number, number>();
  const durationsByWeek = new Map<number, number[]>();
  const overdue = new Map<number, number>();
  const overdueFrom = new Map<string, number>();
  let firstDay: number | undefined;
  for (const h of happenings) {
    const day = dayOfMinute(h.minute);
    if (h.kind === EVENT.CREATED) firstDay = Math.min(firstDay ?? day, day);
    if (h.kind === EVENT.STEP_DONE && day <= today) {
      completedByDay.set(day, (completedByDay.get(day) ?? 0) + 1);
      if (h.b >= 0) durationsByWeek.set(weekOf(day), [...(durationsByWeek.get(weekOf(day)) ?? []), h.b]);
    }
    if (h.kind !== EVENT.STEP) continue;
    // The same count of overdue steps the context keeps (rollupState.ts setStep), for these charts only.
    const key = `${h.chart}\u0000${h.a >> 2}`;
    const from = overdueFrom.get(key);
    if (from !== undefined) {
      const end = overdueEnd(from, day);
      overdue.set(end, (overdue.get(end) ?? 0) - 1);
      overdueFrom.delete(key);
    }
    if ((h.a & 1) !== 0 && (h.a & 2) === 0 && h.b !== NO_DAY) {
      const start = overdueStart(h.b, day);
      overdue.set(start, (overdue.get(start) ?? 0) + 1);
      overdueFrom.set(key, start);
    }
  }
  const range = weekRange(today, options.weeks ?? DEFAULT_WEEKS, firstDay ?? today);
  const byWeek = sumByWeek(completedByDay);
  const all: number[] = [];
  for (const [week, list] of durationsByWeek) if (week >= range.first) appendAll(all, list);
  const overall = median(all);
  const stalledDays = options.stalledDays ?? DEFAULT_STALLED_DAYS;
  const cutoff = dayOfMs(now.getTime()) - stalledDays;
  const stalled: StalledChart[] = rows
    .filter((row) => state.exists(row) && (state.flags.get(row) & COMPLETE) === 0 && dayOfMinute(state.lastChange.get(row)) <= cutoff)
    .map((row) => ({ id: state.ids[row] as string, context: home.context, lastChange: timeOfMinute(state.lastChange.get(row)), quietDays: Math.floor((now.getTime() - state.lastChange.get(row) * 60_000) / DAY_MS) }))
    .sort((a, b) => (a.lastChange < b.lastChange ? -1 : 1));
  const overdueSeries = runningTotalByWeek(overdue, range, today);
  return {
    charts: rows.filter((row) => state.exists(row)).length,
    depth: maxDepth,
    stepsCompletedPerWeek: weeklySeries(range, (week) => byWeek.get(week) ?? 0),
    stepTimeToComplete: {
      medianDays: overall === null ? null : minutesAsDays(overall),
      completions: all.length,
      medianDaysPerWeek: weeklySeries(range, (week) => {
        const m = median(durationsByWeek.get(week) ?? []);
        return m === null ? Number.NaN : minutesAsDays(m);
      }).filter((p) => !Number.isNaN(p.value)),
    },
    overdueSteps: { now: overdueSeries.now, perWeek: overdueSeries.points },
    stalled: { days: stalledDays, count: stalled.length, charts: stalled.slice(0, 100) },
  };
}
