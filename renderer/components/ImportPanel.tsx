// Import: a JSONL file (ours, the reference server's, a COAIA server's) picked with the button
// or dropped on the window is read here and previewed: what is new, what changes, which charts
// collide (import them under a new id, or skip them), which lines cannot be read. Applying is
// one transaction, and Undo takes it back.
import { useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { useStores } from './StoresProvider.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import type { IpcError } from '../../shared/contract.ts';
import type { Choice } from '../stores/contextMovesStore.ts';

const LIMIT = 64_000_000;

/** The context an import goes to: the one shown, else the default. */
function useImportTarget(): string {
  const { charts } = useStores();
  return useStore(charts, (s) => s.scope) ?? 'default';
}

export function ImportButton() {
  const { moves, notifications } = useStores();
  const target = useImportTarget();
  const input = useRef<HTMLInputElement>(null);

  async function read(file: File | undefined) {
    if (!file) return;
    if (file.size > LIMIT) return notifications.getState().notify('error', `${file.name} is larger than 64 MB: split it and import each part.`);
    const result = await moves.getState().previewImport(target, file.name, await file.text());
    if (!result.ok) notifications.getState().notify('error', `${file.name} could not be read`, result.error);
  }

  // A file dropped anywhere on the window is imported the same way (charts dragged between contexts are not files).
  useEffect(() => {
    const over = (event: DragEvent) => {
      if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
    };
    const drop = (event: DragEvent) => {
      const file = event.dataTransfer?.files[0];
      if (!file) return;
      event.preventDefault();
      void read(file);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
    };
  });

  return (
    <>
      <button type="button" className="link" onClick={() => input.current?.click()} title="Import a JSONL file (or drop it on the window)">
        Import into {target}…
      </button>
      <input ref={input} type="file" accept=".jsonl,.json,application/json,text/plain" hidden data-testid="import-file" onChange={(e) => (void read(e.target.files?.[0]), (e.target.value = ''))} />
    </>
  );
}

export function ImportPreviewDialog() {
  const { moves } = useStores();
  const draft = useStore(moves, (s) => s.importing);
  const [choice, setChoice] = useState<Choice>('new-id');
  const [error, setError] = useState<IpcError | null>(null);
  if (!draft) return null;
  const { preview } = draft;

  async function apply() {
    const result = await moves.getState().applyImport(preview.collisions.length > 0 ? choice : undefined);
    if (result && !result.ok) setError(result.error);
    else setError(null);
  }

  const nothing = preview.newRecords === 0 && preview.changed.length === 0 && preview.collisions.length === 0;
  return (
    <div className="dialog-backdrop">
      <div className="dialog import-preview" role="dialog" aria-modal="true" aria-label="Import preview" onKeyDown={(e) => e.key === 'Escape' && moves.getState().cancelImport()}>
        <h2>
          Import {draft.source} into {draft.context}
        </h2>
        <ul className="import-summary" data-testid="import-summary">
          <li>{preview.newRecords} new records</li>
          <li>{preview.changed.length} records that change{preview.changed.length > 0 ? `: ${preview.changed.slice(0, 8).join(', ')}${preview.changed.length > 8 ? '…' : ''}` : ''}</li>
          <li>{preview.unchanged} already there as they are</li>
          <li>{preview.collisions.length} charts that collide{preview.collisions.length > 0 ? `: ${preview.collisions.map((c) => c.id).join(', ')}` : ''}</li>
          <li>{preview.unreadable.length} lines that could not be read</li>
        </ul>
        {preview.unreadable.length > 0 && (
          <ul className="findings">
            {preview.unreadable.slice(0, 20).map((u) => (
              <li key={u.where}>
                {u.where}: {u.reason}
              </li>
            ))}
          </ul>
        )}
        {preview.collisions.length > 0 && (
          <fieldset>
            <legend>Charts whose id {draft.context} uses for a different chart</legend>
            <label>
              <input type="radio" checked={choice === 'new-id'} onChange={() => setChoice('new-id')} /> Import them under a new id
            </label>
            <label>
              <input type="radio" checked={choice === 'skip'} onChange={() => setChoice('skip')} /> Skip them
            </label>
          </fieldset>
        )}
        {error && <ErrorMessage error={error} />}
        <div className="dialog-buttons">
          <button type="button" onClick={() => moves.getState().cancelImport()}>
            Cancel
          </button>
          <button type="button" className="primary" disabled={nothing} onClick={() => void apply()}>
            {nothing ? 'Nothing to import' : 'Import'}
          </button>
        </div>
      </div>
    </div>
  );
}
