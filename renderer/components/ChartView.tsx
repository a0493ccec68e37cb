// The open chart: breadcrumb, the chart tree in Fritz's layout, and its history on demand. With
// no chart anywhere yet, the first-run welcome instead.
import { forwardRef } from 'react';
import { useStore } from 'zustand';
import type { StepOrder } from '../model/stepOrder.ts';
import { useStores } from './StoresProvider.tsx';
import { Breadcrumb } from './Breadcrumb.tsx';
import { ChartCard } from './ChartCard.tsx';
import { HistoryPanel } from './HistoryPanel.tsx';
import { FirstRun } from './FirstRun.tsx';

export const ChartView = forwardRef<HTMLInputElement, { onNewChart: () => void }>(function ChartView({ onNewChart }, addStepRef) {
  const { selection, history, contexts, charts } = useStores();
  const open = useStore(selection, (s) => s.open);
  const tree = useStore(selection, (s) => s.tree);
  const order = useStore(selection, (s) => s.stepOrder);
  const historyOf = useStore(history, (s) => s.chart);
  const empty = useStore(contexts, (s) => s.loaded && s.list.every((c) => c.charts === 0));
  const listed = useStore(charts, (s) => s.loaded && s.summaries.length === 0 && s.scope === null);
  if (!open && empty && listed) return <FirstRun onNewChart={onNewChart} />;
  if (!open) return <section className="chart-view empty muted">Choose a chart, or press N to create one.</section>;
  if (!tree) return <section className="chart-view empty muted">Opening the chart…</section>;
  const showingHistory = historyOf?.id === tree.chart.id;
  return (
    <section className="chart-view" aria-label="Open chart">
      <Breadcrumb />
      <div className="chart-toolbar">
        <label>
          Steps
          <select value={order} onChange={(e) => selection.getState().setStepOrder(e.target.value as StepOrder)}>
            <option value="due">by due date</option>
            <option value="arranged">as arranged (reorder)</option>
          </select>
        </label>
        <button type="button" onClick={() => (showingHistory ? history.getState().close() : void history.getState().show({ context: tree.chart.context, id: tree.chart.id }))}>
          {showingHistory ? 'Hide history' : 'History'}
        </button>
      </div>
      {showingHistory && <HistoryPanel />}
      <ChartCard tree={tree} addStepRef={addStepRef} />
    </section>
  );
});
