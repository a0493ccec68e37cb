// The ids of every chart in a tree, the open chart and all its sub-charts at any depth: what
// the window had on screen, to tell which of them a refresh no longer holds.
import type { ChartTree } from '../../shared/domain.ts';

export function treeChartIds(tree: ChartTree): string[] {
  const ids: string[] = [];
  const stack = [tree];
  for (let at = stack.pop(); at; at = stack.pop()) {
    ids.push(at.chart.id);
    stack.push(...at.children);
  }
  return ids;
}
