// Where the backups panel, Recently deleted and the recovery wizard are mounted (one at a time
// over the window; the wizard over the others), and the start of their live updates.
import { useEffect } from 'react';
import { useStore } from 'zustand';
import { useStores } from './StoresProvider.tsx';
import { BackupsPanel } from './BackupsPanel.tsx';
import { RecentlyDeleted } from './RecentlyDeleted.tsx';
import { RecoveryWizard } from './RecoveryWizard.tsx';
import { startBackupUpdates } from '../stores/backupUpdates.ts';

export function BackupViews() {
  const stores = useStores();
  const open = useStore(stores.backupPanels, (s) => s.open);
  const wizard = useStore(stores.recovery, (s) => s.context);
  useEffect(() => startBackupUpdates(stores.transport, stores.backups, stores.recovery, stores.notifications), [stores]);
  const close = () => stores.backupPanels.getState().show(null);
  return (
    <>
      {open === 'backups' && !wizard && <BackupsPanel onClose={close} />}
      {open === 'deleted' && !wizard && <RecentlyDeleted onClose={close} />}
      {wizard && <RecoveryWizard />}
    </>
  );
}
