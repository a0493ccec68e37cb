// Always on show in the top bar: when the last backup ran and when one last verified, in words
// ("2 hours ago"); a warning look when the last scheduled backup failed or a backup is damaged.
// It is the way into the backups panel.
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { useStores } from './StoresProvider.tsx';
import { sinceWhen } from '../model/sinceWhen.ts';
import { formatTime } from '../model/dates.ts';

export function BackupStatusLine() {
  const { backups, backupPanels } = useStores();
  const overview = useStore(backups, (s) => s.overview);
  // "5 minutes ago" moves on by itself: read again each minute.
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 60_000);
    return () => clearInterval(timer);
  }, []);
  const failed = overview?.scheduler?.lastError;
  const damaged = (overview?.damaged.length ?? 0) > 0;
  const backedUp = overview?.lastBackup ? `Backed up ${sinceWhen(overview.lastBackup.created)}` : 'No backup yet';
  const verified = overview?.lastVerified ? `verified ${sinceWhen(overview.lastVerified.at)}` : 'never verified';
  const text = `${backedUp} · ${verified}`;
  const title = [
    overview?.lastBackup ? `Last backup: ${formatTime(overview.lastBackup.created)} (${overview.lastBackup.kind})` : 'No backup has been made yet.',
    overview?.lastVerified ? `Last verified: ${formatTime(overview.lastVerified.at)}` : 'No backup has been verified yet.',
    ...(failed ? [`The last scheduled backup failed: ${failed.message}`] : []),
    ...(damaged ? [`Damaged backups: ${overview?.damaged.join(', ')}`] : []),
    'Opens the backups panel.',
  ].join('\n');
  return (
    <button type="button" className={`backup-status${failed || damaged ? ' warn' : ''}`} onClick={() => backupPanels.getState().show('backups')} title={title} aria-label={`Backups: ${text}${failed ? '; the last scheduled backup failed' : ''}${damaged ? '; a backup is damaged' : ''}`}>
      {failed || damaged ? '⚠ ' : ''}
      {text}
    </button>
  );
}
