// A chart's own page: steps done against steps in all over time, when its current reality was
// updated, when its due date moved, when it was completed or reopened, where it moved; and the
// figures of its telescoped sub-charts.
import { useStore } from 'zustand';
import type { ChartInsights } from '../../shared/insightFigures.ts';
import { useStores } from './StoresProvider.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { TimeSeriesPlot } from './TimeSeriesPlot.tsx';
import { FigureCard } from './FigureCard.tsx';
import { plural, timeText } from './figureFormat.ts';

export function ChartProgress() {
  const { insights } = useStores();
  const page = useStore(insights, (s) => s.progress);
  const chart = useStore(insights, (s) => s.chart);
  const error = useStore(insights, (s) => s.error);
  return (
    <section className="figures-view" aria-label="Progress of a chart" data-view="progress">
      <div className="view-head">
        <h2>Progress of {chart?.id ?? 'a chart'}</h2>
        <button type="button" onClick={() => void insights.getState().show('insights')}>
          Back to the insights
        </button>
      </div>
      {error && <ErrorMessage error={error} />}
      {!page && !error && <p className="muted">Reading the chart's history…</p>}
      {page && <ProgressFigures page={page} />}
    </section>
  );
}

function ProgressFigures({ page }: { page: ChartInsights }) {
  const done = page.progress.done.at(-1)?.value ?? 0;
  const total = page.progress.total.at(-1)?.value ?? 0;
  return (
    <>
      <p className="muted">
        {page.context === undefined ? 'Removed' : `In ${page.context}`} · created {page.created ? timeText(page.created) : 'at an unknown time'} · last changed {page.lastChange ? timeText(page.lastChange) : '–'}
      </p>
      <div className="figure-cards">
        <FigureCard label="steps done" value={`${done} of ${total}`} className={page.complete ? 'health-ok' : ''} />
        <FigureCard label="current reality updates" value={String(page.realityUpdated.length)} />
        <FigureCard label="due date moves" value={String(page.dueDateMoves.length)} />
        <FigureCard label="sub-charts" value={String(page.subtree.charts - 1)} />
      </div>
      <div className="plots">
        <TimeSeriesPlot
          id="plot-progress"
          title="Steps done and steps in all"
          kind="steps"
          series={[
            { label: 'done', points: page.progress.done, color: '--ok' },
            { label: 'in all', points: page.progress.total, color: '--muted' },
          ]}
        />
        <TimeSeriesPlot id="plot-subtree-steps" title="Steps completed per week, with its sub-charts" kind="bars" series={[{ label: 'steps completed', points: page.subtree.stepsCompletedPerWeek, color: '--accent' }]} />
      </div>
      <h3>What happened</h3>
      <ul>
        {page.completions.map((c) => (
          <li key={`c${c.at}`}>
            {timeText(c.at)}: {c.complete ? 'completed' : 'reopened'}
          </li>
        ))}
        {page.dueDateMoves.map((m) => (
          <li key={`d${m.at}`}>
            {timeText(m.at)}: due date {m.from ?? 'none'} → {m.to ?? 'none'}
          </li>
        ))}
        {page.moves.map((m) => (
          <li key={`m${m.at}`}>
            {timeText(m.at)}: moved from {m.from ?? '?'} to {m.to ?? '?'}
          </li>
        ))}
        <li>Current reality updated {plural(page.realityUpdated.length, 'time')}{page.realityUpdated.length > 0 ? `, last ${timeText(page.realityUpdated.at(-1) as string)}` : ''}</li>
      </ul>
    </>
  );
}
