// One action step: complete/reopen, rename, re-date, move, remove, telescope, and (when it
// was telescoped) its sub-chart expanded in place beneath it. Removing a step that carries a
// sub-chart asks first, saying how many charts and steps go with it (undo brings them back).
import { useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { IpcError, IpcResult } from '../../shared/contract.ts';
import type { ActionStep, Chart, ChartTree } from '../../shared/domain.ts';
import { formatDay, isOverdue } from '../model/dates.ts';
import { subtreeSize } from '../model/subtreeSize.ts';
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

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function StepRow({ chart, step, subTree, canMove }: Props) {
  const { editor, selection } = useStores();
  const [error, setError] = useState<IpcError | null>(null);
  const [confirming, setConfirming] = useState(false);
  const removeRef = useRef<HTMLButtonElement>(null);
  const expanded = useStore(selection, (s) => (subTree ? s.expanded.has(subTree.chart.id) : false));
  const index = chart.steps.findIndex((s) => s.name === step.name);
  const overdue = isOverdue(step.dueDate, step.completed);
  const field = (kind: 'step-title' | 'step-due') => ({ kind, context: chart.context, chartId: chart.id, part: step.name });
  const size = subTree ? subtreeSize(subTree) : undefined;

  async function run(action: () => Promise<IpcResult<unknown>>) {
    const result = await action();
    setError(result.ok ? null : result.error);
  }

  function remove() {
    if (size) return setConfirming(true);
    void run(() => editor.removeStep(chart, step));
  }

  return (
    <li className={`step${step.completed ? ' done' : ''}${overdue ? ' overdue' : ''}`} data-step={step.name} tabIndex={-1}>
      <div className="step-line">
        <input
          type="checkbox"
          checked={step.completed}
          aria-label={`${step.completed ? 'Reopen' : 'Complete'} step ${step.title}`}
          onChange={() => void run(() => (step.completed ? editor.reopenStep(chart, step) : editor.completeStep(chart, step)))}
        />
        <EditableText
          className="step-title"
          value={step.title}
          version={step.version}
          field={field('step-title')}
          label={`title of step ${step.title}`}
          onSave={(t, ifVersion) => editor.renameStep(chart, step, t, { ifVersion })}
        />
        <span className="step-due">
          {overdue && <span className="badge overdue-badge">overdue</span>}
          <EditableText
            type="date"
            value={step.dueDate ? formatDay(step.dueDate) : ''}
            version={step.version}
            field={field('step-due')}
            placeholder="no date"
            label={`due date of step ${step.title}`}
            allowEmpty
            onSave={(d, ifVersion) => editor.redateStep(chart, step, d === '' ? null : d, { ifVersion })}
          />
        </span>
        <span className="step-actions">
          {canMove && (
            <>
              <button type="button" className="icon" aria-label={`Move step ${step.title} later`} disabled={index >= chart.steps.length - 1} onClick={() => void run(() => editor.moveStep(chart, step, index + 2))}>
                ↑
              </button>
              <button type="button" className="icon" aria-label={`Move step ${step.title} earlier`} disabled={index <= 0} onClick={() => void run(() => editor.moveStep(chart, step, index))}>
                ↓
              </button>
            </>
          )}
          {subTree ? (
            <button type="button" aria-expanded={expanded} aria-label={`${expanded ? 'Hide' : 'Show'} the sub-chart of step ${step.title}`} onClick={() => selection.getState().toggle(subTree.chart.id)}>
              {expanded ? '▾ Hide sub-chart' : '▸ Sub-chart'}
            </button>
          ) : (
            !step.telescopedInto && (
              <button type="button" aria-label={`Telescope step ${step.title}`} onClick={() => void run(() => editor.telescope(chart, step))} title="Make this step a chart of its own">
                Telescope
              </button>
            )
          )}
          <button ref={removeRef} type="button" className="danger" aria-label={`Remove step ${step.title}`} onClick={remove}>
            Remove
          </button>
        </span>
      </div>
      {confirming && size && (
        <div className="confirm" role="alertdialog" aria-label={`Remove step ${step.title} and its sub-charts?`} onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), setConfirming(false), removeRef.current?.focus())}>
          <p dir="auto">
            Remove <q>{step.title}</q> with everything telescoped from it: {plural(size.charts, 'sub-chart')} and {plural(size.steps, 'step')} in them? Undo (Ctrl+Z) brings it all back.
          </p>
          <span className="conflict-choices">
            <button
              type="button"
              className="danger"
              onClick={() => {
                setConfirming(false);
                void run(() => editor.removeStep(chart, step));
              }}
            >
              Remove all of it
            </button>
            <button
              type="button"
              autoFocus
              onClick={() => {
                setConfirming(false);
                removeRef.current?.focus();
              }}
            >
              Keep it
            </button>
          </span>
        </div>
      )}
      {error && <ErrorMessage error={error} />}
      {subTree && expanded && (
        <div className="sub-chart" role="group" aria-label={`Sub-chart of step ${step.title}`}>
          <button type="button" className="link" onClick={() => void selection.getState().select({ context: subTree.chart.context, id: subTree.chart.id })}>
            Open this sub-chart on its own
          </button>
          <ChartCard tree={subTree} nested />
        </div>
      )}
    </li>
  );
}
