// The events main pushes about backups and recovery, turned into what the person sees: a
// scheduled backup taken (the status line moves) or failed (a plain warning, a full disk said
// as such), the progress of "verify now", a repair made on its own (kept to be shown, with a
// note that says so), and the repairs made before this window opened.
import type { Transport } from '../transport/transport.ts';
import type { NotificationsStore } from './notificationsStore.ts';
import type { BackupsStore } from './backupsStore.ts';
import type { RecoveryStore } from './recoveryStore.ts';

export function startBackupUpdates(transport: Transport, backups: BackupsStore, recovery: RecoveryStore, notifications: NotificationsStore): () => void {
  void backups.getState().load();
  void recovery.getState().loadRepairs();
  const offs = [
    transport.on('backup.status', (status) => {
      if (status.outcome === 'failed') notifications.getState().notify('error', status.lowDisk ? `Backups are paused: ${status.message}` : status.message);
      void backups.getState().load();
    }),
    transport.on('backup.progress', ({ done, total }) => backups.getState().progress(done, total)),
    transport.on('recovery.repaired', (repair) => {
      recovery.getState().repaired(repair);
      void backups.getState().load();
    }),
    transport.on('health.changed', (verdict) => recovery.getState().healthChanged(verdict)),
  ];
  return () => {
    for (const off of offs) off();
  };
}
