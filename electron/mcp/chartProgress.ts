// A chart's progress as the COAIA servers report it (get_chart_progress), from our reading of
// the chart: a chart is complete only when its desired outcome is, or every step is.
import type { ActionStep, Chart } from '../../shared/domain.ts';
import type { RecordSet } from '../core/recordSet.ts';
import { chartParts } from '../core/charts/chartModel.ts';

export interface ChartProgress {
  readonly chartId: string;
  readonly desiredOutcome: string;
  /** Steps done over steps, 0 to 1 (0 for a chart without steps). */
  readonly progress: number;
  readonly completedActions: number;
  readonly totalActions: number;
  /** The open step due first (in the chart's order when none has a due date). */
  readonly nextAction?: string;
  readonly dueDate?: string;
  readonly complete: boolean;
}

function dueFirst(a: ActionStep, b: ActionStep): number {
  if (a.dueDate !== undefined && b.dueDate !== undefined) return Date.parse(a.dueDate) - Date.parse(b.dueDate);
  return a.dueDate !== undefined ? -1 : b.dueDate !== undefined ? 1 : 0;
}

export function progressOf(chart: Chart): ChartProgress {
  const done = chart.steps.filter((s) => s.completed).length;
  const total = chart.steps.length;
  // A stable sort keeps the chart's own order among steps without dates.
  const next = chart.steps.filter((s) => !s.completed).sort(dueFirst)[0];
  return {
    chartId: chart.id,
    desiredOutcome: chart.desiredOutcome,
    progress: total === 0 ? 0 : done / total,
    completedActions: done,
    totalActions: total,
    ...(next ? { nextAction: next.name } : {}),
    ...(chart.dueDate === undefined ? {} : { dueDate: chart.dueDate }),
    complete: chart.complete,
  };
}

/**
 * Steps done of total, and whether the chart is complete, from the chart's own records only: no
 * chart index, which a large context rebuilds after every change (a tool answering right after
 * its change would pay for it). The rule is readChart's (chartModel.ts): complete when the
 * desired outcome is, or every step is.
 */
export function stepCountsOf(state: RecordSet, chartId: string): { completedActions: number; totalActions: number; chartComplete: boolean } {
  const parts = chartParts(state, chartId);
  const done = parts.steps.filter((step) => step.metadata.completionStatus === true).length;
  const outcomeCompleted = parts.outcome?.metadata.completionStatus === true;
  return { completedActions: done, totalActions: parts.steps.length, chartComplete: outcomeCompleted || (parts.steps.length > 0 && done === parts.steps.length) };
}
