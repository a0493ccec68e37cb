// What a row of the chart list does beyond opening its chart: Ctrl/⌘+click picks it (or lets it
// go), Shift+click picks the range from the last pick, a drag carries the picked charts (or this
// one) toward a context in the sidebar, and a right click (or the Menu key) opens the menu.
import { useState, type DragEvent, type MouseEvent } from 'react';
import { useStore } from 'zustand';
import type { ChartSummary } from '../../shared/domain.ts';
import { useStores } from './StoresProvider.tsx';
import { CHART_DRAG_TYPE } from './ContextDropTarget.tsx';
import { ChartContextMenu, type MenuAt } from './ChartContextMenu.tsx';

export function useChartRowActions(items: readonly ChartSummary[]) {
  const { moves } = useStores();
  const picked = useStore(moves, (s) => s.picked);
  const [menu, setMenu] = useState<MenuAt | null>(null);
  const isPicked = (c: ChartSummary) => picked.some((p) => p.context === c.context && p.id === c.id);

  /** True when the click only picked (the chart is not opened). */
  function click(event: MouseEvent, c: ChartSummary, index: number): boolean {
    const ref = { context: c.context, id: c.id };
    if (event.ctrlKey || event.metaKey) {
      moves.getState().pick(ref, 'toggle');
      return true;
    }
    if (event.shiftKey) {
      const last = picked.at(-1);
      const from = last ? items.findIndex((i) => i.context === last.context && i.id === last.id) : index;
      const [a, b] = from <= index ? [Math.max(0, from), index] : [index, from];
      moves.getState().pickRange(items.slice(a, b + 1).map((i) => ({ context: i.context, id: i.id })));
      return true;
    }
    moves.getState().pick(ref, 'only');
    return false;
  }

  function openMenu(c: ChartSummary, x: number, y: number) {
    const { from, ids } = moves.getState().selectionFor({ context: c.context, id: c.id });
    setMenu({ x, y, from, ids });
  }

  const props = (c: ChartSummary) => ({
    draggable: true,
    'data-picked': isPicked(c) ? 'true' : undefined,
    'aria-pressed': isPicked(c),
    onDragStart(event: DragEvent) {
      const { from, ids } = moves.getState().selectionFor({ context: c.context, id: c.id });
      event.dataTransfer.setData(CHART_DRAG_TYPE, JSON.stringify({ from, ids }));
      event.dataTransfer.setData('text/plain', ids.join('\n'));
      event.dataTransfer.effectAllowed = 'move';
      moves.getState().startDrag(from, ids);
    },
    onDragEnd: () => moves.getState().endDrag(),
    onContextMenu(event: MouseEvent) {
      event.preventDefault();
      openMenu(c, event.clientX, event.clientY);
    },
  });

  const menuElement = menu ? <ChartContextMenu at={menu} onClose={() => setMenu(null)} /> : null;
  return { click, props, openMenu, menuElement, pickedCount: picked.length };
}
