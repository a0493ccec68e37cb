// The backup, "recently deleted" and recovery channels of the IPC contract (the backups panel,
// the Recently deleted view and the recovery wizard use them), spread into `channels` in
// contract.ts. The older backups.list/create/verify/restore and recovery.run stay there.
import { z } from 'zod';
import { channel, contextName } from './contractPieces.ts';
import type {
  BackupCheckResult,
  BackupOverview,
  DeletedEntry,
  DeletedRestored,
  PolicyView,
  QuarantinedEntry,
  RecoveryAnalysisView,
  RecoveryOutcomeView,
  RestoreDone,
  RestorePreview,
  ScheduledCheckView,
} from './backupTypes.ts';

const backupId = z.string().min(1).max(100).regex(/^[0-9A-Za-z.-]+$/, 'a backup id as the backup list gives it');
/** A chart id or entity name, as the chart list gives it. */
const chartId = z.string().min(1).max(1_000);
/** How many backups of a kind to keep (0 keeps none of that kind; the newest verified one is kept anyway). */
const count = z.number().int().min(0).max(10_000);
const policy = { keepDaily: count, keepWeekly: count, keepMonthly: count };
/** `<context>@<journal entry>.<n>`, as deleted.list gives it. */
const deletedId = z.string().min(3).max(200);
/** A file name inside .recovery/, as recovery.files lists it. */
const recoveryFile = z.string().min(1).max(255);

export const backupChannels = {
  /** The backups panel: every backup (kind, slots, bytes new and shared, verified), when the last ran and last verified, the policy, the timers. */
  'backups.overview': channel<BackupOverview>()(z.strictObject({})),
  /** Checks every backup against its checksums (backup.progress events as it goes); the result is kept beside each. */
  'backups.verifyAll': channel<{ ok: boolean; backups: BackupCheckResult[] }>()(z.strictObject({})),
  /** The retention policy of this data folder, with what it keeps and removes of the backups there now. */
  'backups.policy': channel<PolicyView>()(z.strictObject({})),
  /** What a policy would keep and remove, without saving it. */
  'backups.policyPreview': channel<PolicyView>()(z.strictObject(policy)),
  /** Saves the policy (pruning follows at the schedule's next check). */
  'backups.setPolicy': channel<PolicyView>()(z.strictObject(policy)),
  /** What restoring a context (or one chart with its sub-charts) from a backup would do: that backup's version beside today's. Nothing is changed. */
  'backups.restorePreview': channel<RestorePreview>()(z.strictObject({ id: backupId, context: contextName, chartId: chartId.optional() })),
  /** Restores a whole context (chartId absent) or one chart with its sub-charts, after backing up everything as it is now. */
  'backups.restoreFrom': channel<RestoreDone>()(z.strictObject({ id: backupId, context: contextName, chartId: chartId.optional() })),
  /** Undoes a restore: puts the context (or the chart) back as the restore's safety backup holds it. */
  'backups.undoRestore': channel<RestoreDone>()(z.strictObject({ safetyBackup: backupId, context: contextName, chartId: chartId.optional() })),

  /** Every chart, step, observation and entity removed in the last `days` days (default 30), newest first. */
  'deleted.list': channel<DeletedEntry[]>()(z.strictObject({ days: z.number().int().min(1).max(3_650).optional(), context: contextName.optional() })),
  /** Puts a deleted thing back (with its sub-charts) as a new change. */
  'deleted.restore': channel<DeletedRestored>()(z.strictObject({ id: deletedId })),

  /** The wizard's first three steps for one context: what was found, where each record can come from, the repair's preview. Nothing is changed. */
  'recovery.analyze': channel<RecoveryAnalysisView>()(z.strictObject({ context: contextName })),
  /** The wizard's choice: repair, restore from a chosen backup, or leave it; a backup of the current state first unless backupFirst is false. */
  'recovery.apply': channel<RecoveryOutcomeView>()(
    z
      .strictObject({ context: contextName, action: z.enum(['repair', 'restore', 'leave']), backup: backupId.optional(), backupFirst: z.boolean().optional() })
      .refine((i) => (i.action === 'restore') === (i.backup !== undefined), { message: 'a backup is named exactly when the choice is to restore from it', path: ['backup'] }),
  ),
  /** Repairs made on their own since the app started (nothing could be lost), to show afterwards, and the contexts the last check found damaged. */
  'recovery.automatic': channel<ScheduledCheckView>()(z.strictObject({})),
  /** The files of .recovery/: damaged bytes set aside, what could be read of them, the logs. */
  'recovery.files': channel<QuarantinedEntry[]>()(z.strictObject({})),
  /** One file of .recovery/ as escaped text (the first 64 KB). */
  'recovery.readFile': channel<{ name: string; bytes: number; text: string; truncated: boolean }>()(z.strictObject({ name: recoveryFile })),
} as const;

export type BackupChannelName = keyof typeof backupChannels;
