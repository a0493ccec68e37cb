// Renaming a context: every record moves to the new name's file (`charts-<new>.jsonl`, the
// name peers expect) as one crash-safe move through the intent log, with metadata.context
// following; then the old context is retired (retiredContexts.ts) and its file taken away.
// The old journal stays, retired, so a chart's history still reaches back past the rename.
//
// Crash safety: the retired note is written first, saying where the records go. A crash
// before the move's intent is durable leaves every record in the old context (the note only
// says what was asked; adoptLeftovers or the rename run again finishes it); after it, the
// engine's next lock finishes the move. Either way every record is in exactly one context.
import type { Engine } from '../engine.ts';
import { EngineError } from '../errors.ts';
import { ARCHIVE_CONTEXT, DEFAULT_CONTEXT, sameContextName, validateContextName } from '../dataRoot.ts';
import { moveCharts, type MoveResult } from './moveCharts.ts';
import { clearRetiredNote, isHiddenRetired, readRetiredNote, retiredContexts, writeRetiredNote } from './retiredContexts.ts';
import type { MoveSelection } from './movePlan.ts';
import { leftAside, takeAwayRetiredFile, takeInLeftAside } from './retiredFile.ts';
import { refuseRetiredTarget, retiredCycle, whereItWent } from './retiredTargets.ts';
import { doneBefore, moveAnswered, renamedAlready } from './contextRetry.ts';
import { contextMoveWhat } from './moveOperation.ts';

export interface ContextChangeResult {
  readonly from: string;
  readonly to: string;
  readonly move: MoveResult;
  /** Records left behind in the old context (they collided in the target): it stays, with them. */
  readonly leftBehind: number;
  /** Done already, by an earlier run that was interrupted and then finished (nothing done now). */
  readonly finishedBefore?: true;
}

/** How many rounds of "a peer wrote the old file again: move what it added" before giving up for now. */
const SETTLE_ROUNDS = 5;

export function refuseReserved(name: string, what: string): void {
  if (name === DEFAULT_CONTEXT || name === ARCHIVE_CONTEXT) {
    throw new EngineError('BAD_INPUT', `Context ${name} cannot be ${what}: it is the ${name === DEFAULT_CONTEXT ? 'default context (charts.jsonl, which every tool reads first)' : 'archive of completed charts'}. Nothing was changed.`, { kept: 'Nothing was changed.' });
  }
}

/** Contexts that are listed (not retired and gone). */
export function visibleContexts(engine: Engine): string[] {
  return engine.listContextNames().filter((name) => !isHiddenRetired(engine.fs, engine.layout, name));
}

export function requireContext(engine: Engine, name: string): void {
  validateContextName(name);
  if (!visibleContexts(engine).includes(name)) throw new EngineError('NOT_FOUND', `There is no context ${name}. Nothing was changed.`, { kept: 'Nothing was changed.' });
}

export async function renameContext(engine: Engine, from: string, to: string, options: { op?: string | undefined } = {}): Promise<ContextChangeResult> {
  validateContextName(from);
  validateContextName(to);
  refuseReserved(from, 'renamed');
  refuseReserved(to, 'a new name');
  if (from === to) throw new EngineError('BAD_INPUT', `The context is already called ${to}. Nothing was changed.`, { kept: 'Nothing was changed.' });
  if (sameContextName(from, to)) throw new EngineError('BAD_INPUT', `${from} and ${to} differ only in upper and lower case, which macOS and Windows would take for one file: rename to another name first, then to ${to}. Nothing was changed.`, { kept: 'Nothing was changed.' });
  const what = contextMoveWhat(from, to, 'renamed');
  // Looked up before the names: a retry of a rename done (the same --op), or one an earlier run
  // began and the next process finished, is answered as done, not "There is no context".
  if (options.op !== undefined && (await moveAnswered(engine, from, to, options.op))) return answerRetry(engine, from, to, what, options.op);
  if (renamedAlready(engine, from, to)) return { from, to, move: doneBefore(from, to), leftBehind: 0, finishedBefore: true };
  requireContext(engine, from);
  if (visibleContexts(engine).includes(to)) {
    throw new EngineError('BAD_INPUT', `There is already a context ${to}: merge ${from} into it instead (tension context merge ${from} --into ${to}). Nothing was changed.`, { kept: 'Nothing was changed.' });
  }
  await engine.withLock(() => {
    // Looked at again under the lock that writes the note: another process may have made `to`
    // since, or be merging it (a context with records and a note) into `from`.
    if (visibleContexts(engine).includes(to)) {
      refuseRetiredTarget(engine, from, to, 'renamed');
      throw new EngineError('CONFLICT', `Another command made a context ${to} just now: ${from} was not renamed; nothing was changed. Merge ${from} into it instead (tension context merge ${from} --into ${to}), or choose another name.`, { kept: 'Nothing was changed.' });
    }
    // A name retired before (renamed away, then back) is taken up again: its note goes first.
    if (readRetiredNote(engine.fs, engine.layout, to)) clearRetiredNote(engine.fs, engine.layout, to);
    writeRetiredNote(engine.fs, engine.layout, { format: 1, context: from, reason: 'renamed', into: to, ts: new Date().toISOString() });
  });
  return moveAllAndRetire(engine, from, to, what, options.op);
}

