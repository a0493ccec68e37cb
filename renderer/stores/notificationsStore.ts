// What the person is told: errors and notes (dismissable), and long-running work (a progress
// bar shows a task once it has run longer than a moment).
import { createStore } from 'zustand/vanilla';
import type { IpcError } from '../../shared/contract.ts';

export interface Notice {
  readonly id: number;
  readonly kind: 'error' | 'info';
  readonly title: string;
  readonly error?: IpcError;
}

export interface Task {
  readonly id: number;
  readonly label: string;
  readonly startedAt: number;
  readonly done?: number;
  readonly total?: number;
}

export interface NotificationsState {
  readonly notices: readonly Notice[];
  readonly tasks: readonly Task[];
  notify(kind: Notice['kind'], title: string, error?: IpcError): void;
  dismiss(id: number): void;
  startTask(label: string, total?: number): number;
  updateTask(id: number, done: number, total: number): void;
  endTask(id: number): void;
}

/** How long a note (not an error) stays on screen. */
export const INFO_SHOWN_MS = 6_000;

export function createNotificationsStore() {
  let next = 1;
  return createStore<NotificationsState>()((set) => ({
    notices: [],
    tasks: [],
    notify(kind, title, error) {
      const id = next++;
      set((s) => ({ notices: [...s.notices.slice(-4), { id, kind, title, ...(error ? { error } : {}) }] }));
      // A note goes by itself after a moment (it must not sit over the chart); an error stays until dismissed.
      if (kind === 'info') setTimeout(() => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })), INFO_SHOWN_MS);
    },
    dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
    startTask(label, total) {
      const id = next++;
      set((s) => ({ tasks: [...s.tasks, { id, label, startedAt: Date.now(), ...(total === undefined ? {} : { done: 0, total }) }] }));
      return id;
    },
    updateTask: (id, done, total) => set((s) => ({ tasks: s.tasks.map((t) => (t.id === id ? { ...t, done, total } : t)) })),
    endTask: (id) => set((s) => ({ tasks: s.tasks.filter((t) => t.id !== id) })),
  }));
}
export type NotificationsStore = ReturnType<typeof createNotificationsStore>;
