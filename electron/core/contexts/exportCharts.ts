// Export of a context, one chart (with its sub-charts) or a selection of charts: as JSONL,
// the lines exactly as the context file holds them (peers and `tension import` read it), or as
// Markdown in Fritz's layout: the desired outcome first, the action steps, current reality
// last, each telescoped sub-chart nested under the step it came from.
import { EngineError } from '../errors.ts';
import type { RecordSet } from '../recordSet.ts';
import { chartIndexOf, readTree, resolveChartId } from '../charts/chartModel.ts';
import { subtreeKeys } from '../charts/chartEdits.ts';
import type { ChartTree } from '../../../shared/domain.ts';

export type ExportFormat = 'jsonl' | 'markdown';

export function parseExportFormat(text: string | undefined): ExportFormat {
  if (text === undefined || text === 'jsonl') return 'jsonl';
  if (text === 'markdown' || text === 'md') return 'markdown';
  throw new EngineError('BAD_INPUT', `--format must be jsonl or markdown, got ${JSON.stringify(text.slice(0, 40))}.`);
}

function chartIds(state: RecordSet, context: string, charts: readonly string[] | undefined): string[] | undefined {
  if (charts === undefined) return undefined;
  return charts.map((wanted) => {
    const id = resolveChartId(state, wanted);
    if (!id) throw new EngineError('NOT_FOUND', `No chart ${JSON.stringify(wanted)} in context ${context}.`);
    return id;
  });
}

/** The lines (each ending in a newline), in the file's order: the whole context, or the charts' subtrees. */
export function exportJsonl(state: RecordSet, context: string, charts?: readonly string[]): string {
  const ids = chartIds(state, context, charts);
  let wanted: Set<string> | undefined;
  if (ids) {
    const index = chartIndexOf(state);
    wanted = new Set(ids.flatMap((id) => [...subtreeKeys(state, id, index)]));
  }
  let text = '';
  for (const record of state.values()) if (!wanted || wanted.has(record.key)) text += `${record.raw}\n`;
  return text;
}

export function exportMarkdown(state: RecordSet, context: string, charts?: readonly string[]): string {
  const index = chartIndexOf(state);
  const known = new Set(index.ids);
  const roots = chartIds(state, context, charts) ?? index.ids.filter((id) => { const parent = index.parentOf(id); return parent === undefined || !known.has(parent); });
  const parts = [`# Context ${context}`, ''];
  for (const id of roots) {
    const tree = readTree(state, id, context, index);
    if (tree) parts.push(...treeLines(tree, 2));
  }
  return `${parts.join('\n').trimEnd()}\n`;
}

const heading = (level: number) => '#'.repeat(Math.min(6, level));
/** One line per paragraph: a line break inside an observation would end a Markdown list item. */
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');

function treeLines(tree: ChartTree, level: number): string[] {
  const { chart } = tree;
  const lines = [`${heading(level)} ${oneLine(chart.desiredOutcome)}${chart.outcomeCompleted ? ' (achieved)' : ''}`, ''];
  lines.push(`Chart \`${chart.id}\`${chart.dueDate ? `, due ${chart.dueDate}` : ''}${chart.complete ? ', complete' : ''}`, '');
  lines.push(`**Desired outcome:** ${oneLine(chart.desiredOutcome)}`, '');
  if (chart.steps.length > 0) {
    lines.push('**Action steps:**', '');
    // Fritz's layout: the first step sits just above current reality, so the list reads upward.
    for (const step of [...chart.steps].reverse()) {
      lines.push(`- [${step.completed ? 'x' : ' '}] ${oneLine(step.title)}${step.dueDate ? ` (due ${step.dueDate})` : ''}`);
      for (const note of step.notes) lines.push(`  - ${oneLine(note)}`);
      const sub = tree.children.find((child) => child.chart.parentActionStep === step.name || child.chart.id === step.telescopedInto);
      if (sub) {
        lines.push('');
        lines.push(...treeLines(sub, level + 1).map((line) => (line === '' ? '' : `  ${line}`)));
      }
    }
    lines.push('');
  }
  lines.push('**Current reality:**', '');
  for (const observation of chart.currentReality) lines.push(`- ${oneLine(observation)}`);
  lines.push('');
  return lines;
}
