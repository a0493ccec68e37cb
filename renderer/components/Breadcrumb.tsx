// The way back up from a sub-chart: its ancestors, root first. Long outcomes are shortened
// (the whole text is the button's title and accessible name).
import { useStore } from 'zustand';
import { shortTitle } from '../model/shortTitle.ts';
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
            <button type="button" className="link" dir="auto" title={a.desiredOutcome} aria-label={a.desiredOutcome} onClick={() => void selection.getState().select({ context: open.context, id: a.id })}>
              {shortTitle(a.desiredOutcome)}
            </button>
          </li>
        ))}
        <li aria-current="page" dir="auto" title={tree.chart.desiredOutcome}>
          {shortTitle(tree.chart.desiredOutcome)}
        </li>
      </ol>
    </nav>
  );
}
