// A context operation sent again (the same --op after a success, or run again after a crash
// that the next process finished) is answered as done, like a chart move's retry: these
// commands are retryable, and a retry said "There is no context a" (exit 3) because the name
// was looked for before the operation. So the operation is looked up first, from the journal
// of the source, which a rename, merge or deletion keeps.
import type { Engine } from '../engine.ts';
import { contextMoveWhat, moveNote, moveOperationId } from './moveOperation.ts';
import { forEachJournalEntry } from '../journalFile.ts';
import { deletionsIn } from './deletionJournal.ts';
import { isHiddenRetired, readRetiredNote } from './retiredContexts.ts';
import type { MoveResult } from './moveCharts.ts';

/**
 * Whether the move of `from` into `to` under the caller's operation id is in the source's
 * journal, made by a rename or merge (a chart move sent with the same id makes the same move
 * id, and was answered as the merge it left undone): the source's note says it went into `to`,
 * or, the name taken up since by another context (a rename into it clears the note, and that
 * context may be retired in turn), the move's commit says it was this rename or merge. A retry
 * then answers; made again, it merged or renamed that other context.
 */
export async function moveAnswered(engine: Engine, from: string, to: string, op: string | undefined): Promise<boolean> {
  if (op === undefined) return false;
  const part = `${moveOperationId(from, to, op)}:${from}`;
  const found = await engine.read(from, (_state, store) => {
    const done = store.hasOperation(part);
    return done === undefined ? undefined : { tx: done.tx, journal: store.paths.journal };
  });
  if (found === undefined) return false;
  const note = readRetiredNote(engine.fs, engine.layout, from);
  if (note?.into === to && (note.reason === 'renamed' || note.reason === 'merged')) return true;
  // The journal's commit is the authority, whatever became of the name since.
  return madeAsContextMove(engine, found.journal, found.tx, from, to);
}

/** The commit `tx` of the journal is the move of a rename or merge of `from` into `to` (its note, moveNote's, names it so). */
function madeAsContextMove(engine: Engine, journal: string, tx: string, from: string, to: string): boolean {
  const ways = [contextMoveWhat(from, to, 'merged'), contextMoveWhat(from, to, 'renamed')].map((what) => moveNote(from, to, what));
  let made = false;
  forEachJournalEntry(engine.fs, journal, (entry) => {
    if (entry.kind === 'commit' && entry.tx === tx && ways.includes(entry.note ?? '')) made = true;
  });
  return made;
}

/** What became of a deletion sent with the caller's operation id, read from the context's journal. */
export type DeletionRetry =
  /** Done: its backup and how many records it took. */
  | { readonly state: 'deleted'; readonly backup: string; readonly records: number }
  /** Done, then undone by a restore (when). */
  | { readonly state: 'restored'; readonly restoredAt: string }
  /** The operation id is another change's (any command takes --op): no deletion was made under it. */
  | { readonly state: 'other-change' };

/** The deletion under the caller's operation id, if that id is in the context's journal (deletionJournal.ts tells a deletion from another change). */
export async function deletionAnswered(engine: Engine, context: string, op: string): Promise<DeletionRetry | undefined> {
  return engine.read(context, (_state, store) => {
    const done = store.hasOperation(op);
    if (!done) return undefined;
    const deletion = deletionsIn(engine.fs, store.paths.journal, context).find((each) => each.tx === done.tx);
    if (!deletion) return { state: 'other-change' };
    if (deletion.undoneBy) return { state: 'restored', restoredAt: deletion.undoneBy.ts };
    return { state: 'deleted', backup: deletion.backup, records: store.changesIn(done.tx) };
  });
}

/**
 * A rename of `from` to `to` already done, by an earlier run (interrupted, then finished by the
 * next process: adoptLeftovers): `from` is retired, renamed to `to`, and not shown; `to` is
 * listed and not retired itself.
 */
export function renamedAlready(engine: Engine, from: string, to: string): boolean {
  const note = readRetiredNote(engine.fs, engine.layout, from);
  if (note?.reason !== 'renamed' || note.into !== to || note.pending === true || !isHiddenRetired(engine.fs, engine.layout, from)) return false;
  // `to` is still there under that name (renamed on since, it is not this rename's to answer).
  return readRetiredNote(engine.fs, engine.layout, to) === undefined && engine.listContextNames().includes(to);
}

/** The answer to a move found done: nothing moved now. */
export function doneBefore(from: string, to: string): MoveResult {
  return { from, to, moved: [], alreadyThere: [], skipped: [], renamed: {}, records: 0, looseCollisions: [], duplicate: true };
}
