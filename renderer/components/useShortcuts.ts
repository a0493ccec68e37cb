// Keyboard shortcuts, active wherever focus is not in a text field (a step's checkbox, a
// button, the list): N new chart, A new step, / search, C complete (or reopen) the focused
// step, Ctrl/Cmd+Z undo, ? help. Escape leaves a text field, and closes the shortcuts panel.
import { useEffect } from 'react';

export interface ShortcutActions {
  newChart(): void;
  newStep(): void;
  search(): void;
  complete(stepName: string | null): void;
  undo(): void;
  help(): void;
  /** Escape outside a text field (closes the shortcuts panel); true when it did something. */
  escape(): boolean;
}

export const SHORTCUTS: readonly [string, string][] = [
  ['N', 'new chart'],
  ['A', 'new action step in the open chart'],
  ['/', 'search all contexts'],
  ['C', 'complete or reopen the focused step'],
  ['Ctrl+Z', 'undo the last change'],
  ['↑ ↓ Enter', 'move in the chart list and open'],
  ['Escape', 'leave a field, close this panel'],
  ['?', 'show these shortcuts'],
];

/** Input types that take no typing: a checkbox or a button keeps the shortcuts. */
const NOT_TYPED = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image']);

export function isTextField(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  if (!element) return false;
  if (element.tagName === 'INPUT') return !NOT_TYPED.has((element as HTMLInputElement).type);
  return element.tagName === 'TEXTAREA' || element.tagName === 'SELECT' || element.isContentEditable;
}

export function useShortcuts(actions: ShortcutActions): void {
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.defaultPrevented || event.altKey) return;
      if (event.key === 'Escape') {
        if (isTextField(event.target)) {
          (event.target as HTMLElement).blur();
          event.preventDefault();
        } else if (actions.escape()) event.preventDefault();
        return;
      }
      if (isTextField(event.target)) return;
      const key = event.key.toLowerCase();
      if ((event.ctrlKey || event.metaKey) && key === 'z' && !event.shiftKey) {
        event.preventDefault();
        actions.undo();
        return;
      }
      if (event.ctrlKey || event.metaKey) return;
      const step = (event.target as HTMLElement | null)?.closest?.('[data-step]')?.getAttribute('data-step') ?? null;
      const handlers: Record<string, () => void> = { n: actions.newChart, a: actions.newStep, '/': actions.search, c: () => actions.complete(step), '?': actions.help };
      const handler = handlers[key];
      if (!handler) return;
      event.preventDefault();
      handler();
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [actions]);
}
