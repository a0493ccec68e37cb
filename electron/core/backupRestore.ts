// Restoring from a backup, seen before it is done: what a backup holds of a context or of one
// chart, beside what is there today, and what restoring would add, change and remove. The
// preview and the restore build the change with the same function, so the preview is what the
// restore does. Restoring one chart (with its sub-charts) is a change of that chart only,
// journaled (origin `restore`) after a backup of everything as it is now; restoring from that
// safety backup undoes it.
import type { Engine } from './engine.ts';
import { EngineError } from './errors.ts';
import { validateContextName } from './dataRoot.ts';
import { RecordSet } from './recordSet.ts';
import type { StoredRecord } from './records.ts';
import type { PendingChanges } from './contextStore.ts';
import { createBackupUnderLock, type BackupInfo } from './backups.ts';
import { readBackupContext } from './backupChecking.ts';
import { restorableBackup, takeUpRetiredNames } from './backupRestoring.ts';
import { loadBeforeSafetyBackup, markJournals, refuseIfChangedSince, type JournalMark } from './backupJournalMark.ts';
import { chartIndexOf, readTree, resolveChartId } from './charts/chartModel.ts';
import { summarizeCharts } from './charts/chartSummaries.ts';
import { subtreeKeys } from './charts/chartEdits.ts';
import type { ChartSummary } from '../../shared/domain.ts';
import type { ChartDifference, RestorePreview } from '../../shared/backupTypes.ts';
import { withStepNumbersKept } from './charts/stepNumbers.ts';

// The preview's shape is the contract's (shared/backupTypes.ts): one definition for engine and panel.
export type { ChartDifference, RestorePreview };

function recordSetOf(records: Iterable<StoredRecord>): RecordSet {
  const set = new RecordSet();
  for (const record of records) set.set(record);
  return set;
}

/** The records of a chart and its sub-charts, alone. */
function subtreeOf(state: RecordSet, id: string | undefined): RecordSet {
  return recordSetOf(id === undefined ? [] : [...subtreeKeys(state, id)].flatMap((key) => state.get(key) ?? []));
}

/** The backup's version of a context as records (a backup that lacks it holds an empty one). */
function backupState(engine: Engine, info: BackupInfo, context: string): RecordSet {
  const parsed = readBackupContext(engine, info, context);
  if (!parsed) throw new EngineError('CORRUPT', `Backup ${info.id} could not be read for context ${context}.`, { kept: 'Nothing was changed.' });
  return recordSetOf(parsed.map.values());
}

/**
 * The change that makes a chart (with every chart telescoped from it) what the backup holds:
 * its records as there, and its records of today that the backup lacks removed.
 */
function chartRestoreChange(backup: RecordSet, today: RecordSet, chartId: string, backupId: string, context: string): PendingChanges & { resolved: string } {
  const resolved = resolveChartId(backup, chartId);
  if (!resolved) throw new EngineError('NOT_FOUND', `Backup ${backupId} holds no chart ${JSON.stringify(chartId)} in context ${context}. Nothing was changed.`, { kept: 'Nothing was changed.' });
  const wanted = subtreeKeys(backup, resolved);
  const present = resolveChartId(today, resolved);
  const current = present ? subtreeKeys(today, present) : new Set<string>();
  const puts = [...wanted].flatMap((key) => {
    const record = backup.get(key);
    return record && today.get(key)?.raw !== record.raw ? [record] : [];
  });
  const deletes = [...current].filter((key) => !wanted.has(key));
  return { puts, deletes, verbatim: true, resolved };
}

/** The change that makes a whole context what the backup holds (as restoreBackup commits it). */
function contextRestoreChange(backup: RecordSet, today: RecordSet): PendingChanges {
  const puts = [...backup.values()].filter((record) => today.get(record.key)?.raw !== record.raw);
  const deletes = [...today.keys()].filter((key) => !backup.has(key));
  return { puts, deletes, verbatim: true };
}

function countChanges(change: PendingChanges, today: RecordSet, total: number) {
  const added = change.puts.filter((r) => !today.has(r.key)).length;
  const changed = change.puts.length - added;
  return { added, changed, removed: change.deletes.length, unchanged: total - added - changed };
}

