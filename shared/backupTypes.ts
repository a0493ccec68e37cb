// What the backup, "recently deleted" and recovery channels return, as both sides see it. Pure
// TypeScript: the main process fills these from electron/core (backupListing.ts,
// backupRestore.ts, recentlyDeleted.ts, recoveryAnalysis.ts, recoveryChoice.ts, quarantine.ts),
// and electron/ipc/backupHandlers.ts is typed against them, so a field the engine drops or
// renames is a compile error there, not a blank in the panel.
import type { ChartSummary, ChartTree } from './domain.ts';

/** The slots of the schedule. */
export type SlotKind = 'daily' | 'weekly' | 'monthly';
/** Why a backup was made: a slot of the schedule, by hand, or as a safety copy before a change. */
export type BackupKind = SlotKind | 'manual' | 'before-restore' | 'before-recovery' | 'before-upgrade';

export interface BackupEntry {
  readonly id: string;
  readonly created: string;
  readonly kind: BackupKind;
  /** The schedule's slots it filled (a daily backup may also be the week's and the month's). */
  readonly kinds: readonly SlotKind[];
  readonly reason: string;
  readonly contexts: readonly string[];
  readonly files: number;
  /** The size of the data it holds. */
  readonly bytes: number;
  /** What it stored that no earlier backup had (what it cost when it was made). */
  readonly newBytes: number;
  /** What it shares with earlier backups (bytes − newBytes). */
  readonly sharedBytes: number;
  /** What no other backup listed now holds: the room removing it would free. */
  readonly uniqueBytes: number;
  /** true: its last check verified; false: it found damage; null: never checked (a backup of format 1). */
  readonly verified: boolean | null;
  readonly verifiedAt?: string;
  readonly problems: readonly string[];
  readonly format: number;
}

export interface BackupPolicy {
  readonly keepDaily: number;
  readonly keepWeekly: number;
  readonly keepMonthly: number;
}

export interface RetentionVerdict {
  readonly id: string;
  readonly created: string;
  readonly kind: BackupKind;
  readonly keep: boolean;
  /** Why it is kept: "daily 1" (the newest day), "weekly 2", "the newest verified backup", … Empty when it goes. */
  readonly reasons: readonly string[];
}

export interface PolicyView {
  readonly policy: BackupPolicy;
  /** False when the defaults apply (no policy saved in this data folder). */
  readonly stored: boolean;
  readonly saved: boolean;
  readonly file: string;
  readonly problem?: string;
  /** What the policy keeps and removes of the backups there now, newest first. */
  readonly verdicts: readonly RetentionVerdict[];
}

export interface SchedulerView {
  readonly running: boolean;
  readonly nextCheckAt?: string;
  /** The last scheduled backup that failed (a full disk, a folder that cannot be written), until one succeeds. */
  readonly lastError?: { readonly code: string; readonly message: string };
  readonly failures: number;
}

export interface VerificationView {
  /** When the scheduled verification of the contexts last ran, and when it runs next. */
  readonly lastRunAt?: string;
  readonly nextRunAt?: string;
}

export interface BackupOverview {
  readonly backups: readonly BackupEntry[];
  readonly lastBackup?: { readonly id: string; readonly created: string; readonly kind: BackupKind };
  readonly lastVerified?: { readonly id: string; readonly at: string };
  readonly damaged: readonly string[];
  /** Bytes the backups take on disk (shared pieces counted once). */
  readonly storedBytes: number;
  readonly policy: BackupPolicy;
  readonly policyProblem?: string;
  /** Slots due now. */
  readonly due: readonly SlotKind[];
  /** Absent where no timer runs (the CLI, a folder opened read-only). */
  readonly scheduler?: SchedulerView;
  readonly verification?: VerificationView;
}

export interface BackupCheckResult {
  readonly id: string;
  readonly ok: boolean;
  readonly problems: readonly string[];
}

export interface ChartDifference {
  readonly id: string;
  readonly desiredOutcome: string;
  /** What restoring does to it: brings it back, removes it (it is newer than the backup), or changes it. */
  readonly change: 'restored' | 'removed' | 'changed';
}

export interface RestorePreview {
  readonly backup: { readonly id: string; readonly created: string; readonly kind: BackupKind; readonly verified: boolean | null };
  readonly context: string;
  /** Set when one chart (with its sub-charts) is previewed. */
  readonly chartId?: string;
  /** The chart as that backup holds it, and as it is today (undefined where it does not exist). */
  readonly inBackup?: ChartTree;
  readonly today?: ChartTree;
  /** What restoring would do to the records: lines added, changed and removed. */
  readonly records: { readonly added: number; readonly changed: number; readonly removed: number; readonly unchanged: number };
  /** The charts that differ, with what restoring does to each (for a whole context). */
  readonly charts: readonly ChartDifference[];
}

export interface RestoreDone {
  readonly context: string;
  readonly chartId?: string;
  readonly restoredFrom: string;
  /** Holds everything as it was before: the undo restores from it. */
  readonly safetyBackup: string;
  readonly changed: number;
}

