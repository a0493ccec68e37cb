// The first run: no charts anywhere yet. Two sentences on what a structural tension chart is,
// and a sample chart to create with one click (or a blank one with N).
import { useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { IpcError } from '../../shared/contract.ts';
import { sampleChart } from '../model/sampleChart.ts';
import { newOperationId } from '../model/operationId.ts';
import { useStores } from './StoresProvider.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { focusChart } from './focusChart.ts';

export function FirstRun({ onNewChart }: { onNewChart: () => void }) {
  const { editor, charts, selection } = useStores();
  const scope = useStore(charts, (s) => s.scope);
  const [busy, setBusy] = useState(false);
  const sending = useRef(false);
  const [error, setError] = useState<IpcError | null>(null);
  const [op] = useState(() => newOperationId('sample-chart'));

  async function createSample() {
    if (sending.current) return;
    sending.current = true;
    setBusy(true);
    const context = scope ?? 'default';
    const result = await editor.createChart(sampleChart(context), { op });
    sending.current = false;
    setBusy(false);
    if (!result.ok) return setError(result.error);
    await selection.getState().select({ context, id: result.value.id });
    focusChart(result.value.id);
  }

  return (
    <section className="chart-view first-run" aria-label="Welcome">
      <h2>Welcome to Tension Desk</h2>
      <p>
        A structural tension chart sets what you want to create (the desired outcome, at the top) against an honest account of where you stand now
        (current reality, at the bottom). The action steps between them close that gap, and any step can become a chart of its own.
      </p>
      <div className="first-run-actions">
        <button type="button" className="primary" disabled={busy} onClick={() => void createSample()}>
          Create a sample chart
        </button>
        <button type="button" onClick={onNewChart}>
          Start a blank chart (N)
        </button>
      </div>
      {error && <ErrorMessage error={error} />}
    </section>
  );
}
