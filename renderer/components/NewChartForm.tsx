// Creating a chart with its steps. Required fields are marked before anything is sent; what is
// missing or wrong is said in plain words at its field, and the message goes once its cause
// does. The form submits once (pressing Enter again while it is on its way does nothing) and
// keeps one operation id for its draft, so even a request sent twice makes one chart. Stays
// open with everything typed when the contract refuses; after creating, the chart is opened
// and focused.
import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { IpcError } from '../../shared/contract.ts';
import { checkNewChart, fieldErrorsOf, sentence, type FieldErrors } from '../model/fieldErrors.ts';
import { newOperationId } from '../model/operationId.ts';
import { focusChart } from './focusChart.ts';
import { useStores } from './StoresProvider.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';

const SHOWN_AT_A_FIELD = new Set(['context', 'outcome', 'dueDate', 'steps', 'reality']);

export function NewChartForm({ onClose }: { onClose: () => void }) {
  const { editor, charts, contexts, selection } = useStores();
  const scope = useStore(charts, (s) => s.scope);
  const known = useStore(contexts, (s) => s.list);
  const [context, setContext] = useState(scope ?? known[0]?.context ?? 'default');
  const [outcome, setOutcome] = useState('');
  const [reality, setReality] = useState('');
  const [due, setDue] = useState('');
  const [steps, setSteps] = useState<{ title: string; dueDate: string }[]>([{ title: '', dueDate: '' }]);
  const [tried, setTried] = useState(false);
  const [refused, setRefused] = useState<{ fields: FieldErrors; error: IpcError } | null>(null);
  const [busy, setBusy] = useState(false);
  // Set at once (state is set on the next render): three Enters in a row see it already.
  const sending = useRef(false);
  const [op] = useState(() => newOperationId('charts.create'));
  const id = useId();

  const realityLines = reality.split('\n').map((l) => l.trim()).filter(Boolean);
  const missing = tried ? checkNewChart({ context, outcome, reality: realityLines }) : {};
  const problemOf = (field: string) => missing[field] ?? refused?.fields[field];
  const clearRefused = (field: string) => {
    if (refused?.fields[field]) setRefused({ ...refused, fields: Object.fromEntries(Object.entries(refused.fields).filter(([f]) => f !== field)) });
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (sending.current) return;
    setTried(true);
    if (Object.keys(checkNewChart({ context, outcome, reality: realityLines })).length > 0) return;
    const filled = steps.filter((s) => s.title.trim() !== '').map((s) => ({ title: s.title.trim(), ...(s.dueDate ? { dueDate: s.dueDate } : {}) }));
    sending.current = true;
    setBusy(true);
    const result = await editor.createChart({ context: context.trim(), outcome: outcome.trim(), reality: realityLines, ...(due ? { dueDate: due } : {}), steps: filled }, { op });
    sending.current = false;
    setBusy(false);
    if (!result.ok) return setRefused({ fields: fieldErrorsOf(result.error), error: result.error });
    onClose();
    await selection.getState().select({ context: context.trim(), id: result.value.id });
    focusChart(result.value.id);
  }

  const setStep = (i: number, patch: Partial<{ title: string; dueDate: string }>) => setSteps((list) => list.map((s, j) => (j === i ? { ...s, ...patch } : s)));

  /** A labelled field with its problem (if any) said beneath it and tied to it for screen readers. */
  const field = (name: string, label: string, required: boolean, control: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string; 'aria-required'?: boolean }) => ReactNode) => {
    const problem = problemOf(name);
    const fieldId = `${id}-${name}`;
    return (
      <div className="field">
        <label htmlFor={fieldId} className={required ? 'required' : undefined}>
          {label}
        </label>
        {control({ id: fieldId, 'aria-invalid': problem !== undefined, ...(problem ? { 'aria-describedby': `${fieldId}-problem` } : {}), ...(required ? { 'aria-required': true } : {}) })}
        {problem && (
          <span id={`${fieldId}-problem`} className="field-error" role="alert">
            {sentence(name, problem)}
          </span>
        )}
      </div>
    );
  };

  return (
    <div className="dialog-backdrop">
      <form className="dialog new-chart" role="dialog" aria-modal="true" aria-label="New chart" noValidate onSubmit={(e) => void submit(e)} onKeyDown={(e) => e.key === 'Escape' && onClose()}>
        <h3>New chart</h3>
        <p className="muted required-note">Fields marked * are required.</p>
        {field('context', 'Context', true, (props) => (
          <>
            <input {...props} value={context} onChange={(e) => (setContext(e.target.value), clearRefused('context'))} list="known-contexts" />
            <datalist id="known-contexts">
              {known.map((c) => (
                <option key={c.context} value={c.context} />
              ))}
            </datalist>
          </>
        ))}
        {field('outcome', 'Desired outcome', true, (props) => (
          <input {...props} autoFocus dir="auto" value={outcome} onChange={(e) => (setOutcome(e.target.value), clearRefused('outcome'))} placeholder="What you want to create" />
        ))}
        {field('dueDate', 'Due date', false, (props) => (
          <input {...props} type="date" value={due} onChange={(e) => (setDue(e.target.value), clearRefused('dueDate'))} />
        ))}
        <fieldset>
          <legend>Action steps</legend>
          {steps.map((s, i) => (
            <div key={i} className="step-input">
              <input aria-label={`Step ${i + 1}`} dir="auto" value={s.title} onChange={(e) => setStep(i, { title: e.target.value })} placeholder={`Step ${i + 1}`} />
              <input aria-label={`Due date of step ${i + 1}`} type="date" value={s.dueDate} onChange={(e) => setStep(i, { dueDate: e.target.value })} />
            </div>
          ))}
          <button type="button" onClick={() => setSteps((list) => [...list, { title: '', dueDate: '' }])}>
            Another step
          </button>
          {refused?.fields.steps && <span className="field-error" role="alert">{sentence('steps', refused.fields.steps)}</span>}
        </fieldset>
        {field('reality', 'Current reality (one line each)', true, (props) => (
          <textarea {...props} dir="auto" value={reality} onChange={(e) => (setReality(e.target.value), clearRefused('reality'))} rows={3} placeholder="What is true now" />
        ))}
        {refused && Object.keys(refused.fields).some((f) => !SHOWN_AT_A_FIELD.has(f)) && <ErrorMessage error={refused.error} />}
        <div className="dialog-buttons">
          <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
            {busy ? 'Creating…' : 'Create chart'}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}
