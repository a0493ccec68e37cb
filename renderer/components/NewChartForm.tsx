// Creating a chart with its steps. Stays open with everything typed when the contract refuses.
import { useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import type { IpcError } from '../../shared/contract.ts';
import { useStores } from './StoresProvider.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';

export function NewChartForm({ onClose }: { onClose: () => void }) {
  const { editor, charts, contexts, selection } = useStores();
  const scope = useStore(charts, (s) => s.scope);
  const known = useStore(contexts, (s) => s.list);
  const [context, setContext] = useState(scope ?? known[0]?.context ?? 'default');
  const [outcome, setOutcome] = useState('');
  const [reality, setReality] = useState('');
  const [due, setDue] = useState('');
  const [steps, setSteps] = useState<{ title: string; dueDate: string }[]>([{ title: '', dueDate: '' }]);
  const [error, setError] = useState<IpcError | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const filled = steps.filter((s) => s.title.trim() !== '').map((s) => ({ title: s.title.trim(), ...(s.dueDate ? { dueDate: s.dueDate } : {}) }));
    const result = await editor.createChart({ context: context.trim(), outcome: outcome.trim(), reality: reality.split('\n').map((l) => l.trim()).filter(Boolean), ...(due ? { dueDate: due } : {}), steps: filled });
    if (!result.ok) return setError(result.error);
    onClose();
    void selection.getState().select({ context: context.trim(), id: result.value.id });
  }

  const setStep = (i: number, patch: Partial<{ title: string; dueDate: string }>) => setSteps((list) => list.map((s, j) => (j === i ? { ...s, ...patch } : s)));

  return (
    <div className="dialog-backdrop">
      <form className="dialog new-chart" role="dialog" aria-label="New chart" onSubmit={(e) => void submit(e)} onKeyDown={(e) => e.key === 'Escape' && onClose()}>
        <h3>New chart</h3>
        <label>
          Context
          <input value={context} onChange={(e) => setContext(e.target.value)} list="known-contexts" />
          <datalist id="known-contexts">
            {known.map((c) => (
              <option key={c.context} value={c.context} />
            ))}
          </datalist>
        </label>
        <label>
          Desired outcome
          <input autoFocus value={outcome} onChange={(e) => setOutcome(e.target.value)} placeholder="What you want to create" />
        </label>
        <label>
          Due date
          <input type="date" value={due} onChange={(e) => setDue(e.target.value)} />
        </label>
        <fieldset>
          <legend>Action steps</legend>
          {steps.map((s, i) => (
            <div key={i} className="step-input">
              <input aria-label={`Step ${i + 1}`} value={s.title} onChange={(e) => setStep(i, { title: e.target.value })} placeholder={`Step ${i + 1}`} />
              <input aria-label={`Due date of step ${i + 1}`} type="date" value={s.dueDate} onChange={(e) => setStep(i, { dueDate: e.target.value })} />
            </div>
          ))}
          <button type="button" onClick={() => setSteps((list) => [...list, { title: '', dueDate: '' }])}>
            Another step
          </button>
        </fieldset>
        <label>
          Current reality (one line each)
          <textarea value={reality} onChange={(e) => setReality(e.target.value)} rows={3} placeholder="What is true now" />
        </label>
        {error && <ErrorMessage error={error} />}
        <div className="dialog-buttons">
          <button type="submit" className="primary">
            Create chart
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}
