// Current reality: its observations (each editable, removable) and a field to add one.
import { useState, type FormEvent } from 'react';
import type { IpcError } from '../../shared/contract.ts';
import type { Chart } from '../../shared/domain.ts';
import { useStores } from './StoresProvider.tsx';
import { EditableText } from './EditableText.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';

export function RealitySection({ chart }: { chart: Chart }) {
  const { editor } = useStores();
  const [text, setText] = useState('');
  const [error, setError] = useState<IpcError | null>(null);

  async function add(event: FormEvent) {
    event.preventDefault();
    const result = await editor.addReality(chart, text.trim());
    if (result.ok) {
      setText('');
      setError(null);
    } else setError(result.error);
  }
  return (
    <section className="reality" aria-label="Current reality">
      <h4>Current reality</h4>
      <ul>
        {chart.currentReality.map((line) => (
          <li key={line}>
            <EditableText value={line} label="current reality note" onSave={(to) => editor.editReality(chart, line, to)} />
            <button type="button" className="icon" aria-label={`Remove "${line}" from current reality`} onClick={() => void editor.editReality(chart, line, undefined).then((r) => setError(r.ok ? null : r.error))}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={(e) => void add(e)} className="add-reality">
        <input aria-label={`Add to current reality of ${chart.desiredOutcome}`} placeholder="Add what is true now" value={text} onChange={(e) => setText(e.target.value)} />
        <button type="submit">Add</button>
      </form>
      {error && <ErrorMessage error={error} />}
    </section>
  );
}
