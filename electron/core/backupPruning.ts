// Pruning by the retention policy, and its preview: the same verdicts (backupRetention.ts) are
// shown before a policy is saved and carried out after each scheduled backup.
import type { Engine } from './engine.ts';
import { EngineError } from './errors.ts';
import { listBackups } from './backups.ts';
import { listBackupsWithLastGoodChecked, removeBackupsUnderLock } from './backupRemoval.ts';
import { readPolicy, type BackupPolicy } from './backupPolicy.ts';
import { planRetention, safetyExpiryAfter, type RetentionVerdict } from './backupRetention.ts';
import { readSafetyExpiry, writeSafetyExpiry } from './backupSafetyExpiry.ts';
import { localCalendar, type Calendar } from './backupCalendar.ts';

export interface PruneResult {
  readonly removed: readonly string[];
  readonly freedBytes: number;
  /** The verdict on every backup that was listed, newest first. */
  readonly verdicts: readonly RetentionVerdict[];
}

/** Under the lock: removes what the policy (the root's own unless given) does not keep. */
export function pruneByPolicyUnderLock(engine: Engine, options: { now?: Date; calendar?: Calendar; policy?: BackupPolicy } = {}): PruneResult {
  if (engine.readOnly) throw new EngineError('READ_ONLY', `Cannot remove backups: ${engine.readOnlyReason}.`, { kept: 'Nothing was changed.' });
  const policy = options.policy ?? readPolicy(engine).policy;
  const now = options.now ?? new Date();
  const expirySeen = readSafetyExpiry(engine);
  const plan = (list: Parameters<typeof planRetention>[0]) => planRetention(list, policy, now, options.calendar ?? localCalendar, expirySeen);
  let verdicts = plan(listBackups(engine));
  // Before removing anything, the backup kept as the last good one is verified again.
  if (verdicts.some((v) => !v.keep)) verdicts = plan(listBackupsWithLastGoodChecked(engine, now));
  const doomed = verdicts.filter((v) => !v.keep).map((v) => v.id);
  const { removed, freedBytes } = removeBackupsUnderLock(engine, doomed);
  writeSafetyExpiry(engine, expirySeen, safetyExpiryAfter(listBackups(engine), now, expirySeen));
  return { removed, freedBytes, verdicts };
}

export function pruneByPolicy(engine: Engine, options: { now?: Date; calendar?: Calendar } = {}): Promise<PruneResult> {
  if (engine.readOnly) return Promise.reject(new EngineError('READ_ONLY', `Cannot remove backups: ${engine.readOnlyReason}.`, { kept: 'Nothing was changed.' }));
  return engine.withLock(() => pruneByPolicyUnderLock(engine, options));
}

/** What a policy would keep and remove of the backups there now (nothing is changed). */
export function previewPolicy(engine: Engine, policy: BackupPolicy, options: { now?: Date; calendar?: Calendar } = {}): RetentionVerdict[] {
  return planRetention(listBackups(engine), policy, options.now ?? new Date(), options.calendar ?? localCalendar, readSafetyExpiry(engine));
}
