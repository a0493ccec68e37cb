// The COAIA chart tools that read charts (coaia-narrative's names and arguments), and ours that
// no peer has: a chart's history and a chart as it was at a past time, from the journal.
import { z } from 'zod';
import type { ChartSummary } from '../../shared/domain.ts';
import { chartNamed, stepNamed } from './chartReferences.ts';
import { progressOf } from './chartProgress.ts';
import { defineTool, readContext, type AnyToolSpec } from './toolRegistry.ts';

const chartId = z.string().describe('The chart id, e.g. chart_1771269081608 (list_active_charts lists them).');

/** Top-level charts first, then by due date (undated last), then by id. */
function activeOrder(a: ChartSummary, b: ChartSummary): number {
  const due = (c: ChartSummary) => (c.dueDate === undefined ? Number.POSITIVE_INFINITY : Date.parse(c.dueDate));
  return a.level - b.level || due(a) - due(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export const chartReadTools: readonly AnyToolSpec[] = [
  defineTool({
    name: 'list_active_charts',
    description: 'The charts of the context that are not complete (top-level first, then by due date): id, desired outcome, due date, level, parent chart, steps done of total. Start here to find chart ids.',
    arguments: {},
    scope: 'context',
    writes: false,
    async run(_args, { env, context }) {
      const all = await env.charts.list(context);
      const active = all.filter((c) => !c.complete).sort(activeOrder);
      return { context, charts: active, completeCharts: all.length - active.length };
    },
  }),

  defineTool({
    name: 'get_chart',
    description: 'A chart in full: desired outcome, current reality, action steps in order (due date, completion, the sub-chart each was telescoped into), and its sub-charts at every depth.',
    arguments: { chartId },
    scope: 'context',
    writes: false,
    async run(args, call) {
      const id = await readContext(call, (state) => chartNamed(state, args.chartId, call.context));
      return { ...(await call.env.charts.tree(call.context, id)) };
    },
  }),

  defineTool({
    name: 'get_chart_progress',
    description: 'A chart\'s progress: steps done of total, the open step due next, the due date, and whether the chart is complete.',
    arguments: { chartId },
    scope: 'context',
    writes: false,
    async run(args, call) {
      const id = await readContext(call, (state) => chartNamed(state, args.chartId, call.context));
      return { ...progressOf(await call.env.charts.show(call.context, id)) };
    },
  }),

  defineTool({
    name: 'get_action_step',
    description: 'An action step (title, notes, due date, completion, the chart it belongs to) and, when it was telescoped, its sub-chart in full.',
    arguments: { actionStepName: z.string().describe('The action step\'s name, e.g. chart_1771269081608_action_2 (or a sub-chart\'s desired outcome name).') },
    scope: 'context',
    writes: false,
    async run(args, call) {
      const { charts } = call.env;
      const ref = await readContext(call, (state) => stepNamed(state, args.actionStepName, call.context));
      if (ref.kind === 'sub-chart') return { actionStepName: args.actionStepName, chartId: ref.parentChart, subChart: await charts.tree(call.context, ref.chartId) };
      const step = (await charts.show(call.context, ref.chartId)).steps.find((s) => s.name === ref.step.name);
      return {
        actionStepName: ref.step.name,
        chartId: ref.chartId,
        step,
        ...(ref.subChart ? { subChart: await charts.tree(call.context, ref.subChart) } : {}),
      };
    },
  }),

  defineTool({
    name: 'get_chart_history',
    description: 'Every change to a chart\'s parts, oldest first: when, by whom (origin app, cli, mcp, external …; note names the MCP client), which part, and its value from then on.',
    arguments: { chartId },
    scope: 'context',
    writes: false,
    async run(args, call) {
      const id = await readContext(call, (state) => chartNamed(state, args.chartId, call.context));
      return { chartId: id, entries: await call.env.charts.history(call.context, id) };
    },
  }),

  defineTool({
    name: 'get_chart_as_of',
    description: 'A chart as it was at a past time, from its history (steps, current reality, desired outcome then).',
    arguments: { chartId: z.string().describe('The chart id (it may have been removed since).'), time: z.string().describe('An ISO time, e.g. 2026-11-26T10:00:00Z.') },
    scope: 'context',
    writes: false,
    async run(args, call) {
      // A chart removed since is still in its history: its id is taken as given.
      return { ...(await call.env.charts.asOf(call.context, args.chartId, args.time)) };
    },
  }),
];
