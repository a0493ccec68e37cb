// The health of a data root and of each context, as it crosses the IPC contract and as
// `tension health --json` prints it: plain JSON. Made by electron/core/health/ (healthReport.ts
// and its parts); drawn by renderer/components/HealthView.tsx.
import type { Point } from './insightFigures.ts';

/** When a context was last read through and found as reported, and by what: opening it, a scheduled check, or a person asking. */
export interface Verified {
  readonly at: string;
  readonly by: 'open' | 'schedule' | 'person';
}

export interface Integrity {
  readonly health: 'ok' | 'damaged' | 'read-only';
  readonly findings: readonly string[];
  /** Lines of the context file or its journal that could not be read (their bytes go to .recovery/ on repair). */
  readonly damagedLines: number;
  /** Damaged bytes already copied to .recovery/ (never deleted), from this context's files. */
  readonly quarantinedFiles: number;
  readonly quarantinedBytes: number;
  readonly lastVerified: Verified | null;
}

export interface BackupFreshness {
  readonly backups: number;
  readonly lastBackup: { readonly id: string; readonly created: string; readonly ageDays: number } | null;
  /** The most recent backup read back and found whole (at creation or a later check). */
  readonly lastVerifiedBackup: { readonly id: string; readonly at: string } | null;
  /** Backups whose last check found damage. */
  readonly damagedBackups: readonly string[];
}

export interface OriginActivity {
  /** app, cli, mcp, external, import, recover, restore, upgrade. */
  readonly origin: string;
  /** In a person's words: "this app", "the tension command", … */
  readonly label: string;
  readonly total: number;
  readonly perDay: readonly Point[];
}

export interface Activity {
  /** Changes per day by who made them, over the days shown (origins with no change left out). */
  readonly byOrigin: readonly OriginActivity[];
  /** The times another program rewrote a context file (each taken into the journal), per day. */
  readonly outsideRewritesPerDay: readonly Point[];
  readonly outsideRewrites: number;
  readonly lastOutsideRewrite: string | null;
  /** AI assistants (MCP clients) by the name they gave, with their changes over the days shown. */
  readonly assistants: readonly { readonly name: string; readonly changes: number }[];
}

export interface OperationFigures {
  /** read, write, move, open, rewrite. */
  readonly what: string;
  readonly count: number;
  readonly failures: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

export interface Performance {
  /** How many recent operations the figures cover (this process, since it started; the newest 2,000 at most). */
  readonly recent: number;
  readonly operations: readonly OperationFigures[];
  /** Opening and rewriting each context: the last open, and rewrites. */
  readonly contexts: readonly { readonly context: string; readonly openMs: number | null; readonly rewrites: number; readonly rewriteFailures: number; readonly rewriteP50Ms: number | null }[];
}

export interface Remedy {
  readonly action: 'prune-backups';
  /** What would be done, in plain words. */
  readonly description: string;
  readonly backups: readonly string[];
  /** At most this much would be freed (pieces shared with kept backups stay). */
  readonly bytes: number;
}

export interface Capacity {
  readonly contextFileBytes: number;
  readonly journalBytes: number;
  readonly backupBytes: number;
  /** The insights rollups kept beside the journals (caches: safe to delete). */
  readonly rollupBytes: number;
  readonly totalBytes: number;
  /** Sizes at the end of each day shown. */
  readonly growth: { readonly journalBytes: readonly Point[]; readonly contextFileBytes: readonly Point[]; readonly backupBytes: readonly Point[] };
  /** Bytes added per day on average over the last 30 days (journals and new backup pieces). */
  readonly growthPerDay: number;
  readonly freeBytes: number | null;
  /** At that rate; null when nothing grows or the free space is not known. */
  readonly daysUntilFull: number | null;
  readonly low: boolean;
  readonly remedies: readonly Remedy[];
}

export interface HealthNotice {
  /** Stable for the same problem: a notice is shown once. */
  readonly id: string;
  readonly severity: 'error' | 'warning';
  readonly context?: string;
  readonly title: string;
  readonly message: string;
  /** The way to act on it: a button's label in the app, a command in a terminal. */
  readonly action: { readonly label: string; readonly command: string };
}

export interface ContextHealth {
  readonly context: string;
  readonly integrity: Integrity;
  readonly activity: Activity;
  readonly capacity: { readonly contextFileBytes: number; readonly journalBytes: number; readonly journalGrowth: readonly Point[] };
}

export interface HealthReport {
  readonly root: string;
  readonly asOf: string;
  /** The days the daily series cover, up to today. */
  readonly days: { readonly from: string; readonly to: string };
  /** Worst of the contexts. */
  readonly health: Integrity['health'];
  readonly contexts: readonly ContextHealth[];
  readonly backups: BackupFreshness;
  /** All the contexts reported, added up. */
  readonly activity: Activity;
  readonly performance: Performance;
  readonly capacity: Capacity;
  readonly notices: readonly HealthNotice[];
}
