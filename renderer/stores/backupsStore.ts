// The backups panel's data: the list and the line always on show (last backup, last verified),
// "back up now" and "verify now" (with progress from backup.progress events), the retention
// policy with its preview, and restoring a context or a chart: previewed first, then done, then
// undoable until the panel is closed (the last restore is remembered for its Undo).
import { createStore } from 'zustand/vanilla';
import type { IpcError, IpcResult } from '../../shared/contract.ts';
import type { BackupOverview, BackupPolicy, PolicyView, RestoreDone, RestorePreview } from '../../shared/backupTypes.ts';
import type { Client } from './client.ts';
import type { NotificationsStore } from './notificationsStore.ts';

export interface RestoreTarget {
  readonly id: string;
  readonly context: string;
  readonly chartId?: string;
}

export interface BackupsState {
  readonly overview: BackupOverview | null;
  readonly error: IpcError | null;
  /** "verify now" or "back up now" under way, with its progress when told. */
  readonly busy: null | { readonly what: 'backup' | 'verify'; readonly done: number; readonly total: number };
  /** The result of the last "verify now". */
  readonly verified: null | { readonly ok: boolean; readonly checked: number; readonly problems: readonly string[] };
  readonly policy: PolicyView | null;
  readonly restore: null | { readonly target: RestoreTarget; readonly preview: RestorePreview | null; readonly error: IpcError | null };
  readonly lastRestore: RestoreDone | null;
  load(): Promise<void>;
  backUpNow(): Promise<IpcResult<unknown>>;
  verifyNow(): Promise<void>;
  progress(done: number, total: number): void;
  loadPolicy(): Promise<void>;
  previewPolicy(policy: BackupPolicy): Promise<IpcResult<PolicyView>>;
  savePolicy(policy: BackupPolicy): Promise<IpcResult<PolicyView>>;
  previewRestore(target: RestoreTarget): Promise<void>;
  cancelRestore(): void;
  confirmRestore(): Promise<IpcResult<RestoreDone> | null>;
  undoRestore(): Promise<IpcResult<RestoreDone> | null>;
}

export function createBackupsStore(client: Client, notifications: NotificationsStore, afterRestore: (context: string) => Promise<void>) {
  return createStore<BackupsState>()((set, get) => ({
    overview: null,
    error: null,
    busy: null,
    verified: null,
    policy: null,
    restore: null,
    lastRestore: null,
    async load() {
      const result = await client.call('backups.overview', {}, 'Reading the backups');
      if (result.ok) set({ overview: result.value, error: null });
      else set({ error: result.error });
      // The policy's preview is of the backups there now: a new or removed backup changes it.
      const shown = get().policy;
      if (result.ok && shown) {
        const preview = await client.call('backups.policyPreview', { ...shown.policy }, 'Previewing the policy');
        if (preview.ok) set({ policy: { ...preview.value, saved: shown.saved } });
      }
    },
    async backUpNow() {
      set({ busy: { what: 'backup', done: 0, total: 1 }, verified: null });
      const result = await client.call('backups.create', { reason: 'from the backups panel' }, 'Backing up');
      set({ busy: null });
      if (!result.ok) notifications.getState().notify('error', 'The backup could not be made', result.error);
      await get().load();
      return result;
    },
    async verifyNow() {
      set({ busy: { what: 'verify', done: 0, total: Math.max(1, get().overview?.backups.length ?? 1) }, verified: null });
      const result = await client.call('backups.verifyAll', {}, 'Verifying the backups');
      set({ busy: null });
      if (!result.ok) notifications.getState().notify('error', 'The backups could not be verified', result.error);
      else set({ verified: { ok: result.value.ok, checked: result.value.backups.length, problems: result.value.backups.flatMap((b) => b.problems.map((p) => `${b.id}: ${p}`)) } });
      await get().load();
    },
    progress(done, total) {
      const busy = get().busy;
      if (busy) set({ busy: { ...busy, done, total } });
    },
    async loadPolicy() {
      const result = await client.call('backups.policy', {}, 'Reading the backup policy');
      if (result.ok) set({ policy: result.value });
      else set({ error: result.error });
    },
    async previewPolicy(policy) {
      const result = await client.call('backups.policyPreview', { ...policy }, 'Previewing the policy');
      if (result.ok) set({ policy: result.value });
      return result;
    },
    async savePolicy(policy) {
      const result = await client.call('backups.setPolicy', { ...policy }, 'Saving the policy');
      if (result.ok) {
        set({ policy: result.value });
        await get().load();
      }
      return result;
    },
    async previewRestore(target) {
      set({ restore: { target, preview: null, error: null } });
      const result = await client.call('backups.restorePreview', { ...target }, 'Previewing the restore');
      if (get().restore?.target !== target) return;
      set({ restore: { target, preview: result.ok ? result.value : null, error: result.ok ? null : result.error } });
    },
    cancelRestore: () => set({ restore: null }),
    async confirmRestore() {
      const restore = get().restore;
      if (!restore?.preview) return null;
      const result = await client.call('backups.restoreFrom', { ...restore.target }, 'Restoring');
      if (result.ok) {
        set({ restore: null, lastRestore: result.value });
        await Promise.all([get().load(), afterRestore(restore.target.context)]);
      } else set({ restore: { ...restore, error: result.error } });
      return result;
    },
    async undoRestore() {
      const last = get().lastRestore;
      if (!last) return null;
      const result = await client.call('backups.undoRestore', { safetyBackup: last.safetyBackup, context: last.context, ...(last.chartId ? { chartId: last.chartId } : {}) }, 'Undoing the restore');
      if (result.ok) {
        set({ lastRestore: null });
        await Promise.all([get().load(), afterRestore(last.context)]);
      } else notifications.getState().notify('error', 'The restore could not be undone', result.error);
      return result;
    },
  }));
}
export type BackupsStore = ReturnType<typeof createBackupsStore>;
