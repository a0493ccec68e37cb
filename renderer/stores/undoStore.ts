// Undo for the last changes: each edit leaves the calls that take it back (its inverse,
// computed from the chart as it was). Edits without a faithful inverse (telescope, completing
// the outcome) leave none and say so.
import { createStore } from 'zustand/vanilla';
import type { ChannelInput, ChannelName } from '../../shared/contract.ts';

export interface Call<C extends ChannelName = ChannelName> {
  readonly channel: C;
  readonly input: ChannelInput<C>;
}

export interface UndoEntry {
  readonly label: string;
  readonly inverse: readonly Call[];
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
