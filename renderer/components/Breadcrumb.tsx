// The way back up from a sub-chart: its ancestors, root first.
import { useStore } from 'zustand';
import { useStores } from './StoresProvider.tsx';

export function Breadcrumb() {
  const { selection } = useStores();
  const ancestors = useStore(selection, (s) => s.ancestors);
  const open = useStore(selection, (s) => s.open);
  const tree = useStore(selection, (s) => s.tree);
  if (!open || !tree) return null;
  return (
    <nav className="breadcrumb" aria-label="Breadcrumb">
      <ol>
        <li>{open.context}</li>
        {ancestors.map((a) => (
          <li key={a.id}>
            <button type="button" className="link" onClick={() => void selection.getState().select({ context: open.context, id: a.id })}>
              {a.desiredOutcome}
            </button>
          </li>
        ))}
        <li aria-current="page">{tree.chart.desiredOutcome}</li>
      </ol>
    </nav>
  );
}
