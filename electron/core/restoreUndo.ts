// Undoing a restore from a backup. Every restore first backs up everything as it was (its
// "safety" backup), so the undo is a restore from that backup: the context as it was, or the
// chart (with its sub-charts) as it was. A chart the safety backup lacks did not exist before
// the restore brought it back: undoing then removes it (and its sub-charts) again, after a
// backup of its own, as a journaled change like any other.
import type { Engine } from './engine.ts';
import { EngineError } from './errors.ts';
import { validateContextName } from './dataRoot.ts';
import { createBackupUnderLock, findBackup } from './backups.ts';
import { readBackupContext } from './backupChecking.ts';
import { restoreBackup } from './backupRestoring.ts';
import { restoreChartFromBackup } from './backupRestore.ts';
import { loadBeforeSafetyBackup, markJournals, refuseIfChangedSince, type JournalMark } from './backupJournalMark.ts';
import { RecordSet } from './recordSet.ts';
import { resolveChartId } from './charts/chartModel.ts';
import { subtreeKeys } from './charts/chartEdits.ts';

export interface UndoneRestore {
  readonly context: string;
  readonly chartId?: string;
  /** The safety backup the state was taken back from. */
  readonly restoredFrom: string;
  /** The state just before the undo (undoing the undo restores from it). */
  readonly safetyBackup: string;
  readonly changed: number;
}

export async function undoRestore(engine: Engine, safetyBackup: string, context: string, chartId?: string): Promise<UndoneRestore> {
  validateContextName(context);
  if (chartId === undefined) {
    const result = await restoreBackup(engine, safetyBackup, [context]);
    return { context, restoredFrom: safetyBackup, safetyBackup: result.safetyBackup, changed: result.contexts[0]?.changed ?? 0 };
  }
  const info = findBackup(engine, safetyBackup);
  const held = readBackupContext(engine, info, context);
  // A backup that holds the context but cannot be read must never read as "the chart was not there".
  if (!held && info.files.some((f) => f.context === context && (f.role === 'context' || f.role === 'journal'))) {
    throw new EngineError('CORRUPT', `Backup ${safetyBackup} cannot be read for context ${context}, so the restore cannot be undone from it. Nothing was changed.`, { kept: 'Nothing was changed.' });
  }
  const before = new RecordSet();
  for (const record of held?.map.values() ?? []) before.set(record);
  if (resolveChartId(before, chartId) !== undefined) {
    const result = await restoreChartFromBackup(engine, safetyBackup, context, chartId);
    return { context, chartId: result.chartId, restoredFrom: safetyBackup, safetyBackup: result.safetyBackup, changed: result.changed };
  }
  // The chart was not there before the restore: the undo removes it again.
  if (engine.readOnly) throw new EngineError('READ_ONLY', `Cannot undo the restore: ${engine.readOnlyReason}.`, { kept: 'Nothing was changed.' });
  // Checked before the backup of the undo is made: nothing to remove is not a reason to write anything.
  const there = await engine.read(context, (state) => resolveChartId(state, chartId) !== undefined);
  if (!there) throw new EngineError('NOT_FOUND', `Chart ${chartId} is not in context ${context}: there is no restore of it to undo. Nothing was changed.`, { kept: 'Nothing was changed.' });
  const { safety, mark } = await engine.withLock(() => {
    loadBeforeSafetyBackup(engine, [context]);
    const made = createBackupUnderLock(engine, `before undoing the restore of chart ${chartId}`, { kind: 'before-restore' });
    return { safety: made, mark: markJournals(engine, [context])[0] as JournalMark };
  });
  const result = await engine.transact(
    context,
    (state) => {
      const present = resolveChartId(state, chartId);
      if (present === undefined) throw new EngineError('NOT_FOUND', `Chart ${chartId} is not in context ${context} any more: there is nothing to undo. Nothing was changed.`, { kept: 'Nothing was changed.' });
      const deletes = [...subtreeKeys(state, present)];
      // A change to this chart since the safety backup would go with it, and is in no backup.
      refuseIfChangedSince(engine, mark, safety.id, new Set(deletes));
      return { puts: [], deletes };
    },
    { origin: 'restore', note: `undid the restore of chart ${chartId}: it was not there before (what it removed is in backup ${safety.id})` },
  );
  return { context, chartId, restoredFrom: safetyBackup, safetyBackup: safety.id, changed: result.changed };
}
