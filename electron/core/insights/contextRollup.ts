// Brings a context's rollup up to date with its journal. The usual case reads nothing but the
// summary (the journal has not grown) or the few lines appended since; the journal is read from
// its first byte only when there is no usable rollup (none yet, damaged, or the journal was
// rewritten since, by a recovery or an upgrade of its format).
import { randomUUID } from 'node:crypto';
import type { Engine } from '../engine.ts';
import { errnoOf } from '../errors.ts';
import { contextPaths, rootPaths } from '../dataRoot.ts';
import { CommitReducer, editsNeedEarlierLines } from './commitReducer.ts';
import { readSegment, readSegmentAsync, sameLineAt, type SegmentEnd, type SegmentEntry } from './journalSegment.ts';
import { readRows, readSummary, rollupPaths, writeRollup } from './rollupFiles.ts';
import { RollupState } from './rollupState.ts';
import { summarizeRollup, type JournalPosition, type RollupSummary } from './rollupSummary.ts';

export interface ContextRollup {
  readonly context: string;
  readonly summary: RollupSummary;
  /** The rows of charts and steps and the event log, once read (a chart's page, or a grown journal). */
  readonly state: RollupState | undefined;
}

export interface RollupRead {
  readonly rollup: ContextRollup;
  /** The journal was read from its first byte. */
  readonly rebuilt: boolean;
  /** Journal entries taken in by this read (0: nothing new). */
  readonly entries: number;
  /** Why the rollup could not be kept on disk (the figures are right; the next process reads more). */
  readonly cacheProblem?: string;
  /** The rollup was written to disk by this read. */
  readonly saved: boolean;
}

export interface RollupReadOptions {
  /** Keep the rollup in .history/ (default true; only where .history/ exists). */
  readonly persist?: boolean;
  /** What is held in memory is newer than the rollup on disk: write it even if nothing new was read. */
  readonly unsaved?: boolean;
  /** The rows are wanted even if the journal has not grown (a chart's page). */
  readonly rows?: boolean;
  readonly clock?: () => Date;
}

/** Appended entries up to this many bytes are applied from memory after the first look. */
const KEPT_BYTES = 64 * 1024 * 1024;

function positionHolds(engine: Engine, journal: string, position: JournalPosition, ino: string, size: number): boolean {
  if (position.ino !== ino || size < position.offset) return false;
  return position.lastLine ? sameLineAt(engine.fs, journal, position.lastLine, position.offset) : position.offset === 0;
}

function positionAfter(end: SegmentEnd, before: JournalPosition | undefined): JournalPosition {
  const lastLine = end.lastLine ?? before?.lastLine;
  return { ino: end.ino ?? before?.ino ?? '', offset: end.offset, seq: Math.max(end.seq, before?.seq ?? 0), ...(lastLine ? { lastLine } : {}) };
}

export async function readContextRollup(engine: Engine, context: string, held: ContextRollup | undefined, options: RollupReadOptions = {}): Promise<RollupRead> {
  const clock = options.clock ?? (() => new Date());
  const { journal } = contextPaths(engine.layout, context);
  const files = rollupPaths(journal);
  let size: number;
  let ino: string;
  try {
    const stat = engine.fs.statSync(journal, { bigint: true });
    size = Number(stat.size);
    ino = stat.ino.toString();
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw error;
    // No journal (a file no Tension Desk process has written to yet): no history to tell.
    const state = new RollupState();
    return { rollup: { context, summary: summarizeRollup(state, context, randomUUID(), { ino: '', offset: 0, seq: 0 }, clock()), state }, rebuilt: false, entries: 0, saved: false };
  }
  let summary = held?.summary ?? readSummary(engine.fs, files, context);
  let state = held?.state;
  if (summary && !positionHolds(engine, journal, summary.journal, ino, size)) summary = undefined;
  let rebuilt = false;
  let entries = 0;
  const count = (reducer: CommitReducer) => (item: SegmentEntry) => {
    reducer.apply(item);
    entries += 1;
  };
  const fromTheStart = async (): Promise<RollupSummary> => {
    state = new RollupState();
    // Up to the size seen now; what is appended meanwhile is read as the tail below.
    const end = await readSegmentAsync(engine.fs, journal, 0, count(new CommitReducer(state)), { to: size });
    state.damagedLines += end.damaged;
    rebuilt = true;
    return summarizeRollup(state, context, randomUUID(), positionAfter(end, undefined), clock());
  };
  if (!summary) summary = await fromTheStart();
  const offset = summary.journal.offset;
  // What was appended since: first only looked at (is there anything, and does it edit lines from before it?).
  // It is kept in memory to be applied without a second read (a delta larger than KEPT_BYTES is read again instead).
  let appended = 0;
  let needsEarlierLines = false;
  const written = new Set<string>();
  let kept: SegmentEntry[] | undefined = [];
  let keptBytes = 0;
  const looked = readSegment(engine.fs, journal, offset, (item) => {
    appended += 1;
    if (item.entry.kind === 'commit' && !needsEarlierLines) needsEarlierLines = editsNeedEarlierLines(item.entry, written);
    if (!kept) return;
    keptBytes += item.bytes;
    if (keptBytes > KEPT_BYTES) kept = undefined;
    else kept.push(item);
  });
  if (appended > 0 || options.rows) {
    state ??= readRows(engine.fs, files, summary);
    if (!state) summary = await fromTheStart();
  }
  if (appended > 0 && summary.journal.offset === offset) {
    const rows = state as RollupState;
    const take = (current?: (key: string) => string | undefined): SegmentEnd => {
      const apply = count(new CommitReducer(rows, current));
      if (!kept) return readSegment(engine.fs, journal, offset, apply);
      for (const item of kept) apply(item);
      return looked;
    };
    // Lines edited in place since the rollup was written are the engine's (only then is the context opened).
    const end = needsEarlierLines ? await engine.read(context, (records) => take((key) => records.get(key)?.raw)) : take();
    rows.damagedLines += end.damaged;
    summary = summarizeRollup(rows, context, randomUUID(), positionAfter(end, summary.journal), clock());
  }
  const rollup = { context, summary, state };
  const keeping = (rebuilt || entries > 0 || options.unsaved) && options.persist !== false ? saveContextRollup(engine, rollup) : { saved: false };
  return { rollup, rebuilt, entries, ...keeping };
}

/**
 * Writes a rollup beside its journal (where .history/ exists and it holds rows): saved, or why
 * it could not be (the figures are right either way; the next process reads more journal).
 */
export function saveContextRollup(engine: Engine, rollup: ContextRollup): { readonly saved: boolean; readonly cacheProblem?: string } {
  if (!rollup.state || !engine.fs.existsSync(rootPaths(engine.layout).history)) return { saved: false };
  const files = rollupPaths(contextPaths(engine.layout, rollup.context).journal);
  try {
    writeRollup(engine.fs, files, rollup.state, rollup.summary);
    return { saved: true };
  } catch (error) {
    return { saved: false, cacheProblem: `The insights of context ${rollup.context} could not be kept in ${files.summary} (${errnoOf(error) ?? String(error)}); they are right, and are worked out from the journal again next time.` };
  }
}
