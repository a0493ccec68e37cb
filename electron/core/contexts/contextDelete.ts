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
import { clearRetiredNote, readRetiredNote, writeRetiredNote } from './retiredContexts.ts';
import { takeAwayRetiredFile } from './retiredFile.ts';

export interface DeleteResult {
  readonly context: string;
  readonly backup: string;
  readonly records: number;
  /** Records another program wrote to the file meanwhile: the context stays, with them. */
  readonly leftBehind: number;
}

export async function deleteContext(engine: Engine, context: string, options: { op?: string | undefined } = {}): Promise<DeleteResult> {
  validateContextName(context);
  refuseReserved(context, 'deleted');
  requireContext(engine, context);
  const op = `delete-context:${context}:${options.op ?? randomUUID()}`;
  const backup = await engine.withLock(() => {
    const info = createBackupUnderLock(engine, `before deleting context ${context}`);
    writeRetiredNote(engine.fs, engine.layout, { format: 1, context, reason: 'deleted', backup: info.id, op, ts: new Date().toISOString() });
    return info.id;
  });
  const result = await engine.transact(context, (state) => ({ puts: [], deletes: [...state.keys()] }), { op, note: `Context ${context} deleted (backup ${backup} taken first)` });
  const leftBehind = await engine.withLock(() => takeAwayRetiredFile(engine, context));
  return { context, backup, records: result.changed, leftBehind };
}

/** Every record the deletion removed, put back exactly as it was, as one commit. */
export async function restoreDeletedContext(engine: Engine, context: string, options: { op?: string | undefined } = {}): Promise<{ context: string; records: number; keptNewer: string[] }> {
  validateContextName(context);
  const note = readRetiredNote(engine.fs, engine.layout, context);
  if (note?.reason !== 'deleted' || note.op === undefined) throw new EngineError('NOT_FOUND', `Context ${context} was not deleted (nothing to restore). Nothing was changed.`, { kept: 'Nothing was changed.' });
  const journal = await engine.read(context, (_state, store) => store.paths.journal);
  // The records as they were just before the deleting commit (its op names it).
  const before = new Map<string, StoredRecord>();
  let reached = false;
  replayWanted(engine.fs, journal, () => true, (key, entry, record) => {
    if (reached || entry.op === note.op) {
      reached = true;
      return;
    }
    if (record) before.set(key, record);
    else before.delete(key);
  });
  // A record made again since the deletion (under the same name) is newer than the deleted one
  // and was acknowledged: it stays, and is reported. The restore once wrote over it.
  let keptNewer: string[] = [];
  const result = await engine.transact(
    context,
    (state) => {
      keptNewer = [...before.values()].filter((record) => state.has(record.key) && state.get(record.key)?.raw !== record.raw).map((record) => record.name ?? record.raw.slice(0, 80));
      return { puts: [...before.values()].filter((record) => !state.has(record.key)), deletes: [], verbatim: true };
    },
    { op: options.op ?? `restore-context:${note.op}`, note: `Context ${context} restored (its deletion undone)` },
  );
  await engine.withLock(() => clearRetiredNote(engine.fs, engine.layout, context));
  await engine.flush();
  return { context, records: result.changed, keptNewer };
}
