// "Move to…": the keyboard's (and the context menu's) way to move the picked charts, or the
// open one: a list of the other contexts (and a new one), with what the move would do.
import { useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { useStores } from './StoresProvider.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { dropSummary } from './ContextDropTarget.tsx';
import type { IpcError } from '../../shared/contract.ts';
import type { MovePreviewView } from '../../shared/contractContexts.ts';

export function MoveToPicker() {
  const { moves, contexts, client } = useStores();
  const target = useStore(moves, (s) => s.moveTo);
  const list = useStore(contexts, (s) => s.list);
  const [to, setTo] = useState('');
  const [preview, setPreview] = useState<MovePreviewView | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const first = useRef<HTMLSelectElement>(null);
  const others = list.filter((c) => c.context !== target?.from).map((c) => c.context);

  useEffect(() => {
    if (!target) return;
    // Reset when the picker opens, not when the list refreshes.
    setTo(others[0] ?? '');
    setError(null);
    first.current?.focus();
  }, [target]);

  useEffect(() => {
    setPreview(null);
    if (!target || to === '') return;
    let current = true;
    void client.call('charts.movePreview', { from: target.from, to, ids: [...target.ids] }).then((r) => current && setPreview(r.ok ? r.value : null));
    return () => {
      current = false;
    };
  }, [target, to, client]);

  if (!target) return null;
  const close = () => moves.getState().closeMoveTo();

  async function submit() {
    if (!target || to === '') return;
    const result = await moves.getState().move(target.from, target.ids, to);
    if (result && !result.ok) setError(result.error);
  }

  return (
    <div className="dialog-backdrop">
      <form
        className="dialog move-to"
        role="dialog"
        aria-modal="true"
        aria-label="Move to another context"
        onSubmit={(e) => (e.preventDefault(), void submit())}
        onKeyDown={(e) => e.key === 'Escape' && close()}
      >
        <h2>
          Move {target.ids.length === 1 ? 'the chart' : `${target.ids.length} charts`} from {target.from}
        </h2>
        <label>
          To context
          <select ref={first} value={to} onChange={(e) => setTo(e.target.value)}>
            {others.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <p role="status" className="muted">
          {preview ? dropSummary(preview) : to === '' ? 'Create another context first.' : 'Reading what the move would do…'}
        </p>
        {error && <ErrorMessage error={error} />}
        <div className="dialog-buttons">
          <button type="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={to === ''}>
            Move
          </button>
        </div>
      </form>
    </div>
  );
}
