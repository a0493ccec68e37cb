// The dialogs of moving charts and importing (the "Move to…" picker, the collision dialog, the
// import preview), mounted once in the window, and the M shortcut: the picked charts, or the
// open one, to another context.
import { useEffect } from 'react';
import { useStores } from './StoresProvider.tsx';
import '../styles/contextMoves.css';
import { MoveToPicker } from './MoveToPicker.tsx';
import { CollisionDialog } from './CollisionDialog.tsx';
import { ImportPreviewDialog } from './ImportPanel.tsx';

function typing(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  return !!element && (element.tagName === 'INPUT' || element.tagName === 'TEXTAREA' || element.tagName === 'SELECT' || element.isContentEditable) && (element as HTMLInputElement).type !== 'checkbox';
}

export function ContextMoveDialogs() {
  const { moves, selection, notifications } = useStores();
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'm' && event.key !== 'M') return;
      if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      const picked = moves.getState().picked;
      const open = selection.getState().open;
      const chart = picked[0] ?? open;
      if (!chart) return notifications.getState().notify('info', 'Pick a chart in the list (or open one) to move it.');
      event.preventDefault();
      const { from, ids } = moves.getState().selectionFor(chart);
      moves.getState().openMoveTo(from, ids);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [moves, selection, notifications]);
  return (
    <>
      <MoveToPicker />
      <CollisionDialog />
      <ImportPreviewDialog />
    </>
  );
}
