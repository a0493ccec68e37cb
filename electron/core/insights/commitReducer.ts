// From journal commits to what a person asks of their history: which charts were created,
// completed, removed or moved, which steps were added and completed (and how long after they
// were created), when a current reality changed and when a due date moved. Each commit is read
// once, in journal order, into the rollup (rollupState.ts).
//
// Charts are recognised by their parts' names (`<id>_chart`, `<id>_desired_outcome`,
// `<id>_current_reality`, `<id>_action_<n>` / `<id>_action<n>`), the way the journal names them
// in deletions and edits too. A commit with an intent, made by a person (app, CLI, MCP), is one
// side of a chart moving between contexts: it moves the chart's history on, it creates nothing.
import { ACTION_STEP, DESIRED_OUTCOME, STRUCTURAL_TENSION_CHART } from '../../../shared/domain.ts';
import type { Change, JournalCommit } from '../journalFormat.ts';
import { crc32Hex } from '../journalFormat.ts';
import { applySplice } from '../recordSplice.ts';
import { entityKey } from '../records.ts';
import { NO_DAY, dayOfDate, dayOfMinute, dayOfMs, minuteOfMs, minuteOfTime } from './calendarDays.ts';
import type { SegmentEntry } from './journalSegment.ts';
import {
  COMPLETE,
  DEPARTED,
  EVENT,
  EVER_PRESENT,
  EXISTS,
  HAS_CHART_ENTITY,
  HAS_OUTCOME,
  OUTCOME_DONE,
  STEP_DONE,
  STEP_EVER,
  STEP_PRESENT,
  stepKeyOf,
  type RollupState,
} from './rollupState.ts';

type Json = Record<string, unknown>;
type Part = { kind: 'chart'; id: string } | { kind: 'outcome'; id: string } | { kind: 'reality'; id: string } | { kind: 'step'; id: string; key: number };

/** Origins of a person's own changes: only these move charts (a restore across contexts moves nothing). */
const PERSON_ORIGINS = new Set(['app', 'cli', 'mcp']);
const STEP_NAME = /^(.+)_action(_?)(\d{1,8})$/;
const MCP_CLIENT = /^MCP client (\S+)/;

export function partOfName(name: string): Part | undefined {
  const suffixed = (suffix: string) => name.length > suffix.length && name.endsWith(suffix);
  if (suffixed('_desired_outcome')) return { kind: 'outcome', id: name.slice(0, -'_desired_outcome'.length) };
  if (suffixed('_current_reality')) return { kind: 'reality', id: name.slice(0, -'_current_reality'.length) };
  if (suffixed('_chart')) return { kind: 'chart', id: name.slice(0, -'_chart'.length) };
  const step = STEP_NAME.exec(name);
  if (step) return { kind: 'step', id: step[1] as string, key: stepKeyOf(Number(step[3]), step[2] === '_') };
  return undefined;
}

const metadataOf = (value: Json): Json => (typeof value.metadata === 'object' && value.metadata !== null && !Array.isArray(value.metadata) ? (value.metadata as Json) : {});
/** A part of that type, or one without a type (files the reference server wrote). */
const ofType = (value: Json, type: string) => value.entityType === type || value.entityType === undefined || value.entityType === '';

/** What one commit did to each chart it touched, as it was before the commit. */
interface Before {
  readonly flags: number;
  readonly done: number;
  readonly total: number;
  readonly due: number;
}

interface CommitScratch {
  readonly touched: Map<number, Before>;
  readonly reality: Set<number>;
  /** The chart entity's createdAt and updatedAt, as minutes (for a chart that arrives). */
  readonly times: Map<number, { created: number | undefined; updated: number | undefined }>;
}

export class CommitReducer {
  /**
   * The lines of the charts' parts as this read left them, to apply edits journaled as splices.
   * A read that starts at the journal's first byte has every one; a later read starts without
   * them and takes a line from `currentLine` (the engine's state) when that is exactly what the
   * splice made.
   */
  private readonly lines = new Map<string, string>();

  constructor(
    private readonly state: RollupState,
    private readonly currentLine?: (key: string) => string | undefined,
  ) {}

