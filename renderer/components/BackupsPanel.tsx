// The backups panel: when the last backup ran and last verified, "back up now" and "verify now"
// (with progress), every backup (date, kind, size: new and shared, contexts, verified), a
// restore of a whole context or of one chart from any of them (previewed first, what is there
// now backed up before it is replaced, and undoable), and the retention policy with its preview.
import { useEffect } from 'react';
import { useStore } from 'zustand';
import type { BackupEntry } from '../../shared/backupTypes.ts';
import { useStores } from './StoresProvider.tsx';
import { PanelDialog } from './PanelDialog.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { PolicyEditor } from './PolicyEditor.tsx';
import { RestoreFlow } from './RestoreFlow.tsx';
import { byteSize } from '../../shared/byteSize.ts';
import { sinceWhen } from '../model/sinceWhen.ts';
import { formatTime } from '../model/dates.ts';

const KIND: Record<BackupEntry['kind'], string> = {
  daily: 'daily',
  weekly: 'weekly',
  monthly: 'monthly',
  manual: 'made by hand',
  'before-restore': 'before a restore',
  'before-recovery': 'before a repair',
  'before-upgrade': 'before an upgrade',
};

const kindText = (b: BackupEntry) => (b.kinds.length > 1 ? b.kinds.join(' + ') : KIND[b.kind]);

export function BackupsPanel({ onClose }: { onClose: () => void }) {
  const { backups, backupPanels } = useStores();
  const overview = useStore(backups, (s) => s.overview);
  const error = useStore(backups, (s) => s.error);
  const busy = useStore(backups, (s) => s.busy);
  const verified = useStore(backups, (s) => s.verified);
  const restore = useStore(backups, (s) => s.restore);
  const lastRestore = useStore(backups, (s) => s.lastRestore);

  useEffect(() => void backups.getState().load(), [backups]);

  return (
    <PanelDialog label="Backups" title="Backups" onClose={onClose}>
      {error && <ErrorMessage error={error} />}
      {overview && (
        <section aria-label="Backup status" className="panel-row">
          <span title={overview.lastBackup ? formatTime(overview.lastBackup.created) : undefined}>
            Last backup: <strong>{overview.lastBackup ? `${sinceWhen(overview.lastBackup.created)} (${formatTime(overview.lastBackup.created)})` : 'none yet'}</strong>
          </span>
          <span>
            Last verified: <strong>{overview.lastVerified ? `${sinceWhen(overview.lastVerified.at)} (${formatTime(overview.lastVerified.at)})` : 'never'}</strong>
          </span>
          <span className="muted">
            {overview.backups.length} backups take {byteSize(overview.storedBytes)} on disk (what does not change is stored once).
          </span>
          {overview.scheduler?.nextCheckAt && <span className="muted">Next scheduled check: {formatTime(overview.scheduler.nextCheckAt)}.</span>}
        </section>
      )}
      {overview?.scheduler?.lastError && <p className="bad-text">The last scheduled backup failed: {overview.scheduler.lastError.message} Every earlier backup is kept.</p>}
      <div className="panel-row">
        <button type="button" className="primary" disabled={busy !== null} onClick={() => void backups.getState().backUpNow()}>
          {busy?.what === 'backup' ? 'Backing up…' : 'Back up now'}
        </button>
        <button type="button" disabled={busy !== null || !overview?.backups.length} onClick={() => void backups.getState().verifyNow()}>
          {busy?.what === 'verify' ? 'Verifying…' : 'Verify now'}
        </button>
        {busy && <progress value={busy.done} max={busy.total} aria-label={busy.what === 'verify' ? 'Verifying the backups' : 'Backing up'} />}
        {verified && (
          <span role="status" className={verified.ok ? 'ok-text' : 'bad-text'}>
            {verified.ok ? `All ${verified.checked} backups verified.` : `Damage found: ${verified.problems.join('; ')}`}
          </span>
        )}
        <button type="button" className="link" onClick={() => backupPanels.getState().show('deleted')}>
          Recently deleted…
        </button>
      </div>
      {lastRestore && (
        <div className="panel-row" role="status">
          <span>
            Restored {lastRestore.chartId ? 'the chart' : `context ${lastRestore.context}`} ({lastRestore.changed} records changed). What was there before is kept in a backup.
          </span>
          <button type="button" onClick={() => void backups.getState().undoRestore()}>
            Undo the restore
          </button>
        </div>
      )}
      {restore && <RestoreFlow />}
      <section aria-label="Backup list">
        <h3>Backups, newest first</h3>
        {overview && overview.backups.length === 0 && <p className="muted">No backups yet. Back up now, or wait for the daily backup (it runs a short while after the app starts).</p>}
        {overview && overview.backups.length > 0 && (
          <table>
            <thead>
              <tr>
                <th>Date</th>
                <th>Kind</th>
                <th>Size</th>
                <th>Contexts</th>
                <th>Verified</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {overview.backups.map((b) => (
                <tr key={b.id} data-backup={b.id}>
                  <td title={b.id}>{formatTime(b.created)}</td>
                  <td>{kindText(b)}</td>
                  <td title={`${byteSize(b.bytes)} of data; removing it would free ${byteSize(b.uniqueBytes)}`}>
                    {byteSize(b.bytes)}
                    <div className="muted">
                      {byteSize(b.newBytes)} new, {byteSize(b.sharedBytes)} shared
                    </div>
                  </td>
                  <td>{b.contexts.join(', ') || '(none)'}</td>
                  <td className={b.verified === false ? 'bad-text' : b.verified ? 'ok-text' : 'muted'}>{b.verified === null ? 'not checked' : b.verified ? `✓ ${b.verifiedAt ? sinceWhen(b.verifiedAt) : ''}` : `damaged: ${b.problems.join('; ')}`}</td>
                  <td>
                    <button type="button" disabled={b.contexts.length === 0 || b.verified === false} onClick={() => void backups.getState().previewRestore({ id: b.id, context: b.contexts[0] as string })} aria-label={`Restore from the backup of ${formatTime(b.created)}`}>
                      Restore…
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <PolicyEditor />
    </PanelDialog>
  );
}
