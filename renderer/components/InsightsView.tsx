// The insights view: what a context's history says (or all contexts' together): charts created
// and completed per week, steps completed and how long they took, overdue steps over time,
// charts gone quiet, how deep telescoping goes. A stalled chart opens its progress page.
import { useStore } from 'zustand';
import type { ContextInsights } from '../../shared/insightFigures.ts';
import { useStores } from './StoresProvider.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { TimeSeriesPlot } from './TimeSeriesPlot.tsx';
import { FigureCard } from './FigureCard.tsx';
import { plural, timeText } from './figureFormat.ts';

export function InsightsView() {
  const { insights, selection } = useStores();
  const figures = useStore(insights, (s) => s.insights);
  const error = useStore(insights, (s) => s.error);
  const scope = useStore(insights, (s) => s.scope);
  const open = useStore(selection, (s) => s.open);
  return (
    <section className="figures-view" aria-label="Insights" data-view="insights">
      <div className="view-head">
        <h2>Insights of {scope ?? 'all contexts'}</h2>
        {open && (
          <button type="button" onClick={() => void insights.getState().showProgress(open.id, open.context)}>
            Progress of the open chart
          </button>
        )}
        <button type="button" onClick={() => void insights.getState().show('charts')}>
          Back to the charts
        </button>
      </div>
      {error && <ErrorMessage error={error} />}
      {!figures && !error && <p className="muted">Reading the insights…</p>}
      {figures && <InsightFigures figures={figures} />}
    </section>
  );
}

function InsightFigures({ figures }: { figures: ContextInsights }) {
  const { insights } = useStores();
  const times = figures.stepTimeToComplete;
  return (
    <>
      <p className="muted">
        Weeks from Monday, {figures.weeks.from} to {figures.weeks.to} (UTC) · as of {timeText(figures.asOf)}
      </p>
      <div className="figure-cards">
        <FigureCard label="charts open" value={String(figures.charts.open)} />
        <FigureCard label="charts complete" value={String(figures.charts.complete)} />
        <FigureCard label="steps open" value={String(figures.steps.open)} />
        <FigureCard label="median days to complete a step" value={times.medianDays === null ? '–' : String(times.medianDays)} />
        <FigureCard label="steps overdue now" value={String(figures.overdueSteps.now)} className={figures.overdueSteps.now > 0 ? 'health-read-only' : ''} />
        <FigureCard label={`stalled (${figures.stalled.days}+ days quiet)`} value={String(figures.stalled.count)} />
        <FigureCard label="levels of telescoping" value={String(figures.telescoping.maxDepth)} />
      </div>
      <div className="plots">
        <TimeSeriesPlot
          id="plot-charts-per-week"
          title="Charts per week"
          series={[
            { label: 'created', points: figures.createdPerWeek, color: '--accent' },
            { label: 'completed', points: figures.completedPerWeek, color: '--ok' },
            { label: 'telescoped', points: figures.telescopedPerWeek, color: '--warn' },
          ]}
        />
        <TimeSeriesPlot id="plot-steps-per-week" title="Steps completed per week" series={[{ label: 'steps completed', points: figures.stepsCompletedPerWeek, color: '--ok' }]} kind="bars" />
        <TimeSeriesPlot id="plot-step-days" title={`Median days from a step's creation to its completion (${plural(times.completions, 'step')})`} series={[{ label: 'median days', points: times.medianDaysPerWeek, color: '--accent' }]} />
        <TimeSeriesPlot id="plot-overdue" title="Steps overdue at the end of each week" series={[{ label: 'overdue', points: figures.overdueSteps.perWeek, color: '--danger' }]} kind="steps" />
      </div>
      <h3>Stalled: no change for {figures.stalled.days} days or more</h3>
      {figures.stalled.count === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <table className="figures-table">
          <thead>
            <tr>
              <th>Chart</th>
              <th>Context</th>
              <th>Last change</th>
              <th>Days quiet</th>
            </tr>
          </thead>
          <tbody>
            {figures.stalled.charts.map((c) => (
              <tr key={`${c.context}/${c.id}`}>
                <td>
                  <button type="button" className="link" onClick={() => void insights.getState().showProgress(c.id, c.context)}>
                    {c.id}
                  </button>
                </td>
                <td>{c.context}</td>
                <td>{timeText(c.lastChange)}</td>
                <td className="number">{c.quietDays}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {figures.stalled.count > figures.stalled.charts.length && <p className="muted">The {figures.stalled.charts.length} quiet the longest of {figures.stalled.count}.</p>}
      <h3>Telescoping</h3>
      <p>
        {figures.telescoping.byDepth.map((d) => `${plural(d.charts, 'chart')} at level ${d.depth}`).join(' · ') || 'No charts.'}
        {figures.telescoping.deepest && ` · deepest: ${figures.telescoping.deepest.id} (${figures.telescoping.deepest.context})`}
      </p>
      {figures.unresolvedEdits > 0 && <p className="muted">{plural(figures.unresolvedEdits, 'edit')} in the history could not be told apart: some figures may be off by that much.</p>}
    </>
  );
}
