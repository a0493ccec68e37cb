// Undo for the last changes: each edit leaves the call that takes it back (its inverse, made
// from the chart as it was) and what the part must still show for the undo to apply: an undo
// never overwrites a change someone else made since. Every edit can be taken back, telescoping
// and creating a chart included.
import { createStore } from 'zustand/vanilla';
import type { ChannelInput, ChannelName, IpcResult } from '../../shared/contract.ts';
import type { Chart, ChartTree } from '../../shared/domain.ts';

export interface Call<C extends ChannelName = ChannelName> {
  readonly channel: C;
  readonly input: ChannelInput<C>;
}

/**
 * The part as the edit left it: read again at undo time, it must still show `expected`;
 * its version then goes with the inverse (so nothing can slip in between).
 */
export interface UndoCheck {
  readonly context: string;
  /** The chart to read (charts.tree), the one holding the part. */
  readonly chartId: string;
  /** What the part shows now and its version; undefined when it is gone. */
  readonly read: (chart: Chart) => { readonly shows: string; readonly version: string | undefined } | undefined;
  readonly expected: string;
  /** How a person names the part, for the refusal ("the desired outcome"). */
  readonly what: string;
  /**
   * Asked once the part shows `expected`, with the whole tree read (an undo that removes a chart
   * takes its sub-charts too): false when someone else changed something in it since.
   */
  readonly confirm?: (tree: ChartTree) => Promise<IpcResult<boolean>>;
}

export interface UndoEntry {
  readonly label: string;
  readonly inverse: Call;
  readonly check?: UndoCheck;
}

export interface UndoState {
  readonly entries: readonly UndoEntry[];
  push(entry: UndoEntry): void;
  pop(): UndoEntry | undefined;
}

export const UNDO_DEPTH = 30;

export function createUndoStore() {
  return createStore<UndoState>()((set, get) => ({
    entries: [],
    push: (entry) => set((s) => ({ entries: [...s.entries, entry].slice(-UNDO_DEPTH) })),
    pop() {
      const last = get().entries.at(-1);
      if (last) set((s) => ({ entries: s.entries.slice(0, -1) }));
      return last;
    },
  }));
}
export type UndoStore = ReturnType<typeof createUndoStore>;

export const call = <C extends ChannelName>(channel: C, input: ChannelInput<C>): Call => ({ channel, input }) as Call;