function chartDifferences(backup: RecordSet, today: RecordSet, context: string): ChartDifference[] {
  const before = new Map<string, ChartSummary>(summarizeCharts(backup, context).map((c) => [c.id, c]));
  const now = new Map<string, ChartSummary>(summarizeCharts(today, context).map((c) => [c.id, c]));
  const differences: ChartDifference[] = [];
  const rawsOf = (state: RecordSet, id: string) => {
    const keys = [...subtreeKeys(state, id, chartIndexOf(state))].sort();
    return keys.map((key) => `${key}\n${state.get(key)?.raw ?? ''}`).join('\n');
  };
  for (const [id, chart] of before) {
    if (!now.has(id)) differences.push({ id, desiredOutcome: chart.desiredOutcome, change: 'restored' });
    else if (rawsOf(backup, id) !== rawsOf(today, id)) differences.push({ id, desiredOutcome: chart.desiredOutcome, change: 'changed' });
  }
  for (const [id, chart] of now) if (!before.has(id)) differences.push({ id, desiredOutcome: chart.desiredOutcome, change: 'removed' });
  return differences.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** What restoring `context` (or one chart of it) from the backup would do; nothing is changed. */
export async function previewRestore(engine: Engine, backupId: string, context: string, chartId?: string): Promise<RestorePreview> {
  validateContextName(context);
  return engine.read(context, (today) => {
    const { info } = restorableBackup(engine, backupId, [context]);
    const backup = backupState(engine, info, context);
    const head = { backup: { id: info.id, created: info.created, kind: info.kind, verified: info.check ? info.check.ok : null }, context };
    if (chartId === undefined) {
      const change = contextRestoreChange(backup, today);
      return { ...head, records: countChanges(change, today, backup.size), charts: chartDifferences(backup, today, context) };
    }
    const change = chartRestoreChange(backup, today, chartId, info.id, context);
    const inBackup = readTree(backup, change.resolved, context);
    const present = resolveChartId(today, change.resolved);
    const todayTree = present ? readTree(today, present, context) : undefined;
    const total = subtreeKeys(backup, change.resolved).size;
    return {
      ...head,
      chartId: change.resolved,
      ...(inBackup ? { inBackup } : {}),
      ...(todayTree ? { today: todayTree } : {}),
      records: countChanges(change, today, total),
      charts: chartDifferences(subtreeOf(backup, change.resolved), subtreeOf(today, present), context),
    };
  });
}

export interface ChartRestoreResult {
  readonly restoredFrom: string;
  /** Holds everything as it was before: restoring this chart from it undoes the restore. */
  readonly safetyBackup: string;
  readonly context: string;
  readonly chartId: string;
  readonly changed: number;
}

/**
 * Restores one chart, with its sub-charts, as the backup holds it, after backing up everything
 * as it is now. Other charts of the context are not touched.
 */
export async function restoreChartFromBackup(engine: Engine, backupId: string, context: string, chartId: string, options: { now?: Date } = {}): Promise<ChartRestoreResult> {
  validateContextName(context);
  if (engine.readOnly) throw new EngineError('READ_ONLY', `Cannot restore: ${engine.readOnlyReason}.`, { kept: 'Nothing was changed.' });
  const { info, safety, mark } = await engine.withLock(() => {
    const found = restorableBackup(engine, backupId, [context]).info;
    // Refused before the safety backup is made: a chart the backup lacks is not a reason to write anything.
    const held = resolveChartId(backupState(engine, found, context), chartId);
    if (!held) throw new EngineError('NOT_FOUND', `Backup ${backupId} holds no chart ${JSON.stringify(chartId)} in context ${context}. Nothing was changed.`, { kept: 'Nothing was changed.' });
    loadBeforeSafetyBackup(engine, [context]);
    const made = createBackupUnderLock(engine, `before restoring chart ${chartId} from ${backupId}`, { kind: 'before-restore', ...(options.now ? { now: options.now } : {}) });
    return { info: found, safety: made, mark: markJournals(engine, [context])[0] as JournalMark };
  });
  let resolved = chartId;
  const result = await engine.transact(
    context,
    (today) => {
      const change = chartRestoreChange(backupState(engine, info, context), today, chartId, info.id, context);
      // A change since the safety backup to a record of this chart (as it is now or as restored)
      // would be replaced, and is in no backup; one to another chart is kept by the restore.
      const present = resolveChartId(today, change.resolved);
      refuseIfChangedSince(engine, mark, safety.id, new Set([...change.puts.map((r) => r.key), ...change.deletes, ...(present ? subtreeKeys(today, present) : [])]));
      resolved = change.resolved;
      // The chart's step-number marks kept as high as they are now (stepNumbers.ts).
      return { puts: withStepNumbersKept(today, change.puts), deletes: change.deletes, verbatim: true };
    },
    { origin: 'restore', note: `restored chart ${chartId} from backup ${info.id} (what it replaced is in backup ${safety.id})` },
  );
  await takeUpRetiredNames(engine, [context]);
  try {
    engine.recovery.log(`restored chart ${resolved} of context ${context} from backup ${info.id}: ${result.changed} records changed; the state before is in backup ${safety.id}`);
  } catch {
    // the restore is done and journaled; only its log line is missing
  }
  return { restoredFrom: info.id, safetyBackup: safety.id, context, chartId: resolved, changed: result.changed };
}
