// Moving charts between contexts and managing contexts from the window: which charts are
// picked in the list (Ctrl/Shift), the drag in progress and what a drop would do (previewed
// per target), the collision dialog (a new id or skip, per chart), the "Move to…" picker, and
// the context changes (rename, merge, delete), export and import. Every change leaves its
// inverse on the undo stack: a move moves back, a rename renames back, a merge's charts go
// back, a deleted context is restored, an import is taken back exactly.
import { createStore } from 'zustand/vanilla';
import type { IpcError, IpcResult } from '../../shared/contract.ts';
import type { ContextChangeDone, ImportPreviewView, MoveDone, MovePreviewView } from '../../shared/contractContexts.ts';
import { newOperationId } from '../model/operationId.ts';
import type { Client } from './client.ts';
import type { NotificationsStore } from './notificationsStore.ts';
import { call, type UndoStore } from './undoStore.ts';
import type { SelectionStore } from './selectionStore.ts';

export type Choice = 'new-id' | 'skip';

export interface PickedChart {
  readonly context: string;
  readonly id: string;
}

/** A move (or merge) waiting for the person to resolve its collisions. */
export interface PendingCollisions {
  readonly kind: 'move' | 'merge';
  readonly from: string;
  readonly to: string;
  readonly ids: readonly string[];
  readonly preview: MovePreviewView;
}

export interface ImportDraft {
  readonly context: string;
  readonly source: string;
  readonly text: string;
  readonly preview: ImportPreviewView;
}

