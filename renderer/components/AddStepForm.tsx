// Adds a step to a chart; keeps what was typed when the contract refuses it. One operation id
// per step typed: a second Enter while the first is on its way adds the step once.
import { forwardRef, useRef, useState, type FormEvent } from 'react';
import type { IpcError } from '../../shared/contract.ts';
import type { Chart } from '../../shared/domain.ts';
import { hasVisibleText } from '../../shared/visibleText.ts';
import { newOperationId } from '../model/operationId.ts';
import { useStores } from './StoresProvider.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';

export const AddStepForm = forwardRef<HTMLInputElement, { chart: Chart }>(function AddStepForm({ chart }, ref) {
  const { editor } = useStores();
  const [title, setTitle] = useState('');
  const [due, setDue] = useState('');
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);
  const sending = useRef(false);
  const [op, setOp] = useState(() => newOperationId('steps.add'));

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (sending.current) return;
    if (!hasVisibleText(title)) return setError({ code: 'BAD_INPUT', message: 'New step: write its title first.', kept: 'Nothing was changed.' });
    sending.current = true;
    setBusy(true);
    const result = await editor.addStep(chart, title.trim(), due || undefined, { op });
    sending.current = false;
    setBusy(false);
    if (result.ok) {
      setTitle('');
      setDue('');
      setError(null);
      setOp(newOperationId('steps.add'));
    } else setError(result.error);
  }
  return (
    <form className="add-step" onSubmit={(e) => void submit(e)}>
      <input
        ref={ref}
        aria-label={`New step for ${chart.desiredOutcome}`}
        placeholder="New action step (A)"
        dir="auto"
        value={title}
        onChange={(e) => {
          setTitle(e.target.value);
          if (error?.code === 'BAD_INPUT' && hasVisibleText(e.target.value)) setError(null);
        }}
      />
      <input aria-label={`Due date for the new step in ${chart.desiredOutcome}`} type="date" value={due} onChange={(e) => setDue(e.target.value)} />
      <button type="submit" disabled={busy}>
        Add step
      </button>
      {error && <ErrorMessage error={error} />}
    </form>
  );
});
