// Current reality: its observations (each editable, removable) and a field to add one.
import { useRef, useState, type FormEvent } from 'react';
import type { IpcError } from '../../shared/contract.ts';
import type { Chart } from '../../shared/domain.ts';
import { hasVisibleText } from '../../shared/visibleText.ts';
import { useStores } from './StoresProvider.tsx';
import { EditableText } from './EditableText.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';

export function RealitySection({ chart }: { chart: Chart }) {
  const { editor } = useStores();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const sending = useRef(false);
  const [error, setError] = useState<IpcError | null>(null);

  async function add(event: FormEvent) {
    event.preventDefault();
    if (sending.current) return; // a second Enter while the first is on its way adds nothing
    if (!hasVisibleText(text)) return setError({ code: 'BAD_INPUT', message: 'Current reality: write what is true now before adding it.', kept: 'Nothing was changed.' });
    sending.current = true;
    setBusy(true);
    const result = await editor.addReality(chart, text.trim());
    sending.current = false;
    setBusy(false);
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
            <EditableText
              value={line}
              version={chart.versions?.reality}
              field={{ kind: 'reality-line', context: chart.context, chartId: chart.id, part: line }}
              label="current reality note"
              onSave={(to, ifVersion) => editor.editReality(chart, line, to, { ifVersion })}
            />
            <button type="button" className="icon" aria-label={`Remove “${line}” from current reality`} onClick={() => void editor.editReality(chart, line, undefined, { ifVersion: chart.versions?.reality }).then((r) => setError(r.ok ? null : r.error))}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={(e) => void add(e)} className="add-reality">
        <input
          aria-label={`Add to current reality of ${chart.desiredOutcome}`}
          placeholder="Add what is true now"
          dir="auto"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            if (error?.code === 'BAD_INPUT' && hasVisibleText(e.target.value)) setError(null);
          }}
        />
        <button type="submit" disabled={busy}>
          Add
        </button>
      </form>
      {error && <ErrorMessage error={error} />}
    </section>
  );
}