export interface ContextMovesState {
  /** Charts picked in the list, in the order picked. */
  readonly picked: readonly PickedChart[];
  readonly dragging: { readonly from: string; readonly ids: readonly string[] } | null;
  /** What dropping on a context would do, once read (keyed by target). */
  readonly dropPreview: { readonly to: string; readonly preview: MovePreviewView | null; readonly error: IpcError | null } | null;
  readonly collisions: PendingCollisions | null;
  /** The "Move to…" picker, open for these charts. */
  readonly moveTo: { readonly from: string; readonly ids: readonly string[] } | null;
  readonly importing: ImportDraft | null;
  pick(chart: PickedChart, mode: 'only' | 'toggle'): void;
  pickRange(charts: readonly PickedChart[]): void;
  clearPicks(): void;
  /** The charts a drag, the picker or the menu acts on: the picked ones if `chart` is among them, else `chart` alone. */
  selectionFor(chart: PickedChart): { from: string; ids: string[] };
  startDrag(from: string, ids: readonly string[]): void;
  endDrag(): void;
  previewDrop(to: string): Promise<void>;
  /** Moves the charts: previewed first; collisions open the dialog instead of moving. */
  move(from: string, ids: readonly string[], to: string): Promise<IpcResult<MoveDone> | null>;
  resolve(choices: Readonly<Record<string, Choice>>): Promise<IpcResult<unknown> | null>;
  cancelCollisions(): void;
  openMoveTo(from: string, ids: readonly string[]): void;
  closeMoveTo(): void;
  rename(from: string, to: string): Promise<IpcResult<ContextChangeDone>>;
  mergePreview(from: string, into: string): Promise<IpcResult<MovePreviewView>>;
  merge(from: string, into: string, choices?: Readonly<Record<string, Choice>>): Promise<IpcResult<ContextChangeDone> | null>;
  remove(context: string): Promise<IpcResult<{ context: string; backup: string; records: number }>>;
  exportCharts(context: string, ids: readonly string[] | undefined, format: 'jsonl' | 'markdown'): Promise<IpcResult<{ text: string; fileName: string; mediaType: string }>>;
  previewImport(context: string, source: string, text: string): Promise<IpcResult<ImportPreviewView>>;
  applyImport(onCollision?: Choice): Promise<IpcResult<unknown> | null>;
  cancelImport(): void;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const resolutionsOf = (choices: Readonly<Record<string, Choice>>) => Object.entries(choices).map(([id, choice]) => ({ id, choice }));

export function createContextMovesStore(client: Client, undo: UndoStore, notifications: NotificationsStore, selection: SelectionStore, refreshContext: (context: string) => Promise<void>) {
  let previewSeq = 0;

  /** After a move: both contexts' views refreshed; the open chart, if it moved, opened where it went. */
  async function afterMove(done: MoveDone): Promise<void> {
    await refreshContext('');
    const open = selection.getState().open;
    if (open && open.context === done.from) {
      const arrived = done.renamed[open.id] ?? (done.moved.includes(open.id) ? open.id : undefined);
      if (arrived) await selection.getState().select({ context: done.to, id: arrived });
    }
  }

  /** Per undo of a move under new ids: the id each chart takes back (new id -> its own). */
  const idsBack = new WeakMap<object, Readonly<Record<string, string>>>();

  // Undoing a move takes the open chart back to where it was: it is followed there, rather than
  // reported as "no longer there" by the refresh that comes after the undo.
  undo.subscribe((state, previous) => {
    if (state.entries.length >= previous.entries.length) return;
    const popped = previous.entries.at(-1);
    if (popped?.inverse.channel !== 'charts.moveMany') return;
    const input = popped.inverse.input as { from: string; to: string; ids: readonly string[] };
    const open = selection.getState().open;
    if (!open || open.context !== input.from || !input.ids.includes(open.id)) return;
    void selection.getState().select(null);
    void (async () => {
      const ref = { context: input.to, id: idsBack.get(input)?.[open.id] ?? open.id };
      for (let attempt = 0; attempt < 50; attempt += 1) {
        const there = await client.call('charts.tree', ref);
        if (there.ok) return selection.getState().select(ref);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
  });

  return createStore<ContextMovesState>()((set, get) => {
    async function applyMove(from: string, ids: readonly string[], to: string, choices?: Readonly<Record<string, Choice>>): Promise<IpcResult<MoveDone>> {
      const label = `Move ${plural(ids.length, 'chart')} to ${to}`;
      const result = await client.call('charts.moveMany', { from, to, ids: [...ids], ...(choices ? { resolutions: resolutionsOf(choices) } : {}), op: newOperationId('charts.moveMany') }, label);
      if (result.ok) {
        if (result.value.moved.length > 0) {
          // Charts given a new id (their id was taken here) take their own id back on the way.
          const renamed = Object.entries(result.value.renamed);
          const input = { from: to, to: from, ids: [...result.value.moved], ...(renamed.length > 0 ? { takeBack: renamed.map(([, now]) => now) } : {}) };
          if (renamed.length > 0) idsBack.set(input, Object.fromEntries(renamed.map(([was, now]) => [now, was])));
          undo.getState().push({ label, inverse: call('charts.moveMany', input) });
        }
        set({ picked: [], collisions: null, moveTo: null });
        await afterMove(result.value);
      }
      return result;
    }

    return {
      picked: [],
      dragging: null,
      dropPreview: null,
      collisions: null,
      moveTo: null,
      importing: null,
      pick(chart, mode) {
        const same = (p: PickedChart) => p.context === chart.context && p.id === chart.id;
        const picked = get().picked;
        if (mode === 'only') set({ picked: [chart] });
        else set({ picked: picked.some(same) ? picked.filter((p) => !same(p)) : [...picked, chart] });
      },
      pickRange: (charts) => set({ picked: [...charts] }),
      clearPicks: () => set({ picked: [] }),
      selectionFor(chart) {
        const picked = get().picked;
        const among = picked.some((p) => p.context === chart.context && p.id === chart.id);
        // Charts from one context move together; a pick across contexts moves those of the dragged chart's context.
        const ids = among ? picked.filter((p) => p.context === chart.context).map((p) => p.id) : [chart.id];
        return { from: chart.context, ids };
      },
      startDrag: (from, ids) => set({ dragging: { from, ids }, dropPreview: null }),
      endDrag: () => set({ dragging: null, dropPreview: null }),
      async previewDrop(to) {
        const drag = get().dragging;
        if (!drag || drag.from === to || get().dropPreview?.to === to) return;
        const mine = ++previewSeq;
        set({ dropPreview: { to, preview: null, error: null } });
        const result = await client.call('charts.movePreview', { from: drag.from, to, ids: [...drag.ids] }, `What moving to ${to} would do`);
        if (mine !== previewSeq || get().dropPreview?.to !== to) return;
        set({ dropPreview: { to, preview: result.ok ? result.value : null, error: result.ok ? null : result.error } });
      },
      async move(from, ids, to) {
        set({ dragging: null, dropPreview: null });
        const preview = await client.call('charts.movePreview', { from, to, ids: [...ids] }, `What moving to ${to} would do`);
        if (!preview.ok) return preview;
        if (preview.value.unresolved.length > 0) {
          set({ collisions: { kind: 'move', from, to, ids, preview: preview.value }, moveTo: null });
          return null;
        }
        return applyMove(from, ids, to);
      },
      async resolve(choices) {
        const pending = get().collisions;
        if (!pending) return null;
        if (pending.kind === 'move') return applyMove(pending.from, pending.ids, pending.to, choices);
        return get().merge(pending.from, pending.to, choices);
      },
      cancelCollisions: () => set({ collisions: null }),
      openMoveTo: (from, ids) => set({ moveTo: { from, ids } }),
      closeMoveTo: () => set({ moveTo: null }),

      async rename(from, to) {
        const label = `Rename context ${from} to ${to}`;
        const result = await client.call('contexts.rename', { from, to, op: newOperationId('contexts.rename') }, label);
        if (result.ok) {
          undo.getState().push({ label, inverse: call('contexts.rename', { from: to, to: from }) });
          await refreshContext('');
        }
        return result;
      },
      mergePreview: (from, into) => client.call('contexts.mergePreview', { from, into }, `What merging ${from} into ${into} would do`),
      async merge(from, into, choices) {
        if (!choices) {
          const preview = await get().mergePreview(from, into);
          if (!preview.ok) return preview;
          if (preview.value.unresolved.length > 0) {
            set({ collisions: { kind: 'merge', from, to: into, ids: [], preview: preview.value } });
            return null;
          }
        }
        const label = `Merge context ${from} into ${into}`;
        const result = await client.call('contexts.merge', { from, into, ...(choices ? { resolutions: resolutionsOf(choices) } : {}), op: newOperationId('contexts.merge') }, label);
        if (result.ok) {
          set({ collisions: null });
          if (result.value.move.moved.length > 0) undo.getState().push({ label, inverse: call('contexts.undoMerge', { from, into, charts: [...result.value.move.moved] }) });
          await afterMove(result.value.move);
        }
        return result;
      },
      async remove(context) {
        const label = `Delete context ${context}`;
        const result = await client.call('contexts.delete', { context, op: newOperationId('contexts.delete') }, label);
        if (result.ok) {
          undo.getState().push({ label, inverse: call('contexts.restoreDeleted', { context }) });
          notifications.getState().notify('info', `Context ${context} deleted (${plural(result.value.records, 'record')}); a backup was taken first. Undo brings it back.`);
          await refreshContext('');
        }
        return result;
      },
      exportCharts: (context, ids, format) => client.call('charts.export', { context, format, ...(ids ? { ids: [...ids] } : {}) }, `Exporting ${ids ? plural(ids.length, 'chart') : context}`),

      async previewImport(context, source, text) {
        const result = await client.call('imports.preview', { context, source: source.slice(0, 255) || 'import.jsonl', text }, `Reading ${source}`);
        if (result.ok) set({ importing: { context, source, text, preview: result.value } });
        return result;
      },
      async applyImport(onCollision) {
        const draft = get().importing;
        if (!draft) return null;
        const label = `Import ${draft.source} into ${draft.context}`;
        const result = await client.call('imports.apply', { context: draft.context, text: draft.text, source: draft.source.slice(0, 255) || 'import.jsonl', ...(onCollision ? { onCollision } : {}), op: newOperationId('imports.apply') }, label);
        if (result.ok) {
          set({ importing: null });
          if (result.value.records > 0) undo.getState().push({ label, inverse: call('imports.undo', { undo: result.value.undo }) });
          await refreshContext(draft.context);
        }
        return result;
      },
      cancelImport: () => set({ importing: null }),
    };
  });
}
export type ContextMovesStore = ReturnType<typeof createContextMovesStore>;