  apply(item: SegmentEntry): void {
    const entry = item.entry;
    const ms = Date.parse(entry.ts);
    if (!Number.isFinite(ms)) return;
    const minute = minuteOfMs(ms);
    const state = this.state;
    if (entry.kind === 'snapshot') {
      state.day(dayOfMs(ms)).fileBytes = entry.fileSize;
      state.day(dayOfMs(ms)).journalBytes += item.bytes;
      return;
    }
    const totals = state.day(dayOfMs(ms));
    totals.commits[entry.origin] = (totals.commits[entry.origin] ?? 0) + 1;
    totals.journalBytes += item.bytes;
    const client = entry.origin === 'mcp' && entry.note ? MCP_CLIENT.exec(entry.note)?.[1] : undefined;
    if (client) totals.clients[client] = (totals.clients[client] ?? 0) + 1;
    state.lastCommit = Math.max(state.lastCommit, minute);
    if (entry.origin === 'external' || entry.fileDiffers !== undefined) {
      totals.rewrites += 1;
      state.lastRewrite = Math.max(state.lastRewrite, minute);
    }
    const move = entry.intent !== undefined && PERSON_ORIGINS.has(entry.origin);
    const scratch: CommitScratch = { touched: new Map(), reality: new Set(), times: new Map() };
    for (const change of entry.changes) this.applyChange(change, minute, move, scratch);
    this.finish(minute, move, scratch);
  }

  private touch(scratch: CommitScratch, id: string): number {
    const row = this.state.ensureRow(id);
    if (!scratch.touched.has(row)) scratch.touched.set(row, { flags: this.state.flags.get(row), ...this.state.progress(row), due: this.state.due(row) });
    return row;
  }

  private applyChange(change: Change, minute: number, move: boolean, scratch: CommitScratch): void {
    let name: string;
    let value: Json | undefined;
    if (change.del) {
      if (change.del[0] !== 'entity') return;
      name = change.del[1];
    } else if (change.splice) {
      if (change.splice[0] !== 'entity') return;
      name = change.splice[1];
    } else if (change.set !== undefined) {
      if (change.set.type !== 'entity' || typeof change.set.name !== 'string') return;
      name = change.set.name;
      value = change.set;
    } else if (typeof change.line === 'string' && change.n === undefined && !change.opaque) {
      try {
        const parsed = JSON.parse(change.line) as unknown;
        if (typeof parsed !== 'object' || parsed === null || (parsed as Json).type !== 'entity' || typeof (parsed as Json).name !== 'string') return;
        value = parsed as Json;
        name = value.name as string;
      } catch {
        return;
      }
    } else return;
    const part = partOfName(name);
    if (!part) return;
    const key = entityKey(name);
    if (part.kind === 'reality') {
      // What a current reality says is not needed here, only that it changed.
      scratch.reality.add(this.touch(scratch, part.id));
      return;
    }
    if (change.del) this.lines.delete(key);
    else if (change.splice) {
      const before = this.lines.get(key);
      let line = before === undefined ? undefined : applySplice(before, change);
      if (line === undefined) {
        const current = this.currentLine?.(key);
        if (current !== undefined && crc32Hex(current) === change.crc) line = current;
      }
      if (line === undefined) {
        // The line it edits is not at hand (or the journal lost an entry): the chart changed, how is unknown.
        this.lines.delete(key);
        this.state.unresolvedEdits += 1;
        this.touch(scratch, part.id);
        return;
      }
      this.lines.set(key, line);
      try {
        value = JSON.parse(line) as Json;
      } catch {
        return;
      }
    } else this.lines.set(key, change.line !== undefined ? change.line : JSON.stringify(value));
    if (part.kind === 'chart') this.chartEntity(part.id, value, scratch);
    else if (part.kind === 'outcome') this.outcome(part.id, value, scratch);
    else this.step(part.id, part.key, value, minute, move, scratch);
  }