export interface DeletedEntry {
  readonly id: string;
  readonly context: string;
  readonly kind: 'chart' | 'step' | 'observation' | 'entity';
  readonly name: string;
  readonly title: string;
  readonly deletedAt: string;
  readonly origin: string;
  /** Who, in words: "this app", "the tension command", "an AI assistant (MCP)", … */
  readonly by: string;
  readonly note?: string;
  readonly chartId?: string;
  readonly subCharts: readonly string[];
  readonly observation?: string;
  /** The chart as it was just before. */
  readonly chart?: ChartTree;
  readonly records: number;
}

export interface DeletedRestored {
  readonly item: DeletedEntry;
  readonly changed: number;
}

export type RecordSource =
  | { readonly from: 'journal' }
  | { readonly from: 'context-file' }
  | { readonly from: 'backup'; readonly backup: string; readonly created: string }
  | { readonly from: 'nowhere' };

export interface SalvagedRecord {
  readonly kind: 'entity' | 'relation' | 'unknown';
  readonly name?: string;
  readonly entityType?: string;
  readonly from?: string;
  readonly to?: string;
  readonly relationType?: string;
  /** Observations whose text was whole. */
  readonly observations: readonly string[];
  /** The start of an observation cut short by the damage. */
  readonly cutObservation?: string;
  readonly metadata?: Record<string, unknown>;
}

export interface DamagedSpot {
  readonly where: 'context-file' | 'journal';
  readonly file: string;
  readonly offset: number;
  readonly length: number;
  readonly reason: string;
  /** The bytes as text, control characters and bytes that are not UTF-8 escaped. */
  readonly text: string;
  readonly truncated: boolean;
  readonly torn: boolean;
  readonly affected: readonly { readonly key?: string; readonly label: string; readonly source: RecordSource }[];
  readonly salvaged?: SalvagedRecord;
}

export interface RecoveryAnalysisView {
  readonly context: string;
  readonly file: string;
  readonly journal: string;
  readonly ok: boolean;
  readonly needsRepair: boolean;
  readonly damagedLines: readonly DamagedSpot[];
  readonly damagedJournalEntries: readonly DamagedSpot[];
  readonly journalTornTail?: { readonly offset: number; readonly bytes: number };
  readonly missingFile: boolean;
  readonly problems: readonly { readonly severity: string; readonly kind: string; readonly message: string }[];
  readonly foundInDamagedLines: readonly (SalvagedRecord & { readonly file: string; readonly offset: number })[];
  readonly preview: {
    readonly records: number;
    readonly entities: number;
    readonly relations: number;
    readonly charts: readonly ChartSummary[];
    readonly fromJournal: number;
    readonly fromBackups: readonly { readonly label: string; readonly backup: string; readonly created: string }[];
    readonly lost: number;
    readonly lines: readonly string[];
    readonly moreLines: number;
  };
  readonly needsChoice: boolean;
  readonly backups: readonly { readonly id: string; readonly created: string; readonly kind: BackupKind; readonly verified: boolean | null }[];
}

export interface QuarantinedEntry {
  readonly name: string;
  readonly path: string;
  readonly kind: 'damaged-bytes' | 'found-in-damaged-lines' | 'log' | 'other';
  readonly sourceFile?: string;
  readonly offset?: number;
  readonly savedAt?: string;
  readonly reason?: string;
  readonly bytes: number;
}

export interface RecoveryOutcomeView {
  readonly context: string;
  readonly action: 'repair' | 'restore' | 'leave';
  readonly safetyBackup?: string;
  readonly actions: readonly { readonly context: string; readonly action: string }[];
  readonly unrecovered: readonly string[];
  readonly matchesPreview?: boolean;
  readonly verified: { readonly ok: boolean; readonly findings: readonly { readonly severity: string; readonly kind: string; readonly message: string }[] };
  readonly logFile: string;
  readonly quarantined: readonly QuarantinedEntry[];
}

/** A repair with no choice to make, done on its own; shown to the person afterwards. */
export interface AutomaticRepair {
  readonly id: number;
  readonly at: string;
  readonly context: string;
  /** What was found before the repair (the wizard's first two steps). */
  readonly found: RecoveryAnalysisView;
  readonly outcome: RecoveryOutcomeView;
}

/** What the app's own check found and did since it started: for a window that opens later. */
export interface ScheduledCheckView {
  readonly repairs: readonly AutomaticRepair[];
  /** Contexts the last check found damaged, with what it found. */
  readonly damaged: readonly { readonly context: string; readonly health: 'damaged'; readonly findings: readonly string[] }[];
}

/** Pushed when a scheduled backup ran or failed (a full disk is a warning the person sees). */
export interface BackupStatusEvent {
  readonly at: string;
  readonly outcome: 'taken' | 'nothing-due' | 'failed';
  readonly backup?: string;
  readonly message: string;
  readonly lowDisk: boolean;
  readonly retryAt?: string;
}
