// A context in the sidebar as a place to drop charts: while charts are dragged over it, it says
// what the drop will do (how many charts arrive, which collide) before anything happens; the
// drop moves them (collisions open the dialog instead).
import type { DragEvent, ReactNode } from 'react';
import { useStore } from 'zustand';
import { useStores } from './StoresProvider.tsx';
import type { MovePreviewView } from '../../shared/contractContexts.ts';

export const CHART_DRAG_TYPE = 'application/x-tension-charts';

export function dropSummary(preview: MovePreviewView): string {
  const arrive = preview.charts.filter((c) => c.status === 'new').length;
  const there = preview.charts.filter((c) => c.status === 'same').length;
  const collide = preview.charts.filter((c) => c.status === 'collision').length;
  const subs = preview.charts.reduce((sum, c) => sum + c.subCharts, 0);
  const parts = [`Move ${arrive + there + collide} chart${arrive + there + collide === 1 ? '' : 's'}${subs > 0 ? ` with ${subs} sub-chart${subs === 1 ? '' : 's'}` : ''} to ${preview.to}`];
  if (there > 0) parts.push(`${there} already there`);
  if (collide > 0) parts.push(`${collide} collide${collide === 1 ? 's' : ''}: you choose a new id or skip`);
  return parts.join('; ');
}

export function ContextDropTarget({ context, children }: { context: string; children: ReactNode }) {
  const { moves } = useStores();
  const dragging = useStore(moves, (s) => s.dragging);
  const preview = useStore(moves, (s) => (s.dropPreview?.to === context ? s.dropPreview : null));
  const active = dragging !== null && dragging.from !== context;

  function over(event: DragEvent) {
    if (!active) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
    void moves.getState().previewDrop(context);
  }

  function drop(event: DragEvent) {
    const drag = moves.getState().dragging;
    if (!drag || drag.from === context) return;
    event.preventDefault();
    void moves.getState().move(drag.from, drag.ids, context);
  }

  return (
    <div className={`drop-target${active ? ' drop-ready' : ''}${preview ? ' drop-over' : ''}`} onDragOver={over} onDragEnter={over} onDrop={drop} data-drop-context={context}>
      {children}
      {preview && (
        <p className="drop-preview" role="status" data-testid={`drop-preview-${context}`}>
          {preview.preview ? dropSummary(preview.preview) : preview.error ? preview.error.message : `Reading what moving to ${context} would do…`}
        </p>
      )}
    </div>
  );
}
