// A chart as it was (read-only), shown beside the chart as it is today.
import type { Chart } from '../../shared/domain.ts';
import { formatDay } from '../model/dates.ts';

export function PastVersion({ chart, title }: { chart: Chart; title: string }) {
  return (
    <article className="chart-card readonly" aria-label={title}>
      <h4>{title}</h4>
      <section className="outcome">
        <strong dir="auto">{chart.desiredOutcome}</strong>
        <div className="muted">Due {formatDay(chart.dueDate)}{chart.complete ? ' · complete' : ''}</div>
      </section>
      <ol className="step-list">
        {[...chart.steps].reverse().map((s) => (
          <li key={s.name} className={`step${s.completed ? ' done' : ''}`}>
            {s.completed ? '☑' : '☐'} <span dir="auto">{s.title}</span> <span className="muted">{formatDay(s.dueDate)}</span>
          </li>
        ))}
      </ol>
      <section className="reality">
        <ul>
          {chart.currentReality.map((line) => (
            <li key={line} dir="auto">
              {line}
            </li>
          ))}
        </ul>
      </section>
    </article>
  );
}
