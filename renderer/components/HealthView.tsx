// The health view: what is wrong and what to do (notices), each context's integrity, backups,
// who changed the charts day by day (this app, the CLI, assistants, other programs rewriting the
// file), how fast the engine answers, and the room the data takes and how long the disk lasts.
import { useStore } from 'zustand';
import type { HealthReport } from '../../shared/healthFigures.ts';
import { useStores } from './StoresProvider.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { TimeSeriesPlot, type PlotSeries } from './TimeSeriesPlot.tsx';
import { bytesText, msText, plural, timeText } from './figureFormat.ts';
import { FigureCard } from './FigureCard.tsx';

const ORIGIN_COLORS: Record<string, string> = { app: '--accent', cli: '--ok', mcp: '--warn', external: '--danger' };

export function HealthView() {
  const { insights } = useStores();
  const report = useStore(insights, (s) => s.health);
  const error = useStore(insights, (s) => s.error);
  const busy = useStore(insights, (s) => s.busy);
  const scope = useStore(insights, (s) => s.scope);
  return (
    <section className="figures-view" aria-label="Health" data-view="health">
      <div className="view-head">
        <h2>Health of {scope ?? 'all contexts'}</h2>
        <button type="button" disabled={busy} onClick={() => void insights.getState().checkNow()}>
          Check every context now
        </button>
        <button type="button" onClick={() => void insights.getState().show('charts')}>
          Back to the charts
        </button>
      </div>
      {error && <ErrorMessage error={error} />}
      {!report && !error && <p className="muted">Reading the health figures…</p>}
      {report && <HealthFigures report={report} />}
    </section>
  );
}

function HealthFigures({ report }: { report: HealthReport }) {
  const { insights } = useStores();
  const { backups, capacity, activity } = report;
  const origins: PlotSeries[] = activity.byOrigin.map((o) => ({ label: o.label, points: o.perDay, color: ORIGIN_COLORS[o.origin] ?? '--muted' }));
  return (
    <>
      <p className="muted">
        As of {timeText(report.asOf)} UTC · daily figures {report.days.from} to {report.days.to} · {report.root}
      </p>
      {report.notices.length > 0 && (
        <ul className="health-notices" aria-label="Problems">
          {report.notices.map((n) => (
            <li key={n.id} className={n.severity}>
              <strong>{n.title}.</strong> {n.message} <span className="muted">To act: {n.action.label} (<code>{n.action.command}</code>)</span>
            </li>
          ))}
        </ul>
      )}
      <div className="figure-cards">
        <FigureCard label="overall" value={report.health} className={`health-${report.health}`} />
        <FigureCard label="last backup" value={backups.lastBackup ? `${plural(backups.lastBackup.ageDays, 'day')} ago` : 'none'} />
        <FigureCard label="last verified backup" value={backups.lastVerifiedBackup ? timeText(backups.lastVerifiedBackup.at) : 'none'} />
        <FigureCard label="free space" value={capacity.freeBytes === null ? 'unknown' : bytesText(capacity.freeBytes)} className={capacity.low ? 'health-damaged' : ''} />
        <FigureCard label="days until full" value={capacity.daysUntilFull === null ? 'not growing' : capacity.daysUntilFull > 3650 ? 'over 10 years' : String(capacity.daysUntilFull)} />
        <FigureCard label="outside rewrites" value={String(activity.outsideRewrites)} />
      </div>

      <h3>Integrity</h3>
      <table className="figures-table">
        <thead>
          <tr>
            <th>Context</th>
            <th>Health</th>
            <th>Damaged lines</th>
            <th>In .recovery/</th>
            <th>Last verified</th>
          </tr>
        </thead>
        <tbody>
          {report.contexts.map((c) => (
            <tr key={c.context}>
              <td>{c.context}</td>
              <td className={`health-${c.integrity.health}`}>{c.integrity.health}</td>
              <td className="number">{c.integrity.damagedLines}</td>
              <td className="number">{bytesText(c.integrity.quarantinedBytes)}</td>
              <td>{c.integrity.lastVerified ? `${timeText(c.integrity.lastVerified.at)} (${c.integrity.lastVerified.by})` : 'not yet'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {backups.damagedBackups.length > 0 && <p className="health-damaged">Backups that failed their check: {backups.damagedBackups.join(', ')}</p>}

      <h3>Activity</h3>
      <div className="plots">
        {origins.length > 0 ? <TimeSeriesPlot id="plot-changes-by-origin" title="Changes per day, by who made them" series={origins} kind="line" /> : <p className="muted">No changes in these days.</p>}
        <TimeSeriesPlot id="plot-outside-rewrites" title="Rewrites of the file by other programs, per day" series={[{ label: 'rewrites', points: activity.outsideRewritesPerDay, color: '--danger' }]} kind="bars" />
      </div>
      {activity.assistants.length > 0 && <p>AI assistants: {activity.assistants.map((a) => `${a.name} (${plural(a.changes, 'change')})`).join(', ')}</p>}
      {activity.lastOutsideRewrite && <p className="muted">Last rewrite by another program: {timeText(activity.lastOutsideRewrite)}</p>}

      <h3>Space</h3>
      <div className="figure-cards">
        <FigureCard label="context files" value={bytesText(capacity.contextFileBytes)} />
        <FigureCard label="journals" value={bytesText(capacity.journalBytes)} />
        <FigureCard label="backups" value={bytesText(capacity.backupBytes)} />
        <FigureCard label="insights caches" value={bytesText(capacity.rollupBytes)} />
        <FigureCard label="growth per day" value={bytesText(capacity.growthPerDay)} />
      </div>
      <div className="plots">
        <TimeSeriesPlot
          id="plot-space"
          title="Space used at the end of each day"
          format={bytesText}
          series={[
            { label: 'journals', points: capacity.growth.journalBytes, color: '--accent' },
            { label: 'context files', points: capacity.growth.contextFileBytes, color: '--ok' },
            { label: 'backups', points: capacity.growth.backupBytes, color: '--warn' },
          ]}
        />
      </div>
      {capacity.remedies.map((r) => (
        <p key={r.action}>
          {r.description}{' '}
          <button type="button" className="primary" onClick={() => void insights.getState().freeSpace()}>
            Free space now
          </button>
        </p>
      ))}

      <h3>Performance</h3>
      <p className="muted">The newest {plural(report.performance.recent, 'operation')} of this app since it started.</p>
      <table className="figures-table">
        <thead>
          <tr>
            <th>Work</th>
            <th>Operations</th>
            <th>Median</th>
            <th>99th percentile</th>
            <th>Failures</th>
          </tr>
        </thead>
        <tbody>
          {report.performance.operations.map((o) => (
            <tr key={o.what}>
              <td>{o.what}</td>
              <td className="number">{o.count}</td>
              <td className="number">{msText(o.p50Ms)}</td>
              <td className="number">{msText(o.p99Ms)}</td>
              <td className="number">{o.failures}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
