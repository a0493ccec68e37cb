// What the schedule does at one moment (`tension backup due`, and the app's timer through
// backupScheduler.ts): take one backup filling every slot that is due, then remove what the
// retention policy does not keep. All of it under one hold of the lock, so two processes
// checking at the same moment never both take the same slot.
import type { Engine } from './engine.ts';
import { EngineError, fromSystemError } from './errors.ts';
import { createBackupUnderLock, listBackups, type BackupInfo, type BackupProgress, type SlotKind } from './backups.ts';
import { readPolicy, type BackupPolicy } from './backupPolicy.ts';
import { dueSlots, readStamp, stampAfter, writeStampUnderLock } from './backupSchedule.ts';
import { refreshNamedCopiesUnderLock } from './backupNamedCopies.ts';
import { pruneByPolicyUnderLock } from './backupPruning.ts';
import { localCalendar, type Calendar } from './backupCalendar.ts';
import type { RetentionVerdict } from './backupRetention.ts';
import type { FreeSpaceProbe } from './freeSpace.ts';

export interface DueOptions {
  /** The moment to act at (default: now). */
  readonly now?: Date;
  readonly calendar?: Calendar;
  readonly freeBytes?: FreeSpaceProbe;
  readonly onProgress?: (progress: BackupProgress) => void;
}

export interface DueReport {
  readonly now: string;
  readonly policy: BackupPolicy;
  /** The slots that were due; the backup taken fills all of them. */
  readonly due: readonly SlotKind[];
  readonly taken: BackupInfo | undefined;
  /** Backups removed by the policy (and unfinished folders swept). */
  readonly pruned: readonly string[];
  readonly freedBytes: number;
  /** The verdict on every backup after this run, newest first. */
  readonly verdicts: readonly RetentionVerdict[];
  /** Plain copies refreshed (backupNamedCopies.ts). */
  readonly copies: readonly string[];
  /** Things to tell the person that did not stop the run (a copy not refreshed, an unusable policy file). */
  readonly warnings: readonly string[];
}

/** A backup that was due but could not be taken; the policy was still applied to what is there. */
export class DueBackupFailed extends EngineError {
  constructor(
    readonly failure: EngineError,
    readonly report: DueReport,
  ) {
    super(failure.code, failure.message, { file: failure.file, kept: failure.kept, cause: failure });
  }
}

export function runDueBackups(engine: Engine, options: DueOptions = {}): Promise<DueReport> {
  if (engine.readOnly) return Promise.reject(new EngineError('READ_ONLY', `Cannot take scheduled backups: ${engine.readOnlyReason}.`, { kept: 'Nothing was changed.' }));
  const now = options.now ?? new Date();
  const calendar = options.calendar ?? localCalendar;
  return engine.withLock(() => {
    const warnings: string[] = [];
    const stored = readPolicy(engine);
    if (stored.problem) warnings.push(stored.problem);
    const policy = stored.policy;
    const stamp = readStamp(engine);
    const due = dueSlots(policy, stamp, listBackups(engine), now, calendar);
    const pruned: string[] = [];
    let freedBytes = 0;
    const prune = () => {
      const result = pruneByPolicyUnderLock(engine, { now, calendar, policy });
      pruned.push(...result.removed);
      freedBytes += result.freedBytes;
      return result.verdicts;
    };
    let taken: BackupInfo | undefined;
    let failure: EngineError | undefined;
    let copies: string[] = [];
    if (due.length > 0) {
      // What the policy already lets go is removed first: on a nearly full disk that is room for the new backup.
      prune();
      try {
        taken = createBackupUnderLock(engine, `scheduled: ${due.join(', ')}`, { kinds: due, now, ...(options.freeBytes ? { freeBytes: options.freeBytes } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
      } catch (error) {
        failure = error instanceof EngineError ? error : fromSystemError(error, 'Taking the scheduled backup', engine.layout.root, 'Every earlier backup is kept.');
      }
    }
    // The plain copies follow the newest daily and weekly backups (also after a check that was
    // interrupted before it wrote them), then the note of what was taken is saved.
    const named = refreshNamedCopiesUnderLock(engine, listBackups(engine), stamp.copies ?? {}, now);
    copies = named.written;
    warnings.push(...named.problems);
    const next = { ...(taken ? stampAfter(stamp, due, now, calendar) : stamp), copies: named.made };
    if (JSON.stringify(next) !== JSON.stringify(stamp)) {
      try {
        writeStampUnderLock(engine, next);
      } catch (error) {
        // Each backup says which slots it filled: the schedule still knows they are taken.
        warnings.push(`The schedule's note of what was taken was not saved (${(error as Error).message}); ${taken ? `backup ${taken.id} records it too` : 'the backups record it too'}.`);
      }
    }
    const verdicts = prune();
    const report: DueReport = { now: now.toISOString(), policy, due, taken, pruned, freedBytes, verdicts, copies, warnings };
    if (failure) throw new DueBackupFailed(failure, report);
    return report;
  });
}
