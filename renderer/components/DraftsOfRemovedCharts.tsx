// What a person was typing in a chart that is no longer where they left it, kept in the window
// whatever chart is open: a chart removed meanwhile, mostly by another program (the open chart,
// or a sub-chart shown under it, or one they had left), its text to be copied or let go, with a
// chart of the same desired outcome named when there is one (maybe the same chart moved under a
// new id); and a chart another program moved to another context while it was not open, its
// text gone with it, to be opened there.
import type { ReactNode } from 'react';
import { useStore } from 'zustand';
import { chartKey, type Draft, type Whereabouts } from '../stores/draftsStore.ts';
import { useStores } from './StoresProvider.tsx';

const short = (title: string) => (title.length > 60 ? `${title.slice(0, 59)}…` : title);

function KeptDraft({ draft, where, children }: { draft: Draft; where: Whereabouts | undefined; children: ReactNode }) {
  const { drafts, selection } = useStores();
  return (
    <div className="draft-left-over">
      <span>
        {children} What you typed is kept: <q dir="auto">{draft.text}</q>
      </span>
      <span className="conflict-choices">
        {where && (
          <button type="button" className="primary" onClick={() => void selection.getState().select({ context: where.context, id: where.id })}>
            {where.how === 'moved' ? 'Open it there' : 'Open that chart'}
          </button>
        )}
        <button type="button" onClick={() => drafts.getState().close(draft.key)}>
          Let it go
        </button>
      </span>
    </div>
  );
}

export function DraftsOfRemovedCharts() {
  const { drafts } = useStores();
  const all = useStore(drafts, (s) => s.drafts);
  const removed = useStore(drafts, (s) => s.removedCharts);
  const whereabouts = useStore(drafts, (s) => s.whereabouts);
  const whereOf = (draft: Draft) => whereabouts.get(chartKey(draft.context, draft.chartId));
  const left = [...all.values()].filter((draft) => removed.has(chartKey(draft.context, draft.chartId)));
  const moved = [...all.values()].filter((draft) => !removed.has(chartKey(draft.context, draft.chartId)) && whereOf(draft)?.how === 'moved');
  return (
    <>
      {left.length > 0 && (
        <section className="drafts-left-over" aria-label="Text kept from removed charts" role="status">
          {left.map((draft) => {
            const where = whereOf(draft);
            return (
              <KeptDraft key={draft.key} draft={draft} where={where?.how === 'same-title' ? where : undefined}>
                A chart you were editing was removed ({draft.label}).
                {where?.how === 'same-title' && ` A chart with the same desired outcome, “${short(where.title)}”, is in the context “${where.context}”: it may be the same chart, moved there under a new id.`}
              </KeptDraft>
            );
          })}
        </section>
      )}
      {moved.length > 0 && (
        <section className="drafts-left-over" aria-label="Text kept from moved charts" role="status">
          {moved.map((draft) => (
            <KeptDraft key={draft.key} draft={draft} where={whereOf(draft)}>
              The chart “{short(whereOf(draft)?.title ?? '')}” you were editing ({draft.label}) was moved to the context “{whereOf(draft)?.context}”, and your text with it.
            </KeptDraft>
          ))}
        </section>
      )}
    </>
  );
}
