// Every in-place edit of a chart: one contract call, its inverse kept for undo, then the views
// that show the chart refreshed. Each returns the IpcResult so the form that asked can show
// the error and keep what was typed.
import type { ChannelInput, ChannelName, ChannelOutput, IpcResult } from '../../shared/contract.ts';
import type { ActionStep, Chart } from '../../shared/domain.ts';
import type { Client } from './client.ts';
import { call, type Call, type UndoStore } from './undoStore.ts';

export interface Refresher {
  afterEdit(context: string): Promise<void>;
}

export function createChartEditor(client: Client, undo: UndoStore, refresher: Refresher) {
  async function edit<C extends ChannelName>(
    label: string,
    channel: C,
    input: ChannelInput<C>,
    inverse: (value: ChannelOutput<C>) => readonly Call[] | null,
  ): Promise<IpcResult<ChannelOutput<C>>> {
    const result = await client.call(channel, input, label);
    if (result.ok) {
      const calls = inverse(result.value);
      if (calls) undo.getState().push({ label, inverse: calls });
      await refresher.afterEdit((input as { context?: string; to?: string }).context ?? (input as { to?: string }).to ?? '');
    }
    return result;
  }

  return {
    createChart: (input: ChannelInput<'charts.create'>) =>
      edit(`Create chart "${input.outcome}"`, 'charts.create', input, (v) => [call('charts.archive', { context: input.context, id: v.id })]),
    setOutcome: (chart: Chart, text: string) =>
      edit('Change the desired outcome', 'outcome.set', { context: chart.context, chartId: chart.id, text }, () => [call('outcome.set', { context: chart.context, chartId: chart.id, text: chart.desiredOutcome })]),
    completeOutcome: (chart: Chart) =>
      edit('Complete the chart', 'outcome.complete', { context: chart.context, chartId: chart.id }, () => [call('outcome.reopen', { context: chart.context, chartId: chart.id })]),
    setDue: (chart: Chart, date: string | null) =>
      edit('Change the due date', 'due.set', { context: chart.context, chartId: chart.id, date }, () => [call('due.set', { context: chart.context, chartId: chart.id, date: chart.dueDate ?? null })]),
    addReality: (chart: Chart, text: string) =>
      edit('Add to current reality', 'reality.add', { context: chart.context, chartId: chart.id, text }, () => [call('reality.edit', { context: chart.context, chartId: chart.id, from: text })]),
    editReality: (chart: Chart, from: string, to: string | undefined) =>
      edit(to === undefined ? 'Remove from current reality' : 'Edit current reality', 'reality.edit', { context: chart.context, chartId: chart.id, from, ...(to === undefined ? {} : { to }) }, () => [
        to === undefined ? call('reality.add', { context: chart.context, chartId: chart.id, text: from }) : call('reality.edit', { context: chart.context, chartId: chart.id, from: to, to: from }),
      ]),
    addStep: (chart: Chart, title: string, dueDate?: string) =>
      edit(`Add step "${title}"`, 'steps.add', { context: chart.context, chartId: chart.id, title, ...(dueDate ? { dueDate } : {}) }, (v) => [call('steps.remove', { context: chart.context, name: v.name })]),
    renameStep: (chart: Chart, step: ActionStep, title: string) =>
      edit('Rename a step', 'steps.edit', { context: chart.context, name: step.name, title }, () => [call('steps.edit', { context: chart.context, name: step.name, title: step.title })]),
    redateStep: (chart: Chart, step: ActionStep, dueDate: string | null) =>
      edit('Change a step’s date', 'steps.edit', { context: chart.context, name: step.name, dueDate }, () => [call('steps.edit', { context: chart.context, name: step.name, dueDate: step.dueDate ?? null })]),
    moveStep: (chart: Chart, step: ActionStep, to: number) => {
      const from = chart.steps.findIndex((s) => s.name === step.name) + 1;
      return edit('Reorder steps', 'steps.move', { context: chart.context, name: step.name, to }, () => [call('steps.move', { context: chart.context, name: step.name, to: from })]);
    },
    completeStep: (chart: Chart, step: ActionStep) =>
      edit(`Complete "${step.title}"`, 'steps.complete', { context: chart.context, name: step.name }, () => [call('steps.reopen', { context: chart.context, name: step.name })]),
    reopenStep: (chart: Chart, step: ActionStep) =>
      edit(`Reopen "${step.title}"`, 'steps.reopen', { context: chart.context, name: step.name }, () => [call('steps.complete', { context: chart.context, name: step.name })]),
    removeStep: (chart: Chart, step: ActionStep) =>
      edit(`Remove "${step.title}"`, 'steps.remove', { context: chart.context, name: step.name }, () =>
        // A telescoped step takes its sub-chart with it: that cannot be put back from here.
        step.telescopedInto ? null : [call('steps.add', { context: chart.context, chartId: chart.id, title: step.title, ...(step.dueDate ? { dueDate: step.dueDate } : {}) })],
      ),
    telescope: (chart: Chart, step: ActionStep, reality?: string) =>
      edit(`Telescope "${step.title}"`, 'steps.telescope', { context: chart.context, name: step.name, ...(reality ? { reality } : {}) }, () => null),
    /** Takes back the last change that can be taken back. */
    async undo(): Promise<IpcResult<unknown> | null> {
      const entry = undo.getState().pop();
      if (!entry) return null;
      let last: IpcResult<unknown> = { ok: true, value: null };
      for (const step of entry.inverse) {
        last = await client.call(step.channel, step.input as never, `Undo: ${entry.label}`);
        if (!last.ok) break;
      }
      const context = (entry.inverse[0]?.input as { context?: string } | undefined)?.context ?? '';
      await refresher.afterEdit(context);
      return last;
    },
  };
}
export type ChartEditor = ReturnType<typeof createChartEditor>;
