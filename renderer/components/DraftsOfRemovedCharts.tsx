// What a person was typing in a chart removed meanwhile, mostly by another program (the open
// chart, or a sub-chart shown under it): the field went with the chart, so the text is kept
// here, in the window whatever chart is open, to be copied from or let go.
import { useStore } from 'zustand';
import { chartKey } from '../stores/draftsStore.ts';
import { useStores } from './StoresProvider.tsx';

export function DraftsOfRemovedCharts() {
  const { drafts } = useStores();
  const all = useStore(drafts, (s) => s.drafts);
  const removed = useStore(drafts, (s) => s.removedCharts);
  const left = [...all.values()].filter((draft) => removed.has(chartKey(draft.context, draft.chartId)));
  if (left.length === 0) return null;
  return (
    <section className="drafts-left-over" aria-label="Text kept from removed charts" role="status">
      {left.map((draft) => (
        <div key={draft.key} className="draft-left-over">
          <span>
            A chart you were editing was removed ({draft.label}). What you typed is kept: <q dir="auto">{draft.text}</q>
          </span>
          <span className="conflict-choices">
            <button type="button" onClick={() => drafts.getState().close(draft.key)}>
              Let it go
            </button>
          </span>
        </div>
      ))}
    </section>
  );
}
