// The chart list's context menu (right click, or the Menu key / Shift+F10 on a row): move the
// picked charts (or this one) to another context, or export them.
import { useEffect, useRef } from 'react';
import { useStores } from './StoresProvider.tsx';
import { downloadText } from '../model/download.ts';

export interface MenuAt {
  readonly x: number;
  readonly y: number;
  readonly from: string;
  readonly ids: readonly string[];
}

export function ChartContextMenu({ at, onClose }: { at: MenuAt; onClose: () => void }) {
  const { moves, notifications } = useStores();
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), []);
  const what = at.ids.length === 1 ? 'the chart' : `${at.ids.length} charts`;

  async function exportAs(format: 'jsonl' | 'markdown') {
    onClose();
    const result = await moves.getState().exportCharts(at.from, at.ids, format);
    if (!result.ok) return notifications.getState().notify('error', 'The export failed', result.error);
    downloadText(result.value.fileName, result.value.mediaType, result.value.text);
  }

  return (
    <div className="chart-menu" role="menu" aria-label={`Actions for ${what}`} style={{ left: at.x, top: at.y }} onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <button ref={first} type="button" role="menuitem" onClick={() => (onClose(), moves.getState().openMoveTo(at.from, at.ids))}>
        Move {what} to… <kbd>M</kbd>
      </button>
      <button type="button" role="menuitem" onClick={() => void exportAs('markdown')}>
        Export {what} as Markdown
      </button>
      <button type="button" role="menuitem" onClick={() => void exportAs('jsonl')}>
        Export {what} as JSONL
      </button>
    </div>
  );
}
