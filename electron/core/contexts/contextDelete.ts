// Deleting a context: a backup of the data folder first, then the retired note (saying which
// backup and which operation), then every record removed in one commit (the journal keeps them
// all, so the deletion is undone by reading them back), then the file taken away. A crash
// before the commit leaves the context whole and listed; after it, deleted. Undo
// (restoreDeletedContext) puts every record back exactly as it was; the backup is there too.
import { randomUUID } from 'node:crypto';
import type { Engine } from '../engine.ts';
import { EngineError } from '../errors.ts';
import { validateContextName } from '../dataRoot.ts';
import { createBackupUnderLock } from '../backups.ts';
import { replayWanted } from '../history.ts';
import type { StoredRecord } from '../records.ts';
import { refuseReserved, requireContext } from './contextRename.ts';
import { clearRetiredNote, readRetiredNote, writeRetiredNote, type RetiredNote } from './retiredContexts.ts';
import { takeAwayRetiredFile, takeInLeftAside } from './retiredFile.ts';
import { deletionAnswered, type DeletionRetry } from './contextRetry.ts';
import { deletionCommitNote, deletionsIn, restoredNote } from './deletionJournal.ts';

export interface DeleteResult {
  readonly context: string;
  readonly backup: string;
  readonly records: number;
  /** Records another program wrote to the file meanwhile: the context stays, with them. */
  readonly leftBehind: number;
  /** A retry of a deletion already done (the same operation id): answered, nothing done now. */
  readonly duplicate?: true;
}

export async function deleteContext(engine: Engine, context: string, options: { op?: string | undefined } = {}): Promise<DeleteResult> {
  validateContextName(context);
  refuseReserved(context, 'deleted');
  const op = `delete-context:${context}:${options.op ?? randomUUID()}`;
  // A retry of a deletion done (the same --op) is answered as done, before the name is looked
  // for (it is gone by then); its file is taken away if a crash came first. One undone since,
  // or an id another change used, is refused.
  const answered = options.op === undefined ? undefined : await deletionAnswered(engine, context, op);
  if (answered) refuseUndoneOrForeign(context, options.op as string, answered);
  if (answered?.state === 'deleted') {
    // Still deleted by it (not restored or taken up since): its file goes if a crash came first.
    const stillDeleted = readRetiredNote(engine.fs, engine.layout, context)?.op === op;
    const leftBehind = stillDeleted ? await engine.withLock(() => takeAwayRetiredFile(engine, context)) : 0;
    return { context, backup: answered.backup, records: answered.records, leftBehind, duplicate: true };
  }
  requireContext(engine, context);
  const backup = await engine.withLock(() => {
    const info = createBackupUnderLock(engine, `before deleting context ${context}`);
    writeRetiredNote(engine.fs, engine.layout, { format: 1, context, reason: 'deleted', backup: info.id, op, ts: new Date().toISOString() });
    return info.id;
  });
  const result = await engine.transact(context, (state) => ({ puts: [], deletes: [...state.keys()] }), { op, note: deletionCommitNote(context, backup) });
  const leftBehind = await engine.withLock(() => takeAwayRetiredFile(engine, context));
  return { context, backup, records: result.changed, leftBehind };
}

/**
 * A retry whose deletion was undone since is refused, not done again: a retry only learns what
 * became of the request it repeats, and the restore came after that request was done, a
 * decision of its own (this person's or another's) that a late retry must not quietly reverse
 * (a retry loop would throw away the way back the restore gave). "Already done" would say the
 * context is gone while it is listed. An id another change used made no deletion at all.
 */
function refuseUndoneOrForeign(context: string, op: string, answered: DeletionRetry): void {
  const again = `To delete it now, run tension context delete ${context} without --op (or with a new one).`;
  if (answered.state === 'restored') {
    throw new EngineError('CONFLICT', `Context ${context} was deleted under operation id ${op}, then restored (${answered.restoredAt}): a retry does not delete it again. Nothing was changed. ${again}`, { kept: 'Nothing was changed.' });
  }
  if (answered.state === 'other-change') {
    throw new EngineError('CONFLICT', `Operation id ${op} was used by another change of context ${context}, not a deletion: context ${context} was not deleted. Nothing was changed. ${again}`, { kept: 'Nothing was changed.' });
  }
}

interface DeletionToUndo {
  /** The deleting commit's operation id and transaction. */
  readonly op: string;
  readonly tx: string;
  /** The restore's own operation id. */
  readonly restoreOp: string;
}

interface JournalDeletions {
  /** The deletion a restore now undoes, if any. */
  readonly toUndo: DeletionToUndo | undefined;
  /** The newest deletion already undone (its restore committed), when none is left to undo. */
  readonly lastUndone: { op: string; tx: string } | undefined;
}

/**
 * The deletion a restore undoes, read from the context's journal (not from the retired note,
 * which goes when the name is taken up again: a context created or renamed to that name): the
 * newest not yet undone. A request already answered (its operation id is in the journal) names
 * the deletion it undid, so its retry is answered, not applied to an older deletion.
 */
