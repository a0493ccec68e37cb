// The integrity of a context as the health view shows it: what its last open (or a person's
// check) found, how many lines could not be read, what of it already sits in .recovery/, and
// when it was last read through; and how fresh the backups are.
import path from 'node:path';
import type { BackupFreshness, Integrity, Verified } from '../../../shared/healthFigures.ts';
import type { Engine } from '../engine.ts';
import type { ContextSummary } from '../contextSummary.ts';
import { contextPaths } from '../dataRoot.ts';
import type { QuarantinedFile } from '../quarantine.ts';
import type { BackupStatus } from '../backupListing.ts';
import { DAY_MS } from '../insights/calendarDays.ts';

/** Findings that are a line the reader could not use (each is one line). */
const DAMAGE_KINDS = new Set(['bad-line', 'journal-bad-line', 'journal-edit-mismatch', 'torn-file']);

export function integrityOf(engine: Engine, summary: ContextSummary, quarantined: readonly QuarantinedFile[], lastVerified: Verified | undefined): Integrity {
  const paths = contextPaths(engine.layout, summary.context);
  const own = new Set([path.basename(paths.file), path.basename(paths.journal)]);
  const copies = quarantined.filter((q) => q.kind === 'damaged-bytes' && q.sourceFile !== undefined && own.has(q.sourceFile));
  return {
    health: summary.health,
    findings: summary.findings.map((f) => f.message),
    damagedLines: summary.findings.filter((f) => f.severity !== 'info' && DAMAGE_KINDS.has(f.kind)).length,
    quarantinedFiles: copies.length,
    quarantinedBytes: copies.reduce((sum, q) => sum + q.bytes, 0),
    lastVerified: lastVerified ?? null,
  };
}

export function backupFreshness(status: BackupStatus, now: Date): BackupFreshness {
  return {
    backups: status.backups,
    lastBackup: status.lastBackup ? { id: status.lastBackup.id, created: status.lastBackup.created, ageDays: Math.floor((now.getTime() - Date.parse(status.lastBackup.created)) / DAY_MS) } : null,
    lastVerifiedBackup: status.lastVerified ?? null,
    damagedBackups: [...status.damaged],
  };
}

export function worstHealth(list: readonly Integrity['health'][]): Integrity['health'] {
  return list.includes('damaged') ? 'damaged' : list.includes('read-only') ? 'read-only' : 'ok';
}
