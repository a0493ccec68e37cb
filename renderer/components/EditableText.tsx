// Text edited in place: shows the value; the Edit button opens a field holding a draft (kept in
// the drafts store, so neither a live refresh nor the field disappearing loses it). Enter saves
// (Shift+Enter starts a new line in a multi-line field), Escape cancels. The save names the
// version the person started from; when another program changed the value meanwhile, both are
// shown and the person chooses: keep mine, take theirs, or merge the two by hand.
import { useState, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import type { IpcError, IpcResult } from '../../shared/contract.ts';
import { hasVisibleText } from '../../shared/visibleText.ts';
import { draftKey, type DraftKind } from '../stores/draftsStore.ts';
import { useStores } from './StoresProvider.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';

export interface EditableField {
  readonly kind: DraftKind;
  readonly context: string;
  readonly chartId: string;
  readonly part: string;
}

interface Props {
  readonly value: string;
  /** The part's version as read now (live): what the draft started from is compared with it. */
  readonly version: string | undefined;
  readonly field: EditableField;
  /** How the field is named: the edit button says "Edit <label>", the field is labelled "<label>". */
  readonly label: string;
  readonly onSave: (text: string, ifVersion: string | undefined) => Promise<IpcResult<unknown>>;
  readonly type?: 'text' | 'date';
  /** A multi-line field as wide as the text it edits (the desired outcome). */
  readonly multiline?: boolean;
  readonly className?: string;
  readonly placeholder?: string;
  /** Saving an empty value is allowed (a date cleared); otherwise it is refused at the field. */
  readonly allowEmpty?: boolean;
}

export function EditableText({ value, version, field, label, onSave, type = 'text', multiline = false, className, placeholder, allowEmpty }: Props) {
  const { drafts, selection } = useStores();
  const key = draftKey(field.kind, field.context, field.chartId, field.part);
  const draft = useStore(drafts, (s) => s.drafts.get(key));
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);
  const changedMeanwhile = draft !== undefined && draft.base !== value;

  function open() {
    setError(null);
    drafts.getState().open({ key, ...field, label, base: value, version });
  }

  function close() {
    setError(null);
    drafts.getState().close(key);
  }

  async function save(text: string, ifVersion: string | undefined) {
    if (!draft) return;
    if (text === value && !changedMeanwhile) return close();
    if (!hasVisibleText(text) && !allowEmpty) return setError({ code: 'BAD_INPUT', message: `${capitalized(label)}: write something (only spaces or invisible characters cannot be saved).`, kept: 'Nothing was changed.' });
    setBusy(true);
    drafts.getState().setSaving(key, true);
    const result = await onSave(text.trim(), ifVersion);
    drafts.getState().setSaving(key, false);
    setBusy(false);
    if (result.ok) return close();
    setError(result.error);
    // Another program changed it after the last refresh: show the chart as it is now, and
    // with it both versions (the draft is kept).
    if (result.error.code === 'CONFLICT') void selection.getState().reload();
  }

  function onKey(event: KeyboardEvent<HTMLInputElement | HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !(multiline && event.shiftKey) && draft) {
      event.preventDefault();
      // Unchanged underneath: the part's newest version is the one the person has seen.
      if (!changedMeanwhile) void save(draft.text, value === draft.base ? (version ?? draft.version) : draft.version);
    }
    if (event.key === 'Escape') {
      event.stopPropagation();
      close();
    }
  }

  if (!draft) {
    return (
      <span className={`editable ${className ?? ''}`}>
        <span className="editable-value" dir="auto">
          {value || <em className="muted">{placeholder ?? 'none'}</em>}
        </span>
        <button type="button" className="icon" aria-label={`Edit ${label}`} title={`Edit ${label}`} onClick={open}>
          ✎
        </button>
      </span>
    );
  }

  const common = {
    'aria-label': label,
    value: draft.text,
    autoFocus: true,
    disabled: busy,
    dir: 'auto' as const,
    onChange: (e: { target: { value: string } }) => drafts.getState().type(key, e.target.value),
    onKeyDown: onKey,
  };
  return (
    <span className={`editable editing${multiline ? ' multiline' : ''} ${className ?? ''}`}>
      {multiline ? <textarea {...common} rows={Math.min(8, Math.max(2, Math.ceil(draft.text.length / 60)))} /> : <input {...common} type={type} />}
      {changedMeanwhile ? (
        <span className="conflict" role="group" aria-label={`${capitalized(label)} was changed meanwhile`}>
          <strong>Another program changed the {label} while you were editing it.</strong>
          <span className="conflict-versions">
            <span>
              <span className="muted">Yours:</span> <span dir="auto">{draft.text || '(empty)'}</span>
            </span>
            <span>
              <span className="muted">Saved now:</span> <span dir="auto">{value || '(empty)'}</span>
            </span>
          </span>
          <span className="conflict-choices">
            <button type="button" className="primary" disabled={busy} onClick={() => void save(draft.text, version)}>
              Keep mine
            </button>
            <button type="button" disabled={busy} onClick={close}>
              Take theirs
            </button>
            {type === 'text' && (
              <button type="button" disabled={busy} onClick={() => drafts.getState().rebase(key, value, version, merged(value, draft.text, multiline))} title="Put both into the field, to combine them by hand">
                Merge
              </button>
            )}
          </span>
        </span>
      ) : (
        <>
          <button type="button" onClick={() => void save(draft.text, value === draft.base ? (version ?? draft.version) : draft.version)} disabled={busy}>
            Save
          </button>
          <button type="button" onClick={close}>
            Cancel
          </button>
        </>
      )}
      {error && !(changedMeanwhile && error.code === 'CONFLICT') && <ErrorMessage error={error} />}
    </span>
  );
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Both texts in the field, theirs first, for the person to combine. */
function merged(theirs: string, mine: string, multiline: boolean): string {
  if (theirs.includes(mine)) return theirs;
  if (mine.includes(theirs)) return mine;
  return multiline ? `${theirs}\n${mine}` : `${theirs} / ${mine}`;
}
