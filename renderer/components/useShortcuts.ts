// Keyboard shortcuts, active when no text field has focus: N new chart, A new step, / search,
// C complete (or reopen) the focused step, Ctrl/Cmd+Z undo, ? help.
import { useEffect } from 'react';

export interface ShortcutActions {
  newChart(): void;
  newStep(): void;
  search(): void;
  complete(stepName: string | null): void;
  undo(): void;
  help(): void;
}

export const SHORTCUTS: readonly [string, string][] = [
  ['N', 'new chart'],
  ['A', 'new action step in the open chart'],
  ['/', 'search all contexts'],
  ['C', 'complete or reopen the focused step'],
  ['Ctrl+Z', 'undo the last change'],
  ['↑ ↓ Enter', 'move in the chart list and open'],
  ['?', 'show these shortcuts'],
];

function typing(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  return !!element && (element.tagName === 'INPUT' || element.tagName === 'TEXTAREA' || element.tagName === 'SELECT' || element.isContentEditable);
}

export function useShortcuts(actions: ShortcutActions): void {
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (typing(event.target) || event.altKey) return;
      const key = event.key.toLowerCase();
      if ((event.ctrlKey || event.metaKey) && key === 'z') {
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
