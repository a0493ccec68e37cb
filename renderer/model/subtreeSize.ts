// How much goes with a telescoped step when it is removed: its sub-chart and every chart
// telescoped below it, and the steps in all of them (what the confirmation says).
import type { ChartTree } from '../../shared/domain.ts';

export interface SubtreeSize {
  readonly charts: number;
  readonly steps: number;
}

export function subtreeSize(tree: ChartTree): SubtreeSize {
  let charts = 0;
  let steps = 0;
  const stack = [tree];
  for (let at = stack.pop(); at; at = stack.pop()) {
    charts += 1;
    steps += at.chart.steps.length;
    stack.push(...at.children);
  }
  return { charts, steps };
}
