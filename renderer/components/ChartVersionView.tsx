// One version of a chart, read-only and compact: desired outcome, steps (done ones marked),
// current reality, and its sub-charts below. For a backup's version beside today's, and for a
// deleted chart as it was.
import type { ChartTree } from '../../shared/domain.ts';

export function ChartVersionView({ tree, depth = 0 }: { tree: ChartTree; depth?: number }) {
  const { chart } = tree;
  return (
    <div className="chart-version" style={{ marginLeft: depth * 12 }}>
      <div>
        <strong>{chart.desiredOutcome}</strong>
        {chart.dueDate ? <span className="muted"> · due {chart.dueDate.slice(0, 10)}</span> : null}
      </div>
      {chart.steps.length > 0 && (
        <ol className="version-lines" aria-label="Action steps">
          {chart.steps.map((s) => (
            <li key={s.name}>
              {s.completed ? '✓ ' : ''}
              {s.title}
            </li>
          ))}
        </ol>
      )}
      <div className="muted">Current reality: {chart.currentReality.join(' · ') || '(none)'}</div>
      {tree.children.map((child) => (
        <ChartVersionView key={child.chart.id} tree={child} depth={depth + 1} />
      ))}
    </div>
  );
}
