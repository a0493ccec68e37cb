// What can be done to a context from the sidebar: rename it, merge it into another (previewed:
// what arrives, what is already there, what collides), delete it (a backup is taken first;
// Undo brings it back), export it as JSONL or as Markdown. Each change can be undone.
import { useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import { useStores } from './StoresProvider.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { dropSummary } from './ContextDropTarget.tsx';
import { downloadText } from '../model/download.ts';
import type { IpcError } from '../../shared/contract.ts';
import type { MovePreviewView } from '../../shared/contractContexts.ts';

type Mode = 'menu' | 'rename' | 'merge' | 'delete' | null;
const RESERVED = new Set(['default', 'completed']);

export function ContextActions({ context }: { context: string }) {
  const { moves, contexts } = useStores();
  const list = useStore(contexts, (s) => s.list);
  const [mode, setMode] = useState<Mode>(null);
  const [name, setName] = useState(context);
  const [into, setInto] = useState('');
  const [preview, setPreview] = useState<MovePreviewView | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const others = list.map((c) => c.context).filter((c) => c !== context);
  const close = () => (setMode(null), setError(null), setPreview(null));

  async function rename(event: FormEvent) {
    event.preventDefault();
    const result = await moves.getState().rename(context, name.trim());
    if (result.ok) close();
    else setError(result.error);
  }

  async function choose(target: string) {
    setInto(target);
    setPreview(null);
    const result = await moves.getState().mergePreview(context, target);
    if (result.ok) setPreview(result.value);
    else setError(result.error);
  }

  async function merge() {
    const result = await moves.getState().merge(context, into);
    if (result && !result.ok) setError(result.error);
    else close();
  }

  async function remove() {
    const result = await moves.getState().remove(context);
    if (result.ok) close();
    else setError(result.error);
  }

  async function exportAs(format: 'jsonl' | 'markdown') {
    const result = await moves.getState().exportCharts(context, undefined, format);
    if (!result.ok) return setError(result.error);
    downloadText(result.value.fileName, result.value.mediaType, result.value.text);
    close();
  }

  const reserved = RESERVED.has(context);
  return (
    <>
      <button type="button" className="icon context-menu-button" aria-label={`Actions for context ${context}`} aria-expanded={mode !== null} onClick={() => (mode ? close() : setMode('menu'))}>
        ⋯
      </button>
      {mode !== null && (
        <div className="context-actions" role="region" aria-label={`Context ${context}`}>
          {mode === 'menu' && (
            <span className="conflict-choices">
              {!reserved && <button type="button" onClick={() => (setName(context), setMode('rename'))}>Rename…</button>}
              <button type="button" disabled={others.length === 0} onClick={() => (setMode('merge'), void choose(others[0] ?? ''))}>Merge into…</button>
              {!reserved && <button type="button" onClick={() => setMode('delete')}>Delete…</button>}
              <button type="button" onClick={() => void exportAs('markdown')}>Export as Markdown</button>
              <button type="button" onClick={() => void exportAs('jsonl')}>Export as JSONL</button>
            </span>
          )}
          {mode === 'rename' && (
            <form onSubmit={(e) => void rename(e)} className="rename-context">
              <label>
                New name for {context}
                <input autoFocus value={name} onChange={(e) => setName(e.target.value)} onKeyDown={(e) => e.key === 'Escape' && close()} />
              </label>
              <span className="conflict-choices">
                <button type="submit" className="primary" disabled={name.trim() === '' || name.trim() === context}>
                  Rename
                </button>
                <button type="button" onClick={close}>Cancel</button>
              </span>
            </form>
          )}
          {mode === 'merge' && (
            <div className="merge-context">
              <label>
                Merge {context} into
                <select value={into} onChange={(e) => void choose(e.target.value)}>
                  {others.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              </label>
              <p role="status" data-testid="merge-preview">
                {preview ? `${dropSummary(preview)}${preview.loose.move > 0 ? `; ${preview.loose.move} other records` : ''}` : 'Reading what the merge would do…'}
              </p>
              <span className="conflict-choices">
                <button type="button" className="primary" disabled={!preview} onClick={() => void merge()}>
                  Merge
                </button>
                <button type="button" onClick={close}>Cancel</button>
              </span>
            </div>
          )}
          {mode === 'delete' && (
            <div>
              <p>Delete {context}? A backup is taken first, and Undo brings it back.</p>
              <span className="conflict-choices">
                <button type="button" className="danger" onClick={() => void remove()}>
                  Delete {context}
                </button>
                <button type="button" onClick={close}>Cancel</button>
              </span>
            </div>
          )}
          {error && <ErrorMessage error={error} />}
        </div>
      )}
    </>
  );
}
