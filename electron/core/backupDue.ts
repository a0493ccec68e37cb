// What the schedule does at one moment (`tension backup due`, and the app's timer through
// backupScheduler.ts): take one backup filling every slot that is due, then remove what the
// retention policy does not keep. The backup is begun under the lock and stored outside it, a
// slice at a time (backupCreation.ts: at 100k charts, seconds in which the app answers and other
// processes commit); its unfinished folder claims the slots it fills, so two processes checking
// at the same moment never both take the same slot (backupInProgress.ts).
import type { Engine } from './engine.ts';
import { EngineError, fromSystemError } from './errors.ts';
import { listBackups, type BackupInfo, type BackupProgress, type SlotKind } from './backups.ts';
import { beginBackupOutsideLock, finishBegunBackup } from './backupCreation.ts';
import { slotsBeingTaken } from './backupInProgress.ts';
import { rootPaths } from './dataRoot.ts';
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
  /** The pause between the backup's slices (CreateBackupOptions.slicePause): tests hold it half-way. */
  readonly slicePause?: () => Promise<void>;
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

export async function runDueBackups(engine: Engine, options: DueOptions = {}): Promise<DueReport> {
  if (engine.readOnly) throw new EngineError('READ_ONLY', `Cannot take scheduled backups: ${engine.readOnlyReason}.`, { kept: 'Nothing was changed.' });
  const now = options.now ?? new Date();
  const calendar = options.calendar ?? localCalendar;
  const warnings: string[] = [];
  const pruned: string[] = [];
  let freedBytes = 0;
  const prune = (policy: BackupPolicy) => {
    const result = pruneByPolicyUnderLock(engine, { now, calendar, policy });
    pruned.push(...result.removed);
    freedBytes += result.freedBytes;
    return result.verdicts;
  };
  const backupOptions = { now, ...(options.freeBytes ? { freeBytes: options.freeBytes } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.slicePause ? { slicePause: options.slicePause } : {}) };
  let failure: EngineError | undefined;
  const failed = (error: unknown) => (failure = error instanceof EngineError ? error : fromSystemError(error, 'Taking the scheduled backup', engine.layout.root, 'Every earlier backup is kept.'));
  // Under the lock: what is due (less the slots a backup being stored now fills), and that
  // backup begun; stored outside the lock (finishBegunBackup), then the rest under it again.
  const { due, begun } = await engine.withLock(() => {
    const stored = readPolicy(engine);
    if (stored.problem) warnings.push(stored.problem);
    const beingTaken = slotsBeingTaken(engine.fs, rootPaths(engine.layout).backups);
    // A claim is judged as a finished backup is: its time's period by this calendar.
    const claimed = (kind: SlotKind) => beingTaken.some((claim) => claim.kinds.includes(kind) && calendar.period(kind, claim.created) === calendar.period(kind, now.getTime()));
    const due = dueSlots(stored.policy, readStamp(engine), listBackups(engine), now, calendar).filter((kind) => !claimed(kind));
    if (due.length === 0) return { due, begun: undefined };
    // What the policy already lets go is removed first: on a nearly full disk that is room for the new backup.
    prune(stored.policy);
    try {
      return { due, begun: beginBackupOutsideLock(engine, `scheduled: ${due.join(', ')}`, { kinds: due, ...backupOptions }) };
    } catch (error) {
      failed(error);
      return { due, begun: undefined };
    }
  });
  let taken: BackupInfo | undefined;
  if (begun) {
    try {
      taken = await finishBegunBackup(engine, begun, backupOptions);
    } catch (error) {
      failed(error);
    }
  }
  return engine.withLock(() => {
    const policy = readPolicy(engine).policy;
    const stamp = readStamp(engine);
    // The plain copies follow the newest daily and weekly backups (also after a check that was
    // interrupted before it wrote them), then the note of what was taken is saved.
    const named = refreshNamedCopiesUnderLock(engine, listBackups(engine), stamp.copies ?? {}, now);
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
    const verdicts = prune(policy);
    const report: DueReport = { now: now.toISOString(), policy, due, taken, pruned, freedBytes, verdicts, copies: named.written, warnings };
    if (failure) throw new DueBackupFailed(failure, report);
    return report;
  });
}
