// Restoring from a backup: checking under the lock that it can be restored for the contexts
// asked for, then the restore itself (a safety backup of what is there first, then one journaled
// change, all contexts or none), and giving back a retired name the restore brought back.
// backupRestore.ts is the preview beside it (what a restore would add, change and remove) and
// the restore of one chart; both build on restorableBackup here.
import path from 'node:path';
import type { Engine } from './engine.ts';
import { EngineError } from './errors.ts';
import { rootPaths, validateContextName } from './dataRoot.ts';
import type { RecordSet } from './recordSet.ts';
import { readRetiredNote } from './contexts/retiredContexts.ts';
import { takeUpRetiredName } from './contexts/retiredFile.ts';
import { loadBeforeSafetyBackup, markJournals, refuseIfChangedSince, type JournalMark } from './backupJournalMark.ts';
import { createBackupUnderLock } from './backupCreation.ts';
import { withStepNumbersKept } from './charts/stepNumbers.ts';
import { MANIFEST, contextsOf, findBackup, type BackupInfo } from './backups.ts';
import { readBackupContext, unreadableContext, unsafeEntries } from './backupChecking.ts';

export interface RestoreResult {
  readonly restoredFrom: string;
  readonly safetyBackup: string;
  readonly contexts: { context: string; changed: number }[];
}

/** Under the lock: the backup, checked as restorable for these contexts (all of them when undefined). */
export function restorableBackup(engine: Engine, id: string, contexts: readonly string[] | undefined): { info: BackupInfo; wanted: string[] } {
  const found = findBackup(engine, id);
  const unsafe = unsafeEntries(found);
  if (unsafe.length > 0) {
    throw new EngineError('CORRUPT', `Backup ${id} cannot be restored: ${unsafe.join('; ')}. Nothing was restored or changed.`, {
      file: path.join(rootPaths(engine.layout).backups, id, MANIFEST),
      kept: 'Nothing was changed.',
    });
  }
  const names = contexts ? [...contexts] : contextsOf(found);
  for (const context of names) {
    if (!found.files.some((f) => f.context === context && (f.role === 'context' || f.role === 'journal'))) throw new EngineError('NOT_FOUND', `Backup ${id} holds no context ${context}. Nothing was changed.`, { kept: 'Nothing was changed.' });
    const problem = unreadableContext(engine, found, context);
    if (problem) throw new EngineError('CORRUPT', `Backup ${id} is damaged for context ${context}: ${problem}. Nothing was restored or changed.`, { kept: 'Nothing was changed.' });
  }
  return { info: found, wanted: names };
}

/**
 * Restores contexts as a backup holds them, after backing up what is there now. Several
 * contexts are restored as one change (intent-logged, like a move): all of them or none.
 */
export async function restoreBackup(engine: Engine, id: string, contexts?: string[], options: { now?: Date } = {}): Promise<RestoreResult> {
  contexts?.forEach(validateContextName);
  if (engine.readOnly) throw new EngineError('READ_ONLY', `Cannot restore: ${engine.readOnlyReason}.`, { kept: 'Nothing was changed.' });
  const { info, wanted, safety, marks } = await engine.withLock(() => {
    const { info: found, wanted: names } = restorableBackup(engine, id, contexts);
    loadBeforeSafetyBackup(engine, names);
    const made = createBackupUnderLock(engine, `before restoring ${id}`, { kind: 'before-restore', ...(options.now ? { now: options.now } : {}) });
    return { info: found, wanted: names, safety: made, marks: markJournals(engine, names) };
  });
  const builders = wanted.map((context, i) => {
    const build = (state: RecordSet) => {
      // Anything committed since the safety backup would be replaced, and is in no backup.
      refuseIfChangedSince(engine, marks[i] as JournalMark, safety.id, 'all');
      const parsed = readBackupContext(engine, info, context);
      if (!parsed) throw new EngineError('CORRUPT', `Backup ${id} could not be read for ${context}.`);
      const keys = new Set(parsed.map.keys());
      // Each chart's step-number mark kept as high as it is now (stepNumbers.ts).
      return { puts: withStepNumbersKept(state, [...parsed.map.values()]), deletes: [...state.keys()].filter((key) => !keys.has(key)), verbatim: true, order: parsed.map.keys() };
    };
    return [context, build] as const;
  });
  const note = `restored from backup ${id} (what it replaced is in backup ${safety.id})`;
  const results =
    builders.length === 1
      ? { [wanted[0] as string]: await engine.transact(wanted[0] as string, (state) => builders[0]![1](state), { origin: 'restore', note }) }
      : await engine.transactAcross(builders, { origin: 'restore', note });
  await takeUpRetiredNames(engine, wanted);
  const restored = wanted.map((context) => ({ context, changed: results[context]?.changed ?? 0 }));
  for (const r of restored) {
    try {
      engine.recovery.log(`restored context ${r.context} from backup ${id}: ${r.changed} records changed; the state before is in backup ${safety.id}`);
    } catch {
      // the restore is done and journaled; only its log line is missing
    }
  }
  try {
    await engine.flush();
  } catch {
    // The restore is durable in the journals; the context files are rewritten on the next try.
  }
  return { restoredFrom: id, safetyBackup: safety.id, contexts: restored };
}

/**
 * After a restore's commit: a context restored under a name retired since the backup (renamed,
 * merged or deleted away) is that context again. Its retired note goes (a file set aside
 * meanwhile taken in first): left, the next context operation would move the restored records on
 * to where the rename went. A merge not yet known to be done keeps its note. Only after the
 * commit, so that a restore that fails or stops leaves the name retired; a failure here leaves
 * the note (logged): the restore is done and saved, and is not reported as failed.
 */
export async function takeUpRetiredNames(engine: Engine, contexts: readonly string[]): Promise<void> {
  try {
    await engine.withLock(() => {
      for (const context of contexts) {
        const note = readRetiredNote(engine.fs, engine.layout, context);
        if (!note || note.pending) continue;
        takeUpRetiredName(engine, context);
      }
    });
  } catch (error) {
    try {
      engine.recovery.log(`restored ${contexts.join(', ')}, but a retired note could not be taken away (${(error as Error).message}): the next context operation may move the restored records on; restore again once the disk is fine`);
    } catch {
      // only the log line is missing
    }
  }
}
