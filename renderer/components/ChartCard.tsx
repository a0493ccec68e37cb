// One chart in Fritz's layout, read bottom-up: the desired outcome at the top, current reality
// at the bottom, and the action steps between them (earliest due just above reality), with
// progress. Telescoped steps hold their sub-chart, expandable to any depth.
import { useState } from 'react';
import { useStore } from 'zustand';
import type { IpcError, IpcResult } from '../../shared/contract.ts';
import type { ChartTree } from '../../shared/domain.ts';
import { orderSteps, progressOf } from '../model/stepOrder.ts';
import { formatDay, isOverdue } from '../model/dates.ts';
import { useStores } from './StoresProvider.tsx';
import { EditableText } from './EditableText.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { StepRow } from './StepRow.tsx';
import { AddStepForm } from './AddStepForm.tsx';
import { RealitySection } from './RealitySection.tsx';
import { DraftsLeftOver } from './DraftsLeftOver.tsx';

export function ChartCard({ tree, nested = false, addStepRef }: { tree: ChartTree; nested?: boolean; addStepRef?: React.Ref<HTMLInputElement> }) {
  const { editor, selection } = useStores();
  const order = useStore(selection, (s) => s.stepOrder);
  const [error, setError] = useState<IpcError | null>(null);
  const { chart } = tree;
  const progress = progressOf(chart.steps);
  // Top of the page is the latest step: the chart is read from reality upward.
  const steps = orderSteps(chart.steps, order).reverse();
  const childOf = (stepName: string, into?: string) => tree.children.find((c) => c.chart.parentActionStep === stepName || (into !== undefined && c.chart.id === into));
  const field = (kind: 'outcome' | 'due') => ({ kind, context: chart.context, chartId: chart.id, part: chart.id });

  const report = (r: IpcResult<unknown>) => {
    setError(r.ok ? null : r.error);
    return r;
  };

  return (
    <article
      className={`chart-card${nested ? ' nested' : ''}${chart.complete ? ' complete' : ''}`}
      aria-label={`Chart: ${chart.desiredOutcome}`}
      data-chart={chart.id}
      data-level={chart.level}
      tabIndex={-1}
    >
      <section className="outcome" aria-label="Desired outcome">
        <h4>
          Desired outcome {chart.level > 0 && <span className="muted level">· level {chart.level}</span>} {chart.complete && <span className="badge done-badge">complete</span>}
        </h4>
        <EditableText
          className="outcome-text"
          multiline
          value={chart.desiredOutcome}
          version={chart.versions?.outcome}
          field={field('outcome')}
          label="desired outcome"
          onSave={(t, ifVersion) => editor.setOutcome(chart, t, { ifVersion })}
        />
        <div className="outcome-meta">
          <span className={isOverdue(chart.dueDate, chart.complete) ? 'overdue' : ''}>
            Due{' '}
            <EditableText
              type="date"
              value={chart.dueDate ? formatDay(chart.dueDate) : ''}
              version={chart.versions?.chart}
              field={field('due')}
              placeholder="no date"
              label="chart due date"
              allowEmpty
              onSave={(d, ifVersion) => editor.setDue(chart, d === '' ? null : d, { ifVersion })}
            />
          </span>
          {!chart.outcomeCompleted && (
            <button type="button" aria-label={`Mark the outcome achieved: ${chart.desiredOutcome}`} onClick={() => void editor.completeOutcome(chart, { ifVersion: chart.versions?.outcome }).then(report)}>
              Mark outcome achieved
            </button>
          )}
        </div>
        {error && <ErrorMessage error={error} />}
      </section>
      <section className="steps" aria-label="Action steps">
        <div className="steps-head">
          <h4>Action steps</h4>
          <span className="progress-text">
            {progress.done} of {progress.total} done
          </span>
          <progress className="chart-progress" value={progress.done} max={Math.max(progress.total, 1)} aria-label={`Progress: ${progress.done} of ${progress.total} steps done`} />
        </div>
        <AddStepForm chart={chart} ref={addStepRef} />
        <DraftsLeftOver chart={chart} />
        <ol className="step-list">
          {steps.map((step) => (
            <StepRow key={step.name} chart={chart} step={step} subTree={childOf(step.name, step.telescopedInto)} canMove={order === 'arranged'} />
          ))}
        </ol>
      </section>
      <RealitySection chart={chart} />
    </article>
  );
}
