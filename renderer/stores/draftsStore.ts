// What a person is typing into a field of a chart, kept apart from the field itself: when a
// live refresh changes or removes the part being edited (another program renamed or removed
// the step), the text typed is never lost. Each draft remembers the value and version the
// person started from, so the editor can tell "someone else changed this meanwhile" (and show
// both) from "the record changed elsewhere" (nothing to resolve).
import { createStore } from 'zustand/vanilla';

export type DraftKind = 'outcome' | 'due' | 'step-title' | 'step-due' | 'reality-line';

export interface Draft {
  /** Which field: kind, context, chart and part (a step's name, a reality line's text). */
  readonly key: string;
  readonly kind: DraftKind;
  readonly context: string;
  readonly chartId: string;
  /** The step's name, the reality line's text; the chart id for chart fields. */
  readonly part: string;
  /** How a person names the field ("the title of step ‘Migrate customers’"). */
  readonly label: string;
  readonly text: string;
  /** The value when editing began (or when the person last chose how to resolve a change). */
  readonly base: string;
  /** The part's version at that moment, sent as ifVersion. */
  readonly version: string | undefined;
  /** Being saved: a field that changes its own key when saved (a reality line) is not "gone". */
  readonly saving?: boolean;
}

export interface DraftsState {
  readonly drafts: ReadonlyMap<string, Draft>;
  /**
   * Charts (chartKey) that left the open chart's tree, or the open chart itself, while drafts
   * of theirs were open (removed, mostly by another program). Their fields went with them, so the
   * drafts are listed apart (DraftsOfRemovedCharts), to be copied or let go.
   */
  readonly removedCharts: ReadonlySet<string>;
  open(draft: Omit<Draft, 'text'> & { text?: string }): void;
  type(key: string, text: string): void;
  /** Starts again from another value and version (keep mine, merge), keeping or replacing the text. */
  rebase(key: string, base: string, version: string | undefined, text?: string): void;
  setSaving(key: string, saving: boolean): void;
  close(key: string): void;
  /** These charts are no longer there: their drafts are shown apart. */
  chartsGone(context: string, chartIds: readonly string[]): void;
  /** These charts are there (again): their drafts are back in their fields. */
  chartsThere(context: string, chartIds: readonly string[]): void;
  /** These charts are now in context `to` (moved by another program): their drafts follow them. */
  chartsMoved(from: string, to: string, chartIds: readonly string[]): void;
}

export const draftKey = (kind: DraftKind, context: string, chartId: string, part: string) => `${kind}\u0000${context}\u0000${chartId}\u0000${part}`;
export const chartKey = (context: string, chartId: string) => `${context}\u0000${chartId}`;

export function createDraftsStore() {
  return createStore<DraftsState>()((set, get) => {
    const update = (key: string, change: (draft: Draft) => Draft) => {
      const draft = get().drafts.get(key);
      if (!draft) return;
      const drafts = new Map(get().drafts);
      drafts.set(key, change(draft));
      set({ drafts });
    };
    const draftsOf = (context: string, chartIds: readonly string[]) => {
      const ids = new Set(chartIds);
      return [...get().drafts.values()].filter((draft) => draft.context === context && ids.has(draft.chartId));
    };
    return {
      drafts: new Map(),
      removedCharts: new Set(),
      open(draft) {
        if (get().drafts.has(draft.key)) return; // a draft left open keeps its text
        const drafts = new Map(get().drafts);
        drafts.set(draft.key, { ...draft, text: draft.text ?? draft.base });
        set({ drafts });
      },
      type: (key, text) => update(key, (draft) => ({ ...draft, text })),
      rebase: (key, base, version, text) => update(key, (draft) => ({ ...draft, base, version, text: text ?? draft.text })),
      setSaving: (key, saving) => update(key, (draft) => ({ ...draft, saving })),
      close(key) {
        if (!get().drafts.has(key)) return;
        const drafts = new Map(get().drafts);
        drafts.delete(key);
        set({ drafts });
      },
      chartsGone(context, chartIds) {
        const gone = draftsOf(context, chartIds).map((draft) => chartKey(context, draft.chartId));
        if (gone.every((key) => get().removedCharts.has(key))) return;
        set({ removedCharts: new Set([...get().removedCharts, ...gone]) });
      },
      chartsThere(context, chartIds) {
        const back = chartIds.map((id) => chartKey(context, id)).filter((key) => get().removedCharts.has(key));
        if (back.length === 0) return;
        const removedCharts = new Set(get().removedCharts);
        for (const key of back) removedCharts.delete(key);
        set({ removedCharts });
      },
      chartsMoved(from, to, chartIds) {
        const moving = draftsOf(from, chartIds);
        if (moving.length === 0) return;
        const drafts = new Map(get().drafts);
        const stranded: string[] = [];
        for (const draft of moving) {
          const key = draftKey(draft.kind, to, draft.chartId, draft.part);
          const there = drafts.get(key);
          // The field opened and typed into in the new place already: neither text is dropped,
          // this one is listed apart, as a draft of a chart no longer where it was.
          if (there && there.text !== there.base) stranded.push(chartKey(from, draft.chartId));
          else {
            drafts.delete(draft.key);
            drafts.set(key, { ...draft, key, context: to });
          }
        }
        set({ drafts, ...(stranded.length > 0 ? { removedCharts: new Set([...get().removedCharts, ...stranded]) } : {}) });
      },
    };
  });
}
export type DraftsStore = ReturnType<typeof createDraftsStore>;
