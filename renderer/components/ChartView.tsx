// The open chart: breadcrumb, the chart tree in Fritz's layout, and its history on demand.
import { forwardRef } from 'react';
import { useStore } from 'zustand';
import type { StepOrder } from '../model/stepOrder.ts';
import { useStores } from './StoresProvider.tsx';
import { Breadcrumb } from './Breadcrumb.tsx';
import { ChartCard } from './ChartCard.tsx';
import { HistoryPanel } from './HistoryPanel.tsx';

export const ChartView = forwardRef<HTMLInputElement>(function ChartView(_props, addStepRef) {
  const { selection, history } = useStores();
  const open = useStore(selection, (s) => s.open);
  const tree = useStore(selection, (s) => s.tree);
  const order = useStore(selection, (s) => s.stepOrder);
  const historyOf = useStore(history, (s) => s.chart);
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
