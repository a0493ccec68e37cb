// Text edited in place: shows the value; Enter (or the Edit button) opens a field holding a
// local draft, which live refreshes never overwrite; Enter saves, Escape cancels. On an error
// the field stays open with the draft and the error under it.
import { useState, type KeyboardEvent } from 'react';
import type { IpcError, IpcResult } from '../../shared/contract.ts';
import { hasVisibleText } from '../../shared/visibleText.ts';
import { ErrorMessage } from './ErrorMessage.tsx';

interface Props {
  readonly value: string;
  readonly label: string;
  readonly onSave: (text: string) => Promise<IpcResult<unknown>>;
  readonly type?: 'text' | 'date';
  readonly className?: string;
  readonly placeholder?: string;
  /** Saving an empty value: what to send (null clears a date); undefined refuses it. */
  readonly allowEmpty?: boolean;
}

export function EditableText({ value, label, onSave, type = 'text', className, placeholder, allowEmpty }: Props) {
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);

  async function save() {
    if (draft === null) return;
    if (draft === value) return setDraft(null);
    if (!hasVisibleText(draft) && !allowEmpty) return setError({ code: 'BAD_INPUT', message: `${label} cannot be empty (or only invisible characters).`, kept: 'Nothing was changed.' });
    setBusy(true);
    const result = await onSave(draft.trim());
    setBusy(false);
    if (result.ok) {
      setDraft(null);
      setError(null);
    } else setError(result.error);
  }

  function onKey(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'Enter') void save();
    if (event.key === 'Escape') {
      event.stopPropagation();
      setDraft(null);
      setError(null);
    }
  }

  if (draft === null) {
    return (
      <span className={`editable ${className ?? ''}`}>
        <span className="editable-value">{value || <em className="muted">{placeholder ?? 'none'}</em>}</span>
        <button type="button" className="icon" aria-label={`Edit ${label}`} title={`Edit ${label}`} onClick={() => setDraft(value)}>
          ✎
        </button>
      </span>
    );
  }
  return (
    <span className={`editable editing ${className ?? ''}`}>
      <input aria-label={label} type={type} value={draft} autoFocus disabled={busy} onChange={(e) => setDraft(e.target.value)} onKeyDown={onKey} />
      <button type="button" onClick={() => void save()} disabled={busy}>
        Save
      </button>
      <button type="button" onClick={() => { setDraft(null); setError(null); }}>
        Cancel
      </button>
      {error && <ErrorMessage error={error} />}
    </span>
  );
}
