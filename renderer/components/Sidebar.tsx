// The contexts: each with its chart count and a health badge, "All contexts" on top, and a
// small form to create one.
import { useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import type { IpcError } from '../../shared/contract.ts';
import { useStores } from './StoresProvider.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';

export function Sidebar() {
  const { contexts, charts } = useStores();
  const list = useStore(contexts, (s) => s.list);
  const scope = useStore(charts, (s) => s.scope);
  const total = list.reduce((sum, c) => sum + c.charts, 0);
  const [name, setName] = useState('');
  const [error, setError] = useState<IpcError | null>(null);

  async function create(event: FormEvent) {
    event.preventDefault();
    const result = await contexts.getState().create(name.trim());
    if (result.ok) {
      setName('');
      setError(null);
      void charts.getState().load(name.trim());
    } else setError(result.error);
  }

  return (
    <nav className="sidebar" aria-label="Contexts">
      <h2>Contexts</h2>
      <ul>
        <li>
          <button type="button" className="context" aria-current={scope === null ? 'page' : undefined} onClick={() => void charts.getState().load(null)}>
            <span>All contexts</span>
            <span className="count">{total}</span>
          </button>
        </li>
        {list.map((c) => (
          <li key={c.context}>
            <button type="button" className="context" aria-current={scope === c.context ? 'page' : undefined} onClick={() => void charts.getState().load(c.context)} title={c.findings.join('\n') || undefined}>
              <span>{c.context}</span>
              <span className="count" aria-label={`${c.charts} charts`}>{c.charts}</span>
              <span className={`health health-${c.health}`} aria-label={`health: ${c.health}`}>
                {c.health === 'ok' ? '●' : c.health === 'damaged' ? '▲ damaged' : '■ read-only'}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={(e) => void create(e)} className="new-context">
        <label>
          New context
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. work" />
        </label>
        <button type="submit" disabled={name.trim() === ''}>
          Create
        </button>
        {error && <ErrorMessage error={error} />}
      </form>
    </nav>
  );
}