  private chartEntity(id: string, value: Json | undefined, scratch: CommitScratch): void {
    const state = this.state;
    const row = this.touch(scratch, id);
    if (value === undefined) {
      state.flags.set(row, state.flags.get(row) & ~HAS_CHART_ENTITY);
      return;
    }
    if (!ofType(value, STRUCTURAL_TENSION_CHART)) return;
    const meta = metadataOf(value);
    state.flags.set(row, state.flags.get(row) | HAS_CHART_ENTITY);
    const parentId = typeof meta.parentChart === 'string' && meta.parentChart !== id && meta.parentChart !== '' ? meta.parentChart : undefined;
    state.parent.set(row, parentId === undefined ? -1 : state.ensureRow(parentId));
    state.level.set(row, typeof meta.level === 'number' && Number.isInteger(meta.level) && meta.level >= 0 && meta.level < 1e6 ? meta.level : 0);
    state.dueChart.set(row, dayOfDate(meta.dueDate) ?? NO_DAY);
    scratch.times.set(row, { created: minuteOfTime(meta.createdAt), updated: minuteOfTime(meta.updatedAt) });
  }

  private outcome(id: string, value: Json | undefined, scratch: CommitScratch): void {
    const state = this.state;
    const row = this.touch(scratch, id);
    if (value === undefined) {
      state.flags.set(row, state.flags.get(row) & ~(HAS_OUTCOME | OUTCOME_DONE));
      state.dueOutcome.set(row, NO_DAY);
      return;
    }
    if (!ofType(value, DESIRED_OUTCOME)) return;
    const meta = metadataOf(value);
    const done = meta.completionStatus === true;
    state.flags.set(row, (state.flags.get(row) | HAS_OUTCOME | (done ? OUTCOME_DONE : 0)) & ~(done ? 0 : OUTCOME_DONE));
    state.dueOutcome.set(row, dayOfDate(meta.dueDate) ?? NO_DAY);
  }

  private step(id: string, key: number, value: Json | undefined, minute: number, move: boolean, scratch: CommitScratch): void {
    const state = this.state;
    const row = this.touch(scratch, id);
    const s = value === undefined ? state.stepRow(row, key) : state.ensureStep(row, key);
    if (s === undefined) return;
    const flags = state.stepFlags.get(s);
    const wasPresent = (flags & STEP_PRESENT) !== 0;
    const wasDone = (flags & STEP_DONE) !== 0;
    const wasDue = state.stepDue.get(s);
    const day = dayOfMinute(minute);
    if (value === undefined) {
      if (!wasPresent) return;
      state.setStep(s, false, wasDone, wasDue, minute);
      // Moved away with its chart: the step's story goes on in the other context.
      if (!move) state.event(row, minute, EVENT.STEP, key * 4 + (wasDone ? 2 : 0), wasDue);
      return;
    }
    if (!ofType(value, ACTION_STEP)) return;
    const meta = metadataOf(value);
    const done = meta.completionStatus === true;
    const due = dayOfDate(meta.dueDate) ?? NO_DAY;
    if (!wasPresent) {
      const seenBefore = (flags & STEP_EVER) !== 0;
      if (state.stepCreated.get(s) < 0) {
        const stated = minuteOfTime(meta.createdAt);
        state.stepCreated.set(s, stated !== undefined && stated <= minute ? stated : move ? -1 : minute);
      }
      if (!move && !seenBefore) state.day(day).stepsAdded += 1;
      if (!move && done && !(seenBefore && wasDone)) {
        // It came in done (an imported file, a peer's new step): done when it last changed, if that is known.
        const created = state.stepCreated.get(s);
        const updated = minuteOfTime(meta.updatedAt);
        const at = updated !== undefined && updated <= minute && updated >= created ? updated : minute;
        this.stepCompleted(row, key, created, at);
      }
      state.setStep(s, true, done, due, minute);
      state.event(row, minute, EVENT.STEP, key * 4 + 1 + (done ? 2 : 0), due);
      return;
    }
    if (done === wasDone && due === wasDue) return;
    if (done && !wasDone) this.stepCompleted(row, key, state.stepCreated.get(s), minute);
    state.setStep(s, true, done, due, minute);
    state.event(row, minute, EVENT.STEP, key * 4 + 1 + (done ? 2 : 0), due);
  }

