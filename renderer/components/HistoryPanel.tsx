// A chart's timeline (newest first): who changed it (this app or an outside tool), when, and
// what; choosing an entry shows the chart as it was then beside the chart as it is today.
import { useStore } from 'zustand';
import { timelineOf } from '../model/timeline.ts';
import { formatTime } from '../model/dates.ts';
import { useStores } from './StoresProvider.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { PastVersion } from './PastVersion.tsx';

export function HistoryPanel() {
  const { history, selection } = useStores();
  const entries = useStore(history, (s) => s.entries);
  const error = useStore(history, (s) => s.error);
  const past = useStore(history, (s) => s.past);
  const pastTime = useStore(history, (s) => s.pastTime);
  const today = useStore(selection, (s) => s.tree?.chart);
  const chart = useStore(history, (s) => s.chart);
  // Steps by the sub-chart they became, to name the step a telescope in the history made.
  const stepOfSubChart = new Map((today?.steps ?? []).flatMap((s) => (s.telescopedInto ? [[s.telescopedInto, s.title] as const] : [])));
  const items = timelineOf(entries, { chartId: chart?.id ?? today?.id ?? '', stepOfSubChart });
  return (
    <section className="history" aria-label="History">
      <div className="history-head">
        <h3>History</h3>
        <button type="button" onClick={() => history.getState().close()}>
          Close history
        </button>
      </div>
      {error && <ErrorMessage error={error} />}
      <ol className="timeline">
        {items.map((item) => (
          <li key={item.tx}>
            <button type="button" className={`timeline-item${pastTime === item.ts ? ' selected' : ''}`} onClick={() => void history.getState().viewAt(item.ts)}>
              <span className="when">{formatTime(item.ts)}</span>
              <span className={`who origin-${item.origin}`}>{item.who}</span>
              <span className="what" dir="auto">
                {item.what.join('; ')}
              </span>
            </button>
          </li>
        ))}
      </ol>
      {past && pastTime && (
        <div className="side-by-side">
          <PastVersion chart={past} title={`As it was on ${formatTime(pastTime)}`} />
          {today && <PastVersion chart={today} title="Today" />}
        </div>
      )}
    </section>
  );
}
