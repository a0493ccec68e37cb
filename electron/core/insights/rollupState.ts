// What the insights of one context remember between two reads of its journal: every chart and
// step seen (a row each, in columns of whole numbers, so 100k charts load in milliseconds rather
// than as half a million objects), an event log of what happened to each chart (its own page is
// read from it), and the day totals the context's figures are made of. commitReducer.ts fills
// it from the journal; rollupFiles.ts keeps it on disk; docs/FORMAT.md describes both files.
import { NO_DAY, dayOfMinute } from './calendarDays.ts';
import { findRow } from './rowTable.ts';

/**
 * A growing column of 32-bit whole numbers: what a rollup keeps of 100k charts loads as a few
 * typed arrays (rollupFiles.ts), not as half a million objects.
 */
export class IntColumn {
  private data: Int32Array;
  length: number;

  constructor(data: Int32Array = new Int32Array(64), length = 0) {
    this.data = data;
    this.length = length;
  }

  get(i: number): number {
    return this.data[i] as number;
  }

  set(i: number, value: number): void {
    this.data[i] = value;
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(Math.max(64, this.data.length * 2));
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length] = value;
    this.length += 1;
  }

  /** The values, as a view (no copy). */
  values(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

/** Chart row flags. */
export const HAS_CHART_ENTITY = 1;
export const HAS_OUTCOME = 2;
export const OUTCOME_DONE = 4;
export const COMPLETE = 8;
/** Moved to another context (a move or an archive): its history here stays. */
export const DEPARTED = 16;
/** Existed here at some point (a chart that comes back is restored, not created). */
export const EVER_PRESENT = 32;
export const EXISTS = HAS_CHART_ENTITY | HAS_OUTCOME;

/** Step row flags. */
export const STEP_PRESENT = 1;
export const STEP_DONE = 2;
/** Was present at some point (a step that comes back is not added again). */
export const STEP_EVER = 4;

/** Event kinds of the log (evA, evB say more). */
export const EVENT = {
  /** evA: parent row or -1; evB: level. */
  CREATED: 1,
  /** Came back after it was removed (a restore, an undo). */
  RESTORED: 2,
  MOVED_IN: 3,
  MOVED_OUT: 4,
  REMOVED: 5,
  COMPLETED: 6,
  REOPENED: 7,
  /** A step's state: evA = stepKey * 4 + present + 2 * done; evB = its due day or NO_DAY. */
  STEP: 8,
  /** A step was completed: evA = stepKey, evB = minutes since it was created, or -1 when unknown. */
  STEP_DONE: 9,
  /** The current reality changed. */
  REALITY: 10,
  /** The due date moved: evA = from day, evB = to day (NO_DAY: none). */
  DUE_MOVED: 11,
} as const;

/** What happened on one day in one context (the journal's times, UTC). */
export class DayTotals {
  /** Commits by origin (app, cli, mcp, external, …). */
  readonly commits: Record<string, number> = {};
  /** Commits of MCP clients, by the name they gave. */
  readonly clients: Record<string, number> = {};
  /** Versions of the context file written by another program, taken in. */
  rewrites = 0;
  created = 0;
  completed = 0;
  reopened = 0;
  /** Charts created by telescoping a step. */
  telescoped = 0;
  removed = 0;
  stepsAdded = 0;
  stepsCompleted = 0;
  /** Minutes from creation to completion of each step completed this day (when its creation is known). */
  readonly durations: number[] = [];
  /** Change in the number of overdue steps from this day on. */
  overdue = 0;
  journalBytes = 0;
  /** The context file's size at the last rewrite this day; -1: not rewritten this day. */
  fileBytes = -1;
}

/** The minute of the last commit, and of the last taken-in version of another program. */
export interface Latest {
  lastCommit: number;
  lastRewrite: number;
}

/** The columns of a rollup, in the order the rows file stores them (rollupFiles.ts). */
export const CHART_COLUMNS = ['created', 'lastChange', 'flags', 'parent', 'level', 'dueChart', 'dueOutcome', 'firstStep'] as const;
export const STEP_COLUMNS = ['stepChart', 'stepKey', 'stepNext', 'stepCreated', 'stepFlags', 'stepDue', 'stepOverdueFrom'] as const;
export const EVENT_COLUMNS = ['evChart', 'evMinute', 'evKind', 'evA', 'evB'] as const;
export type ColumnName = (typeof CHART_COLUMNS)[number] | (typeof STEP_COLUMNS)[number] | (typeof EVENT_COLUMNS)[number];

export class RollupState implements Latest {
  // Charts, one row each (a row is never removed: a chart removed or moved away keeps its history).
  readonly ids: string[];
  private rowsById: Map<string, number> | undefined;
  /**
   * The index of the ids read back with the rows (rowTable.ts), covering the rows read; rows
   * added since are in `addedRows`. Without one, `rowsById` is built on first use.
   */
  private readonly rowTable: Int32Array | undefined;
  private addedRows: Map<string, number> | undefined;
  /** Minute it was created (-1: not known). */
  readonly created: IntColumn;
  readonly lastChange: IntColumn;
  readonly flags: IntColumn;
  /** The row of the chart it was telescoped from, -1 for none. */
  readonly parent: IntColumn;
  readonly level: IntColumn;
  readonly dueChart: IntColumn;
  readonly dueOutcome: IntColumn;
  readonly firstStep: IntColumn;
  // Steps, one row each, in a list per chart (firstStep, stepNext).
  readonly stepChart: IntColumn;
  /** The step's number times two, plus one for the `_action<n>` spelling (coaia-spiral's). */
  readonly stepKey: IntColumn;
  readonly stepNext: IntColumn;
  /** Minute of creation, -1 when unknown. */
  readonly stepCreated: IntColumn;
  readonly stepFlags: IntColumn;
  readonly stepDue: IntColumn;
  /** The day its overdue time started (or starts), NO_DAY when it is not counted as overdue. */
  readonly stepOverdueFrom: IntColumn;
  // The event log: what happened to which chart, when (minute), of which kind.
  readonly evChart: IntColumn;
  readonly evMinute: IntColumn;
  readonly evKind: IntColumn;
  readonly evA: IntColumn;
  readonly evB: IntColumn;

  readonly days = new Map<number, DayTotals>();
  lastCommit = -1;
  lastRewrite = -1;
  /** Edits (splices) of a chart's part whose line was not at hand: their effect on the figures is unknown. */
  unresolvedEdits = 0;
  /** Journal lines that failed their checksum (damage: verify and recover report it). */
  damagedLines = 0;

  /** An empty rollup, or one read back (rollupFiles.ts) from its ids and columns, and the index of the ids when the file had one. */
  constructor(ids: string[] = [], columns: Partial<Record<ColumnName, IntColumn>> = {}, rowTable?: Int32Array) {
    this.ids = ids;
    this.rowTable = rowTable;
    const column = (name: ColumnName) => columns[name] ?? new IntColumn();
    this.created = column('created');
    this.lastChange = column('lastChange');
    this.flags = column('flags');
    this.parent = column('parent');
    this.level = column('level');
    this.dueChart = column('dueChart');
    this.dueOutcome = column('dueOutcome');
    this.firstStep = column('firstStep');
    this.stepChart = column('stepChart');
    this.stepKey = column('stepKey');
    this.stepNext = column('stepNext');
    this.stepCreated = column('stepCreated');
    this.stepFlags = column('stepFlags');
    this.stepDue = column('stepDue');
    this.stepOverdueFrom = column('stepOverdueFrom');
    this.evChart = column('evChart');
    this.evMinute = column('evMinute');
    this.evKind = column('evKind');
    this.evA = column('evA');
    this.evB = column('evB');
  }

  column(name: ColumnName): IntColumn {
    return this[name];
  }

  get charts(): number {
    return this.ids.length;
  }

  get steps(): number {
    return this.stepChart.length;
  }

  get events(): number {
    return this.evChart.length;
  }

  row(id: string): number | undefined {
    if (this.rowTable) return findRow(this.rowTable, this.ids, id) ?? this.addedRows?.get(id);
    if (!this.rowsById) {
      this.rowsById = new Map();
      for (let i = 0; i < this.ids.length; i += 1) this.rowsById.set(this.ids[i] as string, i);
    }
    return this.rowsById.get(id);
  }

  ensureRow(id: string): number {
    const known = this.row(id);
    if (known !== undefined) return known;
    const row = this.ids.length;
    this.ids.push(id);
    if (this.rowTable) (this.addedRows ??= new Map()).set(id, row);
    else this.rowsById!.set(id, row);
    this.created.push(-1);
    this.lastChange.push(-1);
    this.flags.push(0);
    this.parent.push(-1);
    this.level.push(0);
    this.dueChart.push(NO_DAY);
    this.dueOutcome.push(NO_DAY);
    this.firstStep.push(-1);
    return row;
  }

  exists(row: number): boolean {
    return (this.flags.get(row) & EXISTS) !== 0;
  }

  /** The chart's due day: its own, else its desired outcome's. */
  due(row: number): number {
    const own = this.dueChart.get(row);
    return own !== NO_DAY ? own : this.dueOutcome.get(row);
  }

  stepRow(row: number, key: number): number | undefined {
    for (let s = this.firstStep.get(row); s !== -1; s = this.stepNext.get(s)) if (this.stepKey.get(s) === key) return s;
    return undefined;
  }

  ensureStep(row: number, key: number): number {
    const known = this.stepRow(row, key);
    if (known !== undefined) return known;
    const s = this.stepChart.length;
    this.stepChart.push(row);
    this.stepKey.push(key);
    this.stepNext.push(this.firstStep.get(row));
    this.firstStep.set(row, s);
    this.stepCreated.push(-1);
    this.stepFlags.push(0);
    this.stepDue.push(NO_DAY);
    this.stepOverdueFrom.push(NO_DAY);
    return s;
  }

  /** Steps present, and of those done. */
  progress(row: number): { done: number; total: number } {
    let done = 0;
    let total = 0;
    for (let s = this.firstStep.get(row); s !== -1; s = this.stepNext.get(s)) {
      const flags = this.stepFlags.get(s);
      if ((flags & STEP_PRESENT) === 0) continue;
      total += 1;
      if (flags & STEP_DONE) done += 1;
    }
    return { done, total };
  }

  day(day: number): DayTotals {
    let totals = this.days.get(day);
    if (!totals) this.days.set(day, (totals = new DayTotals()));
    return totals;
  }

  event(row: number, minute: number, kind: number, a = 0, b = 0): void {
    this.evChart.push(row);
    this.evMinute.push(minute);
    this.evKind.push(kind);
    this.evA.push(a);
    this.evB.push(b);
  }

  /**
   * A step's state from `minute` on. Its time overdue is counted from the day after its due
   * date (or from this day, when that has passed) until it is done, removed or re-dated.
   */
  setStep(s: number, present: boolean, done: boolean, due: number, minute: number): void {
    const day = dayOfMinute(minute);
    const from = this.stepOverdueFrom.get(s);
    if (from !== NO_DAY) {
      this.day(overdueEnd(from, day)).overdue -= 1;
      this.stepOverdueFrom.set(s, NO_DAY);
    }
    if (present && !done && due !== NO_DAY) {
      const start = overdueStart(due, day);
      this.day(start).overdue += 1;
      this.stepOverdueFrom.set(s, start);
    }
    this.stepFlags.set(s, (present ? STEP_PRESENT : 0) | (done ? STEP_DONE : 0) | STEP_EVER);
    this.stepDue.set(s, due);
  }
}

/** The first day a step due on `due` and open on `day` counts as overdue. */
export const overdueStart = (due: number, day: number): number => Math.max(due + 1, day);
/** The day a step overdue from `from` stops counting, when it is closed on `day` (from itself: it never counted). */
export const overdueEnd = (from: number, day: number): number => Math.max(from, day);

/** The number and spelling of a step name's `_action_<n>` / `_action<n>`, as one key. */
export function stepKeyOf(number: number, underscore: boolean): number {
  return number * 2 + (underscore ? 0 : 1);
}

export const stepNumberOfKey = (key: number): number => Math.floor(key / 2);