  private stepCompleted(row: number, key: number, created: number, at: number): void {
    const totals = this.state.day(dayOfMinute(at));
    totals.stepsCompleted += 1;
    const minutes = created >= 0 && at >= created ? at - created : -1;
    if (minutes >= 0) totals.durations.push(minutes);
    this.state.event(row, at, EVENT.STEP_DONE, key, minutes);
  }

  /** Once every change of the commit is in: what it did to each chart it touched. */
  private finish(minute: number, move: boolean, scratch: CommitScratch): void {
    const state = this.state;
    for (const [row, before] of scratch.touched) {
      let flags = state.flags.get(row);
      const existed = (before.flags & EXISTS) !== 0;
      const exists = (flags & EXISTS) !== 0;
      const times = scratch.times.get(row);
      if (!existed && exists) {
        if (move) {
          state.event(row, minute, EVENT.MOVED_IN);
          flags &= ~DEPARTED;
          if (state.created.get(row) < 0) state.created.set(row, times?.created !== undefined && times.created <= minute ? times.created : minute);
        } else if (flags & EVER_PRESENT) {
          state.event(row, minute, EVENT.RESTORED);
        } else {
          // Created when it says it was (an imported file's charts keep their dates), if that is not later than now.
          const created = times?.created !== undefined && times.created <= minute ? times.created : minute;
          state.created.set(row, created);
          const totals = state.day(dayOfMinute(created));
          totals.created += 1;
          if (state.parent.get(row) >= 0) totals.telescoped += 1;
          state.event(row, created, EVENT.CREATED, state.parent.get(row), state.level.get(row));
        }
        flags |= EVER_PRESENT;
      } else if (existed && !exists) {
        if (move) {
          state.event(row, minute, EVENT.MOVED_OUT);
          flags |= DEPARTED;
        } else {
          state.event(row, minute, EVENT.REMOVED);
          state.day(dayOfMinute(minute)).removed += 1;
        }
      }
      if (exists) {
        const { done, total } = state.progress(row);
        const complete = (flags & OUTCOME_DONE) !== 0 || (total > 0 && done === total);
        if (complete !== ((flags & COMPLETE) !== 0)) {
          flags = complete ? flags | COMPLETE : flags & ~COMPLETE;
          if (!(move && !existed)) {
            if (complete) {
              const created = state.created.get(row);
              const at = !existed && times?.updated !== undefined && times.updated <= minute && times.updated >= created ? times.updated : minute;
              state.event(row, at, EVENT.COMPLETED);
              state.day(dayOfMinute(at)).completed += 1;
            } else {
              state.event(row, minute, EVENT.REOPENED);
              state.day(dayOfMinute(minute)).reopened += 1;
            }
          }
        }
        if (existed && scratch.reality.has(row)) state.event(row, minute, EVENT.REALITY);
        const due = state.due(row);
        if (existed && due !== before.due) state.event(row, minute, EVENT.DUE_MOVED, before.due, due);
      }
      state.flags.set(row, flags);
      state.lastChange.set(row, minute);
    }
  }
}

/**
 * Whether applying these commits needs lines from before them: an edit (splice) of a chart's
 * part that no earlier change among them wrote whole. `written` carries over from commit to
 * commit. When it does, the read of a journal's tail takes those lines from the engine's state.
 */
export function editsNeedEarlierLines(entry: JournalCommit, written: Set<string>): boolean {
  let needs = false;
  for (const change of entry.changes) {
    if (change.del) {
      if (change.del[0] === 'entity') written.delete(change.del[1]);
    } else if (change.splice) {
      if (change.splice[0] !== 'entity') continue;
      const part = partOfName(change.splice[1]);
      if (part && part.kind !== 'reality' && !written.has(change.splice[1])) needs = true;
    } else if (change.set !== undefined) {
      if (typeof change.set.name === 'string') written.add(change.set.name);
    } else if (change.n === undefined && !change.opaque) {
      try {
        const value = JSON.parse(change.line) as Json;
        if (typeof value?.name === 'string') written.add(value.name);
      } catch {
        // not a record's line: nothing a splice could edit
      }
    }
  }
  return needs;
}
