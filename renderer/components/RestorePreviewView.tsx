// What restoring from a backup would do, shown before anything is done: for one chart, that
// backup's version beside today's; for a whole context, the charts that differ and what
// happens to each (each can be restored alone); the records added, changed and removed.
import type { RestorePreview } from '../../shared/backupTypes.ts';
import { formatTime } from '../model/dates.ts';
import { ChartVersionView } from './ChartVersionView.tsx';

const CHANGE: Record<RestorePreview['charts'][number]['change'], string> = { restored: 'comes back', removed: 'goes (made after the backup)', changed: 'goes back to how it was' };

export function RestorePreviewView({ preview, onPickChart }: { preview: RestorePreview; onPickChart?: (chartId: string) => void }) {
  const { added, changed, removed } = preview.records;
  const when = formatTime(preview.backup.created);
  return (
    <section aria-label="Restore preview" className="restore-preview">
      <p>
        Restoring {preview.chartId ? 'this chart' : `everything in ${preview.context}`} from the backup of {when} would add {added}, change {changed} and remove {removed} records.
        {added + changed + removed === 0 ? ' It is the same as today: nothing would change.' : ''}
      </p>
      {preview.chartId ? (
        <div className="side-by-side">
          <section aria-label="In the backup">
            <h4>In the backup ({when})</h4>
            {preview.inBackup ? <ChartVersionView tree={preview.inBackup} /> : <p className="muted">Not in this backup.</p>}
          </section>
          <section aria-label="Today">
            <h4>Today</h4>
            {preview.today ? <ChartVersionView tree={preview.today} /> : <p className="muted">Not there today (deleted, or never there).</p>}
          </section>
        </div>
      ) : preview.charts.length === 0 ? (
        <p className="muted">No chart differs from the backup.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Chart</th>
              <th>If restored</th>
              {onPickChart && <th />}
            </tr>
          </thead>
          <tbody>
            {preview.charts.map((c) => (
              <tr key={c.id}>
                <td>{c.desiredOutcome}</td>
                <td>{CHANGE[c.change]}</td>
                {onPickChart && (
                  <td>
                    {c.change !== 'removed' && (
                      <button type="button" onClick={() => onPickChart(c.id)} aria-label={`Restore only the chart ${c.desiredOutcome}`}>
                        Only this chart…
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
