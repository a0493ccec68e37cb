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

/** Where the drafts of a chart can be taken up, the chart being no longer where the person left it. */
export interface Whereabouts {
  /**
   * moved: the chart itself went there (the drafts followed it, and are keyed to its new place);
   * same-title: the chart is gone, and a chart with the same desired outcome is there, maybe the
   * same one moved under a new id: nothing tells for sure, so its drafts stay listed apart.
   */
  readonly how: 'moved' | 'same-title';
  readonly context: string;
  readonly id: string;
  /** The desired outcome, to name the chart by. */
  readonly title: string;
}

export interface DraftsState {
  readonly drafts: ReadonlyMap<string, Draft>;
  /**
   * Charts (chartKey) that left the open chart's tree, or the open chart itself, while drafts
   * of theirs were open (removed, mostly by another program). Their fields went with them, so the
   * drafts are listed apart (DraftsOfRemovedCharts), to be copied or let go.
   */
  readonly removedCharts: ReadonlySet<string>;
  /** By chartKey: charts holding drafts that are not where the person left them (not open then), and where to go on. */
  readonly whereabouts: ReadonlyMap<string, Whereabouts>;
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
  /**
   * These charts are now in context `to` (moved by another program, or by this window): their drafts follow them.
   * `title`: the charts were not open, so where their drafts went is kept, to be shown.
   */
  chartsMoved(from: string, to: string, chartIds: readonly string[], title?: (chartId: string) => string): void;
  /** The gone chart `chartId` of `context` may be `where` (the same desired outcome): said beside its drafts. */
  sameTitleElsewhere(context: string, chartId: string, where: Whereabouts): void;
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
      whereabouts: new Map(),
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
        const keys = chartIds.map((id) => chartKey(context, id));
        const back = keys.filter((key) => get().removedCharts.has(key));
        // Open where they are now: their drafts are in their fields again, nothing to point at.
        const found = keys.filter((key) => get().whereabouts.has(key));
        if (back.length === 0 && found.length === 0) return;
        const removedCharts = new Set(get().removedCharts);
        for (const key of back) removedCharts.delete(key);
        const whereabouts = new Map(get().whereabouts);
        for (const key of found) whereabouts.delete(key);
        set({ removedCharts, whereabouts });
      },
      sameTitleElsewhere(context, chartId, where) {
        set({ whereabouts: new Map(get().whereabouts).set(chartKey(context, chartId), where) });
      },
      chartsMoved(from, to, chartIds, title) {
        const moving = draftsOf(from, chartIds);
        if (moving.length === 0) return;
        const drafts = new Map(get().drafts);
        const stranded: string[] = [];
        const whereabouts = new Map(get().whereabouts);
        for (const draft of moving) {
          const key = draftKey(draft.kind, to, draft.chartId, draft.part);
          const there = drafts.get(key);
          // The field opened and typed into in the new place already: neither text is dropped,
          // this one is listed apart, as a draft of a chart no longer where it was.
          if (there && there.text !== there.base) stranded.push(chartKey(from, draft.chartId));
          else {
            drafts.delete(draft.key);
            drafts.set(key, { ...draft, key, context: to });
            if (title) whereabouts.set(chartKey(to, draft.chartId), { how: 'moved', context: to, id: draft.chartId, title: title(draft.chartId) });
          }
        }
        set({ drafts, whereabouts, ...(stranded.length > 0 ? { removedCharts: new Set([...get().removedCharts, ...stranded]) } : {}) });
      },
    };
  });
}
export type DraftsStore = ReturnType<typeof createDraftsStore>;