function deletionToUndo(engine: Engine, journal: string, context: string, callerOp: string | undefined): JournalDeletions {
  const restoreOpOf = (deletion: { op: string }) => `restore-context:${callerOp ?? deletion.op}`;
  const deletions = deletionsIn(engine.fs, journal, context);
  const answered = callerOp === undefined ? undefined : deletions.find((deletion) => deletion.undoneBy?.op === restoreOpOf(deletion));
  const open = deletions.filter((deletion) => deletion.undoneBy === undefined);
  const deletion = answered ?? open.at(-1);
  const undone = deletions.filter((each) => each.undoneBy !== undefined).sort((x, y) => (x.undoneBy?.at ?? 0) - (y.undoneBy?.at ?? 0));
  return { toUndo: deletion && { op: deletion.op, tx: deletion.tx, restoreOp: restoreOpOf(deletion) }, lastUndone: open.length === 0 ? undone.at(-1) : undefined };
}

/**
 * Every record the deletion removed, put back exactly as it was, as one commit. The name may be
 * in use again by then (a context created or renamed to it): the deleted records come back
 * beside what it holds now, which is not touched (a record made again under the same name is
 * newer, and kept).
 */
export async function restoreDeletedContext(engine: Engine, context: string, options: { op?: string | undefined } = {}): Promise<{ context: string; records: number; keptNewer: string[]; alreadyRestored?: true }> {
  validateContextName(context);
  const journal = await engine.read(context, (_state, store) => store.paths.journal);
  const { toUndo: deletion, lastUndone } = deletionToUndo(engine, journal, context, options.op);
  if (!deletion) {
    // A restore whose commit is in the journal but whose process died before the note went: the
    // note of that very deletion still hides the restored context. Finishing is what was asked.
    const finished = lastUndone !== undefined && (await engine.withLock(() => finishRestoreDone(engine, context, lastUndone.op)));
    if (finished) return { context, records: 0, keptNewer: [], alreadyRestored: true };
    throw new EngineError('NOT_FOUND', `Context ${context} was not deleted (nothing to restore). Nothing was changed.`, { kept: 'Nothing was changed.' });
  }
  // The records as they were just before the deleting commit.
  const before = new Map<string, StoredRecord>();
  let reached = false;
  replayWanted(engine.fs, journal, () => true, (key, entry, record) => {
    if (reached || entry.tx === deletion.tx) {
      reached = true;
      return;
    }
    if (record) before.set(key, record);
    else before.delete(key);
  });
  // A file a peer wrote after the deletion, set aside and not yet read, is taken in first (the
  // note still names the context as retired, so nothing else would ever read it).
  await engine.withLock(() => takeInLeftAside(engine, context));
  // A record made again since the deletion (under the same name) is newer than the deleted one
  // and was acknowledged: it stays, and is reported. The restore once wrote over it.
  let keptNewer: string[] = [];
  // Whatever note the name has now (deleted; or renamed away after it was taken up again) goes
  // with the commit, not after it: the context holds its records again, a rename's note would
  // have them moved on, and a note left by a crash after the commit hid the restored context
  // (and the journal then said there was nothing to restore).
  let note: RetiredNote | undefined;
  let result;
  try {
    result = await engine.transact(
      context,
      (state) => {
        keptNewer = [...before.values()].filter((record) => state.has(record.key) && state.get(record.key)?.raw !== record.raw).map((record) => record.name ?? record.raw.slice(0, 80));
        note = readRetiredNote(engine.fs, engine.layout, context);
        if (note) clearRetiredNote(engine.fs, engine.layout, context);
        return { puts: [...before.values()].filter((record) => !state.has(record.key)), deletes: [], verbatim: true };
      },
      { op: deletion.restoreOp, note: restoredNote(context) },
    );
  } catch (error) {
    // Not committed: the name stays retired as it was (its note back), so nothing changed.
    const taken = note;
    if (taken) {
      await engine.withLock(() => {
        if (engine.storeForLockedWork(context).hasOperation(deletion.restoreOp) === undefined) writeRetiredNote(engine.fs, engine.layout, taken);
      });
    }
    throw error;
  }
  // A retry of a restore already committed (the build above did not run): its note goes now.
  await engine.withLock(() => clearRetiredNote(engine.fs, engine.layout, context));
  await engine.flush();
  return { context, records: result.changed, keptNewer };
}

/**
 * Under the lock: the note of the deletion whose restore is already committed goes (true).
 * Another note (the name deleted again by a newer operation, or renamed away) is not this
 * restore's to take (false).
 */
function finishRestoreDone(engine: Engine, context: string, deletionOp: string): boolean {
  const note = readRetiredNote(engine.fs, engine.layout, context);
  if (note?.reason !== 'deleted' || note.op !== deletionOp) return false;
  clearRetiredNote(engine.fs, engine.layout, context);
  return true;
}
