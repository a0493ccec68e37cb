// Steps in Fritz's chart: ordered by due date (undated last, then as arranged); the chart is
// read bottom-up, so the earliest step sits just above current reality.
import type { ActionStep } from '../../shared/domain.ts';

export type StepOrder = 'due' | 'arranged';

export function orderSteps(steps: readonly ActionStep[], order: StepOrder): ActionStep[] {
  const arranged = [...steps];
  if (order === 'arranged') return arranged;
  return arranged
    .map((step, index) => ({ step, index }))
    .sort((a, b) => {
      const da = a.step.dueDate?.slice(0, 10);
      const db = b.step.dueDate?.slice(0, 10);
      if (da !== db) return da === undefined ? 1 : db === undefined ? -1 : da < db ? -1 : 1;
      return a.index - b.index;
    })
    .map((entry) => entry.step);
}

export interface Progress {
  readonly done: number;
  readonly total: number;
  readonly percent: number;
}

export function progressOf(steps: readonly { completed: boolean }[]): Progress {
  const done = steps.filter((s) => s.completed).length;
  return { done, total: steps.length, percent: steps.length === 0 ? 0 : Math.round((done / steps.length) * 100) };
}
