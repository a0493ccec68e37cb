// Recently deleted: every chart, step and observation removed in the last 30 days (or another
// span), newest first, by whom and when, with the chart as it was; one click puts it back (a
// chart or a step with its sub-charts) as a new change.
import { useEffect } from 'react';
import { useStore } from 'zustand';
import type { DeletedEntry } from '../../shared/backupTypes.ts';
import { useStores } from './StoresProvider.tsx';
import { PanelDialog } from './PanelDialog.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { ChartVersionView } from './ChartVersionView.tsx';
import { formatTime } from '../model/dates.ts';
import { sinceWhen } from '../model/sinceWhen.ts';

const KIND: Record<DeletedEntry['kind'], string> = { chart: 'Chart', step: 'Step', observation: 'Note', entity: 'Record' };
const SPANS = [7, 30, 90, 365];

export function RecentlyDeleted({ onClose }: { onClose: () => void }) {
  const { deleted } = useStores();
  const items = useStore(deleted, (s) => s.items);
  const days = useStore(deleted, (s) => s.days);
  const loaded = useStore(deleted, (s) => s.loaded);
  const error = useStore(deleted, (s) => s.error);
  const restored = useStore(deleted, (s) => s.restored);
  useEffect(() => void deleted.getState().load(), [deleted]);

  return (
    <PanelDialog label="Recently deleted" title="Recently deleted" onClose={onClose}>
      <div className="panel-row">
        <label>
          Show what was deleted in the last{' '}
          <select value={days} onChange={(e) => void deleted.getState().load(Number(e.target.value))}>
            {SPANS.map((d) => (
              <option key={d} value={d}>
                {d} days
              </option>
            ))}
          </select>
        </label>
      </div>
      {restored && (
        <p role="status" className="ok-text">
          Put back: {restored.item.title} in {restored.item.context} ({restored.changed} records).
        </p>
      )}
      {error && <ErrorMessage error={error} />}
      {loaded && items.length === 0 && <p className="muted">Nothing was deleted in the last {days} days.</p>}
      <ul className="deleted-list" aria-label="Deleted things">
        {items.map((item) => (
          <li key={item.id} aria-label={`${KIND[item.kind]}: ${item.title}`}>
            <div className="deleted-head">
              <span>
                <strong>{KIND[item.kind]}</strong> {item.title}
                <span className="muted"> in {item.context}</span>
              </span>
              <button type="button" className="primary" onClick={() => void deleted.getState().restore(item.id)} aria-label={`Restore ${KIND[item.kind].toLowerCase()} ${item.title}`}>
                Restore
              </button>
            </div>
            <span className="muted" title={formatTime(item.deletedAt)}>
              Deleted {sinceWhen(item.deletedAt)} by {item.by}
              {item.subCharts.length > 0 ? `, with ${item.subCharts.length} sub-chart${item.subCharts.length === 1 ? '' : 's'}` : ''}
            </span>
            {item.chart && (
              <details>
                <summary>{item.kind === 'chart' ? 'The chart as it was' : 'Its chart as it was'}</summary>
                <ChartVersionView tree={item.chart} />
              </details>
            )}
          </li>
        ))}
      </ul>
    </PanelDialog>
  );
}
