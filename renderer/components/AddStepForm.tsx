// Adds a step to a chart; keeps what was typed when the contract refuses it.
import { forwardRef, useState, type FormEvent } from 'react';
import type { IpcError } from '../../shared/contract.ts';
import type { Chart } from '../../shared/domain.ts';
import { useStores } from './StoresProvider.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';

export const AddStepForm = forwardRef<HTMLInputElement, { chart: Chart }>(function AddStepForm({ chart }, ref) {
  const { editor } = useStores();
  const [title, setTitle] = useState('');
  const [due, setDue] = useState('');
  const [error, setError] = useState<IpcError | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await editor.addStep(chart, title.trim(), due || undefined);
    if (result.ok) {
      setTitle('');
      setDue('');
      setError(null);
    } else setError(result.error);
  }
  return (
    <form className="add-step" onSubmit={(e) => void submit(e)}>
      <input ref={ref} aria-label={`New step for ${chart.desiredOutcome}`} placeholder="New action step (A)" value={title} onChange={(e) => setTitle(e.target.value)} />
      <input aria-label="Due date of the new step" type="date" value={due} onChange={(e) => setDue(e.target.value)} />
      <button type="submit">Add step</button>
      {error && <ErrorMessage error={error} />}
    </form>
  );
});
