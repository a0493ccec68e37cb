// Issue 8, item 7: a chart telescoped 1,000 levels deep prints in linear time and size, its
// indentation capped (each chart's header still says its level).
import { describe, expect, it } from 'vitest';
import { MAX_INDENT_LEVELS, renderTree } from '../../electron/cli/chartCommands.ts';
import type { Chart, ChartTree } from '../../shared/domain.ts';

function chart(level: number): Chart {
  return {
    id: `chart_${level}`,
    context: 'work',
    desiredOutcome: `Outcome ${level}`,
    currentReality: [`Reality ${level}`],
    notes: [],
    level,
    steps: [{ name: `chart_${level}_action_1`, number: 1, title: `Step ${level}`, notes: [], completed: false, telescopedInto: `chart_${level + 1}` }],
    outcomeCompleted: false,
    complete: false,
  };
}

function telescoped(depth: number): ChartTree {
  let tree: ChartTree = { chart: chart(depth - 1), children: [] };
  for (let level = depth - 2; level >= 0; level -= 1) tree = { chart: chart(level), children: [tree] };
  return tree;
}

describe('a deeply telescoped chart is printed in linear size', () => {
  it('1,000 levels: every chart once, in order, indentation capped, twice the levels about twice the text', () => {
    const text = renderTree(telescoped(1_000));
    const lines = text.split('\n');
    expect(lines.filter((line) => line.trimStart().startsWith('chart_')).map((line) => line.trim().split(' ')[0])).toEqual(Array.from({ length: 1_000 }, (_, i) => `chart_${i}`));
    const widest = Math.max(...lines.map((line) => line.length - line.trimStart().length));
    expect(widest).toBeLessThanOrEqual(4 * MAX_INDENT_LEVELS + 4);
    expect(text).toContain('(work, level 999)');
    expect(lines.filter((line) => line.includes('not indented further'))).toHaveLength(1);
    const doubled = renderTree(telescoped(2_000)).length;
    expect(doubled / text.length).toBeLessThan(2.1);
  });

  it('a shallow tree prints as before: each sub-chart four spaces further in', () => {
    const lines = renderTree(telescoped(3)).split('\n');
    expect(lines.filter((line) => line.trimStart().startsWith('chart_')).map((line) => line.length - line.trimStart().length)).toEqual([0, 4, 8]);
  });
});
