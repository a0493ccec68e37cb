// Notifications: damage, a failed backup, no recent backup, low space, a context that became
// read-only. Each in plain words with the way to act on it, and each shown once: its id stays
// the same while the problem does, and the ledger tells which ids are new.
import type { BackupFreshness, Capacity, ContextHealth, HealthNotice } from '../../../shared/healthFigures.ts';
import { formatBytes } from '../freeSpace.ts';

/** A backup older than this many days is worth a word. */
export const STALE_BACKUP_DAYS = 3;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function noticesOf(root: string, contexts: readonly ContextHealth[], backups: BackupFreshness, capacity: Capacity): HealthNotice[] {
  const notices: HealthNotice[] = [];
  for (const { context, integrity } of contexts) {
    if (integrity.health === 'damaged') {
      notices.push({
        id: `damaged:${context}:${integrity.damagedLines}:${integrity.findings.length}`,
        severity: 'error',
        context,
        title: `Damage found in context ${context}`,
        message: `${integrity.damagedLines > 0 ? `${plural(integrity.damagedLines, 'line')} of its files could not be read. ` : ''}${integrity.findings[0] ?? ''} Nothing is lost yet: a repair restores the records from the journal or the newest backup, and copies the damaged bytes to .recovery/ first.`.trim(),
        action: { label: 'Repair', command: `tension recover --context ${context}` },
      });
    } else if (integrity.health === 'read-only') {
      notices.push({
        id: `read-only:${context}`,
        severity: 'warning',
        context,
        title: `Context ${context} can only be read`,
        message: `${integrity.findings[0] ?? 'Its folder cannot be written.'} Changes to it are refused until this is fixed; nothing already saved is affected.`,
        action: { label: 'Check again', command: 'tension verify' },
      });
    }
  }
  for (const id of backups.damagedBackups) {
    notices.push({
      id: `backup-damaged:${id}`,
      severity: 'error',
      title: 'A backup failed its check',
      message: `Backup ${id} no longer matches its checksums, so it cannot be trusted for a restore. Your charts are not affected; make a new backup so a good one is at hand.`,
      action: { label: 'Back up now', command: 'tension backup create' },
    });
  }
  if (contexts.length > 0 && (backups.lastBackup === null || backups.lastBackup.ageDays >= STALE_BACKUP_DAYS)) {
    notices.push({
      id: `backup-stale:${backups.lastBackup?.id ?? 'none'}`,
      severity: 'warning',
      title: backups.lastBackup === null ? 'No backup yet' : `No backup for ${plural(backups.lastBackup.ageDays, 'day')}`,
      message: backups.lastBackup === null ? `Nothing in ${root} has been backed up.` : `The newest backup, ${backups.lastBackup.id}, is ${plural(backups.lastBackup.ageDays, 'day')} old.`,
      action: { label: 'Back up now', command: 'tension backup create' },
    });
  }
  if (capacity.low && capacity.freeBytes !== null) {
    const rate = capacity.daysUntilFull === null ? '' : ` At the recent rate (${formatBytes(capacity.growthPerDay)} a day) the disk is full in ${plural(capacity.daysUntilFull, 'day')}.`;
    const remedy = capacity.remedies[0];
    notices.push({
      id: 'low-space',
      severity: 'warning',
      title: 'The disk is nearly full',
      message: `Only ${formatBytes(capacity.freeBytes)} is free on the disk holding ${root}.${rate} ${remedy ? remedy.description : 'No backup can be removed by the policy: free space elsewhere on the disk.'}`,
      action: remedy ? { label: 'Free space', command: 'tension health free-space' } : { label: 'Show what takes room', command: 'tension health' },
    });
  }
  return notices;
}

/** The ids already shown: a notice is new only the first time its id comes. */
export class NoticeLedger {
  private readonly shown = new Set<string>();

  fresh(notices: readonly HealthNotice[]): HealthNotice[] {
    const out = notices.filter((n) => !this.shown.has(n.id));
    for (const n of out) this.shown.add(n.id);
    return out;
  }
}