/**
 * A retry of a rename or merge found in the journal (the same operation id): the move answers
 * from the journal (nothing moves again). While `from` is still retired into `to`, what the
 * first run would have done after the move is done too (the file taken away, `finish`); a name
 * taken up again since is left alone.
 */
export async function answerRetry(engine: Engine, from: string, to: string, what: string, op: string, finish?: () => Promise<void>): Promise<ContextChangeResult> {
  const note = readRetiredNote(engine.fs, engine.layout, from);
  if (note?.into === to && note.reason !== 'deleted') return moveAllAndRetire(engine, from, to, what, op, finish ? { beforeRetiring: finish } : {});
  const move = await moveCharts(engine, from, to, { charts: 'all', onCollision: 'skip' }, { op, what, ownMove: true });
  return { from, to, move, leftBehind: 0 };
}

/**
 * Under the lock: whether `from` is still on its way into `to` (its note says so), so that its
 * file goes and what lands there follows. Between two holds of the lock another command may
 * take the name up (a rename into it clears the note): its records are then that context's,
 * and moving them on would undo the rename. The default context and the archive are emptied,
 * never retired (no note).
 */
function stillGoingInto(engine: Engine, from: string, to: string): boolean {
  if (from === DEFAULT_CONTEXT || from === ARCHIVE_CONTEXT) return true;
  const note = readRetiredNote(engine.fs, engine.layout, from);
  return note !== undefined && note.reason !== 'deleted' && note.into === to;
}

export interface RetireSteps {
  /** What moves (every record, collisions skipped, unless said otherwise). */
  readonly selection?: MoveSelection;
  /** Under the lock of the move, just before it is committed: may refuse it (nothing changed). */
  readonly beforeMove?: () => void;
  /** Once the records are moved, before the old file is taken away (a merge's retired note). */
  readonly beforeRetiring?: () => Promise<void>;
}

/** Moves every record of `from` to `to` and takes away the old file, moving on whatever a peer writes there meanwhile. */
export async function moveAllAndRetire(engine: Engine, from: string, to: string, what: string, op: string | undefined, steps: RetireSteps = {}): Promise<ContextChangeResult> {
  const { selection = { charts: 'all', onCollision: 'skip' }, beforeMove, beforeRetiring } = steps;
  const move = await moveCharts(engine, from, to, selection, { op, what, ownMove: true, ...(beforeMove ? { beforeCommit: beforeMove } : {}) });
  await beforeRetiring?.();
  let leftBehind = 0;
  for (let round = 0; round < SETTLE_ROUNDS; round += 1) {
    leftBehind = await engine.withLock(() => (stillGoingInto(engine, from, to) ? takeAwayRetiredFile(engine, from) : 0));
    if (leftBehind === 0) break;
    const again = await moveCharts(engine, from, to, { charts: 'all', onCollision: 'skip' }, { what: `What another program wrote to context ${from} meanwhile`, ownMove: true });
    if (again.records === 0) break; // only collisions left: they stay in the old context, which stays listed
  }
  return { from, to, move, leftBehind };
}

export interface AdoptedLeftovers {
  readonly context: string;
  readonly into: string;
  readonly records: number;
  /** Not moved: the retired notes lead from the context back to itself (context, into, …, context). */
  readonly cycle?: string[];
}

/**
 * Finishes what a retired context still needs: records a peer wrote to a renamed or merged
 * context after it was retired move on to where it went; the file of one whose records are all
 * gone (a crash came before it was taken away) is taken away. Run before each context
 * operation (and by `tension context adopt`).
 */
export async function adoptLeftovers(engine: Engine): Promise<AdoptedLeftovers[]> {
  const adopted: AdoptedLeftovers[] = [];
  const notes = retiredContexts(engine.fs, engine.layout);
  for (const note of notes) {
    // A file set aside when a process died is taken in first (it may hold a peer's last write).
    const tookIn = leftAside(engine, note.context).length > 0 && (await engine.withLock(() => takeInLeftAside(engine, note.context)));
    if (!tookIn && isHiddenRetired(engine.fs, engine.layout, note.context)) continue;
    const size = await engine.read(note.context, (state) => state.size);
    if (size === 0) {
      await engine.withLock(() => takeAwayRetiredFile(engine, note.context));
      continue;
    }
    if (note.into === undefined) continue; // a deleted context written again by a peer: it shows, with what the peer wrote
    if (note.pending) continue; // a merge that may have been refused: its records stay where they are
    // Notes that lead back here (two merges in opposite directions, run at once by an older
    // version): moving would never end. Nothing moves; it is reported, for a person to settle.
    const cycle = retiredCycle(notes, note.context);
    if (cycle) {
      adopted.push({ context: note.context, into: note.into, records: 0, cycle });
      continue;
    }
    // Straight to where its records are now: `into` may have gone on in turn (renamed, then
    // merged), and a move into it left them in a retired context until the next adopt.
    const into = whereItWent(engine, note.into);
    const result = await moveAllAndRetire(engine, note.context, into, `What another program wrote to context ${note.context} after it went into ${into}`, undefined);
    adopted.push({ context: note.context, into, records: result.move.records });
  }
  return adopted;
}
