// The recovery wizard, one context at a time, in five steps: 1 what was found, 2 where each
// record can come from (and what could be read of lines nothing holds), 3 a preview of the
// repaired context (made by the repair's own plan), 4 the choice (repair, restore from a chosen
// backup, or leave it; a backup of the current state first unless the person says not to),
// 5 the result, verified, with the log entry and the files set aside in .recovery/.
// A repair made on its own (nothing could be lost) opens here too, at its result, with what
// was found before it.
import { createStore } from 'zustand/vanilla';
import type { IpcError } from '../../shared/contract.ts';
import type { AutomaticRepair, QuarantinedEntry, RecoveryAnalysisView, RecoveryOutcomeView, RestorePreview } from '../../shared/backupTypes.ts';
import type { Client } from './client.ts';

export type WizardStep = 1 | 2 | 3 | 4 | 5;
export type WizardChoice = { readonly action: 'repair' } | { readonly action: 'restore'; readonly backup: string } | { readonly action: 'leave' };

export interface RecoveryState {
  /** The context the wizard is open on (null: closed). */
  readonly context: string | null;
  readonly step: WizardStep;
  readonly analysis: RecoveryAnalysisView | null;
  readonly choice: WizardChoice;
  readonly backupFirst: boolean;
  /** For the restore choice: what that backup holds beside today's. */
  readonly restorePreview: RestorePreview | null;
  readonly outcome: RecoveryOutcomeView | null;
  /** Set when the wizard shows a repair made on its own. */
  readonly automatic: AutomaticRepair | null;
  readonly working: boolean;
  readonly error: IpcError | null;
  /** Repairs made on their own, newest last, and which the person has not looked at yet. */
  readonly repairs: readonly AutomaticRepair[];
  readonly unseen: readonly number[];
  readonly files: readonly QuarantinedEntry[];
  /** Contexts the app's own check found damaged (the sidebar reads only what the last open found). */
  readonly damaged: Readonly<Record<string, readonly string[]>>;
  readonly opened: { readonly name: string; readonly text: string; readonly truncated: boolean; readonly bytes: number } | null;
  open(context: string): Promise<void>;
  openRepair(repair: AutomaticRepair): void;
  close(): void;
  goTo(step: WizardStep): void;
  choose(choice: WizardChoice): Promise<void>;
  setBackupFirst(on: boolean): void;
  apply(): Promise<void>;
  loadRepairs(): Promise<void>;
  repaired(repair: AutomaticRepair): void;
  healthChanged(verdict: { context: string; health: string; findings: readonly string[] }): void;
  loadFiles(): Promise<void>;
  openFile(name: string): Promise<void>;
}

const closed = { context: null, step: 1 as WizardStep, analysis: null, choice: { action: 'repair' } as WizardChoice, backupFirst: true, restorePreview: null, outcome: null, automatic: null, working: false, error: null, opened: null };

export function createRecoveryStore(client: Client, afterChange: (context: string) => Promise<void>) {
  return createStore<RecoveryState>()((set, get) => ({
    ...closed,
    repairs: [],
    unseen: [],
    files: [],
    damaged: {},
    async open(context) {
      set({ ...closed, context, working: true });
      const result = await client.call('recovery.analyze', { context }, `Looking at ${context}`);
      if (get().context !== context) return;
      if (!result.ok) return set({ working: false, error: result.error });
      // Without damaged lines nothing can come from a backup: the repair is the choice offered first.
      set({ working: false, analysis: result.value, choice: { action: 'repair' } });
      // Found sound now (repaired meanwhile, by the app or another program): no alarm left for it.
      if (result.value.ok && !result.value.needsRepair) get().healthChanged({ context, health: 'ok', findings: [] });
    },
    openRepair(repair) {
      set({ ...closed, context: repair.context, step: 5, analysis: repair.found, outcome: repair.outcome, automatic: repair, unseen: get().unseen.filter((id) => id !== repair.id) });
      void get().loadFiles();
    },
    close: () => set({ ...closed }),
    goTo: (step) => set({ step }),
    async choose(choice) {
      set({ choice, restorePreview: null, error: null });
      const context = get().context;
      if (choice.action !== 'restore' || !context) return;
      const result = await client.call('backups.restorePreview', { id: choice.backup, context }, 'Previewing the backup');
      if (get().choice !== choice) return;
      if (result.ok) set({ restorePreview: result.value });
      else set({ error: result.error });
    },
    setBackupFirst: (on) => set({ backupFirst: on }),
    async apply() {
      const { context, choice, backupFirst } = get();
      if (!context) return;
      set({ working: true, error: null });
      const result = await client.call('recovery.apply', { context, action: choice.action, ...(choice.action === 'restore' ? { backup: choice.backup } : {}), backupFirst }, `Recovering ${context}`);
      if (!result.ok) return set({ working: false, error: result.error });
      set({ working: false, outcome: result.value, step: 5 });
      if (result.value.verified.ok) get().healthChanged({ context, health: 'ok', findings: [] });
      await Promise.all([afterChange(context), get().loadFiles()]);
    },
    async loadRepairs() {
      const result = await client.call('recovery.automatic', {}, 'Reading repairs');
      if (!result.ok) return;
      const known = new Map(get().repairs.map((r) => [r.id, r] as const));
      const { repairs, damaged } = result.value;
      // Merged, not replaced: a repair announced by its event while this answer was on its way
      // (made after the answer was read, the event faster than the answer) is not in it.
      const merged = new Map(known);
      for (const repair of repairs) merged.set(repair.id, repair);
      set({
        repairs: [...merged.values()].sort((a, b) => a.id - b.id),
        unseen: [...get().unseen, ...repairs.filter((r) => !known.has(r.id)).map((r) => r.id)],
        damaged: Object.fromEntries(damaged.map((d) => [d.context, d.findings])),
      });
    },
    repaired(repair) {
      if (get().repairs.some((r) => r.id === repair.id)) return;
      set({ repairs: [...get().repairs, repair], unseen: [...get().unseen, repair.id] });
      // A live update may have said "damaged" before the repair: the repair's own check says what holds now.
      get().healthChanged({ context: repair.context, health: repair.outcome.verified.ok ? 'ok' : 'damaged', findings: repair.outcome.verified.findings.map((f) => f.message) });
      void afterChange(repair.context);
    },
    healthChanged({ context, health, findings }) {
      const damaged = { ...get().damaged };
      if (health === 'damaged') damaged[context] = findings;
      else delete damaged[context];
      set({ damaged });
    },
    async loadFiles() {
      const result = await client.call('recovery.files', {}, 'Reading .recovery/');
      if (result.ok) set({ files: result.value });
    },
    async openFile(name) {
      const result = await client.call('recovery.readFile', { name }, `Opening ${name}`);
      if (result.ok) set({ opened: result.value });
      else set({ error: result.error });
    },
  }));
}
export type RecoveryStore = ReturnType<typeof createRecoveryStore>;
