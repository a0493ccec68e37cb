// The small half of a context's rollup (`.history/<file>.insights.json`): the day totals and
// what today's figures need of the charts (how many are open, how long each has been quiet, how
// deep telescoping goes), so the insights view of a context whose journal has not grown since
// opens from this file alone. The charts' rows and events (rollupFiles.ts) are read only when the
// journal has grown or a chart's own page is asked for.
import { dateOfDay, dayOfDate, dayOfMinute, timeOfMinute } from './calendarDays.ts';
import { COMPLETE, DayTotals, STEP_DONE, STEP_PRESENT, type RollupState } from './rollupState.ts';
import { appendAll } from '../../../shared/appendAll.ts';

export const ROLLUP_FORMAT = 1;

/** Where in the journal the rollup stopped, and how to recognise that journal again. */
export interface JournalPosition {
  readonly ino: string;
  readonly offset: number;
  readonly seq: number;
  /** The last whole line before `offset`: if its bytes changed, the journal was rewritten and the rollup is made again. */
  readonly lastLine?: { readonly start: number; readonly crc: string };
}

/** A day's totals as stored: zeros left out. */
export interface DayFigures {
  readonly commits?: Record<string, number>;
  readonly clients?: Record<string, number>;
  readonly rewrites?: number;
  readonly created?: number;
  readonly completed?: number;
  readonly reopened?: number;
  readonly telescoped?: number;
  readonly removed?: number;
  readonly stepsAdded?: number;
  readonly stepsCompleted?: number;
  readonly durations?: readonly number[];
  readonly overdue?: number;
  readonly journalBytes?: number;
  readonly fileBytes?: number;
}

export interface RollupSummary {
  readonly format: number;
  readonly context: string;
  /** Names the rows file written with it: a pair that does not match is made again. */
  readonly generation: string;
  readonly builtAt: string;
  readonly journal: JournalPosition;
  readonly days: Record<string, DayFigures>;
  readonly lastCommit?: string;
  readonly lastRewrite?: string;
  readonly charts: { readonly live: number; readonly open: number; readonly complete: number };
  readonly steps: { readonly open: number; readonly done: number };
  /** Open charts by the day they last changed: [date, charts]. */
  readonly openByLastChange: readonly (readonly [string, number])[];
  /** The open charts quiet the longest, oldest first: [chart id, last change]. */
  readonly longestQuiet: readonly (readonly [string, string])[];
  /** Charts by how deep they are telescoped: index 0 holds the top-level charts. */
  readonly depth: readonly number[];
  readonly deepest?: { readonly id: string; readonly depth: number };
  readonly unresolvedEdits: number;
  readonly damagedLines: number;
}

/** How many of the quietest open charts a summary keeps by name. */
export const QUIET_KEPT = 100;

export function dayFigures(totals: DayTotals): DayFigures {
  const out: Record<string, unknown> = {};
  if (Object.keys(totals.commits).length > 0) out.commits = totals.commits;
  if (Object.keys(totals.clients).length > 0) out.clients = totals.clients;
  for (const field of ['rewrites', 'created', 'completed', 'reopened', 'telescoped', 'removed', 'stepsAdded', 'stepsCompleted', 'overdue', 'journalBytes'] as const) {
    if (totals[field] !== 0) out[field] = totals[field];
  }
  if (totals.durations.length > 0) out.durations = totals.durations;
  if (totals.fileBytes >= 0) out.fileBytes = totals.fileBytes;
  return out as DayFigures;
}

/** The day totals of a summary, back into the rollup's state. */
export function restoreDays(state: RollupState, days: Record<string, DayFigures>): void {
  for (const [date, figures] of Object.entries(days)) {
    const day = dayOfDate(date);
    if (day === undefined) continue;
    const totals = state.day(day);
    Object.assign(totals.commits, figures.commits ?? {});
    Object.assign(totals.clients, figures.clients ?? {});
    for (const field of ['rewrites', 'created', 'completed', 'reopened', 'telescoped', 'removed', 'stepsAdded', 'stepsCompleted', 'overdue', 'journalBytes'] as const) {
      totals[field] = figures[field] ?? 0;
    }
    appendAll(totals.durations, figures.durations ?? []);
    totals.fileBytes = figures.fileBytes ?? -1;
  }
}

