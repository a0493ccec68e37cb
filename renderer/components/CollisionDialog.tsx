// Charts whose id the target context already uses for a different chart: the person chooses,
// for each, to move it under a new id or to skip it (it stays where it is). Never a silent
// overwrite.
import { useState } from 'react';
import { useStore } from 'zustand';
import { useStores } from './StoresProvider.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import type { IpcError } from '../../shared/contract.ts';
import type { Choice } from '../stores/contextMovesStore.ts';

export function CollisionDialog() {
  const { moves } = useStores();
  const pending = useStore(moves, (s) => s.collisions);
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [error, setError] = useState<IpcError | null>(null);
  if (!pending) return null;
  const colliding = pending.preview.charts.filter((c) => c.status === 'collision');
  const choiceOf = (id: string) => choices[id] ?? 'new-id';

  async function apply() {
    const result = await moves.getState().resolve(Object.fromEntries(colliding.map((c) => [c.id, choiceOf(c.id)])));
    if (result && !result.ok) setError(result.error);
    else {
      setChoices({});
      setError(null);
    }
  }

  return (
    <div className="dialog-backdrop">
      <div className="dialog collision-dialog" role="dialog" aria-modal="true" aria-label="Charts that collide" onKeyDown={(e) => e.key === 'Escape' && moves.getState().cancelCollisions()}>
        <h2>{pending.kind === 'merge' ? `Merging ${pending.from} into ${pending.to}` : `Moving to ${pending.to}`}</h2>
        <p>
          {colliding.length === 1 ? 'This chart has an id' : 'These charts have ids'} that {pending.to} already uses for a different chart. Nothing is overwritten: choose for each.
        </p>
        <ul className="collisions">
          {colliding.map((c) => (
            <li key={c.id}>
              <span className="collision-title" dir="auto">
                {c.title} <code>{c.id}</code>
                {c.subCharts > 0 ? ` (with ${c.subCharts} sub-chart${c.subCharts === 1 ? '' : 's'})` : ''}
              </span>
              <label>
                <input type="radio" name={`choice-${c.id}`} checked={choiceOf(c.id) === 'new-id'} onChange={() => setChoices({ ...choices, [c.id]: 'new-id' })} />
                Move it under a new id
              </label>
              <label>
                <input type="radio" name={`choice-${c.id}`} checked={choiceOf(c.id) === 'skip'} onChange={() => setChoices({ ...choices, [c.id]: 'skip' })} />
                Skip it (it stays in {pending.from})
              </label>
            </li>
          ))}
        </ul>
        {error && <ErrorMessage error={error} />}
        <div className="dialog-buttons">
          <button type="button" onClick={() => moves.getState().cancelCollisions()}>
            Cancel
          </button>
          <button type="button" className="primary" onClick={() => void apply()}>
            {pending.kind === 'merge' ? 'Merge' : 'Move'}
          </button>
        </div>
      </div>
    </div>
  );
}
