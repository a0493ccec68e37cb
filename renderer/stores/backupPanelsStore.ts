// Which of the backup views is open over the window: the backups panel or Recently deleted
// (the recovery wizard opens by its own store). One at a time; Escape or Close shuts it and
// gives the focus back where it was.
import { createStore } from 'zustand/vanilla';

export type BackupPanel = 'backups' | 'deleted';

export interface BackupPanelsState {
  readonly open: BackupPanel | null;
  show(panel: BackupPanel | null): void;
}

export function createBackupPanelsStore() {
  return createStore<BackupPanelsState>()((set) => ({
    open: null,
    show: (panel) => set({ open: panel }),
  }));
}
export type BackupPanelsStore = ReturnType<typeof createBackupPanelsStore>;
