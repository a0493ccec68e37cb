// One action step: complete/reopen, rename, re-date, move, remove, telescope, and (when it
// was telescoped) its sub-chart expanded in place beneath it.
import { useState } from 'react';
import { useStore } from 'zustand';
import type { IpcError, IpcResult } from '../../shared/contract.ts';
import type { ActionStep, Chart, ChartTree } from '../../shared/domain.ts';
import { formatDay, isOverdue } from '../model/dates.ts';
import { useStores } from './StoresProvider.tsx';
import { EditableText } from './EditableText.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { ChartCard } from './ChartCard.tsx';

interface Props {
  readonly chart: Chart;
  readonly step: ActionStep;
  readonly subTree: ChartTree | undefined;
  readonly canMove: boolean;
}

export function StepRow({ chart, step, subTree, canMove }: Props) {
  const { editor, selection } = useStores();
  const [error, setError] = useState<IpcError | null>(null);
  const expanded = useStore(selection, (s) => (subTree ? s.expanded.has(subTree.chart.id) : false));
  const index = chart.steps.findIndex((s) => s.name === step.name);
  const overdue = isOverdue(step.dueDate, step.completed);

  async function run(action: () => Promise<IpcResult<unknown>>) {
    const result = await action();
    setError(result.ok ? null : result.error);
  }

  return (
    <li className={`step${step.completed ? ' done' : ''}${overdue ? ' overdue' : ''}`} data-step={step.name} tabIndex={-1}>
      <div className="step-line">
        <input
          type="checkbox"
          checked={step.completed}
          aria-label={`${step.completed ? 'Reopen' : 'Complete'} ${step.title}`}
          onChange={() => void run(() => (step.completed ? editor.reopenStep(chart, step) : editor.completeStep(chart, step)))}
        />
        <EditableText className="step-title" value={step.title} label={`title of step ${step.title}`} onSave={(t) => editor.renameStep(chart, step, t)} />
        <span className="step-due">
          {overdue && <span className="badge overdue-badge">overdue</span>}
          <EditableText type="date" value={step.dueDate ? formatDay(step.dueDate) : ''} placeholder="no date" label={`due date of step ${step.title}`} allowEmpty onSave={(d) => editor.redateStep(chart, step, d === '' ? null : d)} />
        </span>
        <span className="step-actions">
          {canMove && (
            <>
              <button type="button" className="icon" aria-label={`Move ${step.title} later`} disabled={index >= chart.steps.length - 1} onClick={() => void run(() => editor.moveStep(chart, step, index + 2))}>
                ↑
              </button>
              <button type="button" className="icon" aria-label={`Move ${step.title} earlier`} disabled={index <= 0} onClick={() => void run(() => editor.moveStep(chart, step, index))}>
                ↓
              </button>
            </>
          )}
          {subTree ? (
            <button type="button" aria-expanded={expanded} onClick={() => selection.getState().toggle(subTree.chart.id)}>
              {expanded ? '▾ Hide sub-chart' : '▸ Sub-chart'}
            </button>
          ) : (
            !step.telescopedInto && (
              <button type="button" onClick={() => void run(() => editor.telescope(chart, step))} title="Make this step a chart of its own">
                Telescope
              </button>
            )
          )}
          <button type="button" className="danger" aria-label={`Remove ${step.title}`} onClick={() => void run(() => editor.removeStep(chart, step))}>
            Remove
          </button>
        </span>
      </div>
      {error && <ErrorMessage error={error} />}
      {subTree && expanded && (
        <div className="sub-chart">
          <button type="button" className="link" onClick={() => void selection.getState().select({ context: subTree.chart.context, id: subTree.chart.id })}>
            Open this sub-chart on its own
          </button>
          <ChartCard tree={subTree} nested />
        </div>
      )}
    </li>
  );
}