export function summarizeRollup(state: RollupState, context: string, generation: string, journal: JournalPosition, builtAt: Date): RollupSummary {
  const rows = state.charts;
  let live = 0;
  let complete = 0;
  const quietByDay = new Map<number, number>();
  for (let row = 0; row < rows; row += 1) {
    if (!state.exists(row)) continue;
    live += 1;
    if (state.flags.get(row) & COMPLETE) {
      complete += 1;
      continue;
    }
    const day = dayOfMinute(state.lastChange.get(row));
    quietByDay.set(day, (quietByDay.get(day) ?? 0) + 1);
  }
  const quietDays = [...quietByDay.keys()].sort((a, b) => a - b);
  const depth = telescopingDepth(state);
  let stepsOpen = 0;
  let stepsDone = 0;
  for (let s = 0; s < state.stepChart.length; s += 1) {
    const flags = state.stepFlags.get(s);
    if ((flags & STEP_PRESENT) === 0 || !state.exists(state.stepChart.get(s))) continue;
    if (flags & STEP_DONE) stepsDone += 1;
    else stepsOpen += 1;
  }
  const days: Record<string, DayFigures> = {};
  for (const day of [...state.days.keys()].sort((a, b) => a - b)) days[dateOfDay(day)] = dayFigures(state.days.get(day) as DayTotals);
  return {
    format: ROLLUP_FORMAT,
    context,
    generation,
    builtAt: builtAt.toISOString(),
    journal,
    days,
    ...(state.lastCommit >= 0 ? { lastCommit: timeOfMinute(state.lastCommit) } : {}),
    ...(state.lastRewrite >= 0 ? { lastRewrite: timeOfMinute(state.lastRewrite) } : {}),
    charts: { live, open: live - complete, complete },
    steps: { open: stepsOpen, done: stepsDone },
    openByLastChange: quietDays.map((day) => [dateOfDay(day), quietByDay.get(day) as number] as const),
    longestQuiet: longestQuiet(state, quietDays, quietByDay),
    depth: depth.byDepth,
    ...(depth.deepest ? { deepest: depth.deepest } : {}),
    unresolvedEdits: state.unresolvedEdits,
    damagedLines: state.damagedLines,
  };
}

/** The QUIET_KEPT open charts that changed longest ago, oldest first. */
function longestQuiet(state: RollupState, quietDays: readonly number[], quietByDay: ReadonlyMap<number, number>): [string, string][] {
  let cutoff = Number.NEGATIVE_INFINITY;
  let counted = 0;
  for (const day of quietDays) {
    cutoff = day;
    counted += quietByDay.get(day) as number;
    if (counted >= QUIET_KEPT) break;
  }
  const rows: number[] = [];
  for (let row = 0; row < state.charts; row += 1) {
    if (!state.exists(row) || state.flags.get(row) & COMPLETE) continue;
    if (dayOfMinute(state.lastChange.get(row)) <= cutoff) rows.push(row);
  }
  rows.sort((a, b) => state.lastChange.get(a) - state.lastChange.get(b) || ((state.ids[a] as string) < (state.ids[b] as string) ? -1 : 1));
  return rows.slice(0, QUIET_KEPT).map((row) => [state.ids[row] as string, timeOfMinute(state.lastChange.get(row))]);
}

/**
 * How deep each chart is telescoped: a top-level chart is 0, a chart telescoped from one of its
 * steps 1, and so on (by the parent charts present here; a chart whose parent lives in another
 * context keeps the level it was given). A loop of parents counts from where it closes.
 */
export function telescopingDepth(state: RollupState, rows?: Iterable<number>): { byDepth: number[]; deepest: { id: string; depth: number } | undefined; depthOf: (row: number) => number } {
  const memo = new Int32Array(state.charts).fill(-1);
  const mark = new Int32Array(state.charts);
  let stamp = 0;
  const depthOf = (row: number): number => {
    if ((memo[row] as number) >= 0) return memo[row] as number;
    stamp += 1;
    const chain: number[] = [];
    let above = -1;
    for (let r = row; ; ) {
      chain.push(r);
      mark[r] = stamp;
      const p = state.parent.get(r);
      if (p < 0) break;
      if (!state.exists(p)) {
        above = Math.max(0, state.level.get(r)) - 1;
        break;
      }
      if ((memo[p] as number) >= 0) {
        above = memo[p] as number;
        break;
      }
      if (mark[p] === stamp) break;
      r = p;
    }
    for (let i = chain.length - 1; i >= 0; i -= 1) {
      above += 1;
      memo[chain[i] as number] = above;
    }
    return memo[row] as number;
  };
  const byDepth: number[] = [];
  let deepest: { id: string; depth: number } | undefined;
  const visit = (row: number) => {
    if (!state.exists(row)) return;
    const depth = depthOf(row);
    byDepth[depth] = (byDepth[depth] ?? 0) + 1;
    if (!deepest || depth > deepest.depth) deepest = { id: state.ids[row] as string, depth };
  };
  if (rows) for (const row of rows) visit(row);
  else for (let row = 0; row < state.charts; row += 1) visit(row);
  for (let i = 0; i < byDepth.length; i += 1) byDepth[i] ??= 0;
  return { byDepth, deepest, depthOf };
}
