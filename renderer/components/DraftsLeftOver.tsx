// What a person was typing into a part that another program removed meanwhile (a step, a line
// of current reality): the text is kept and shown here, to be added back or let go, instead
// of vanishing with the field.
import { useState } from 'react';
import { useStore } from 'zustand';
import type { IpcError } from '../../shared/contract.ts';
import type { Chart } from '../../shared/domain.ts';
import type { Draft } from '../stores/draftsStore.ts';
import { useStores } from './StoresProvider.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';

function isGone(draft: Draft, chart: Chart): boolean {
  if (draft.saving || draft.context !== chart.context || draft.chartId !== chart.id) return false;
  if (draft.kind === 'step-title' || draft.kind === 'step-due') return !chart.steps.some((s) => s.name === draft.part);
  if (draft.kind === 'reality-line') return !chart.currentReality.includes(draft.part);
  return false;
}

export function DraftsLeftOver({ chart }: { chart: Chart }) {
  const { drafts, editor } = useStores();
  const all = useStore(drafts, (s) => s.drafts);
  const [error, setError] = useState<IpcError | null>(null);
  const gone = [...all.values()].filter((draft) => isGone(draft, chart));
  if (gone.length === 0) return null;

  async function addBack(draft: Draft) {
    const result = draft.kind === 'reality-line' ? await editor.addReality(chart, draft.text.trim()) : await editor.addStep(chart, draft.text.trim());
    setError(result.ok ? null : result.error);
    if (result.ok) drafts.getState().close(draft.key);
  }

  return (
    <section className="drafts-left-over" aria-label="Text kept from removed parts" role="status">
      {gone.map((draft) => (
        <div key={draft.key} className="draft-left-over">
          <span>
            Another program removed {draft.label} while you were editing it. What you typed is kept: <q dir="auto">{draft.text}</q>
          </span>
          <span className="conflict-choices">
            {draft.kind !== 'step-due' && (
              <button type="button" className="primary" onClick={() => void addBack(draft)}>
                {draft.kind === 'reality-line' ? 'Add it to current reality' : 'Add it as a new step'}
              </button>
            )}
            <button type="button" onClick={() => drafts.getState().close(draft.key)}>
              Let it go
            </button>
          </span>
        </div>
      ))}
      {error && <ErrorMessage error={error} />}
    </section>
  );
}
