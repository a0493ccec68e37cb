// Every in-place edit of a chart: one contract call carrying an operation id (a request sent
// twice applies once) and, from a field being edited, the version of the part the person saw
// (the engine refuses the edit with CONFLICT if another program changed it since). Each edit
// leaves its inverse for undo, and what the part must still show for the undo to apply; the
// undo reads the part again, and sends its version with the inverse, so it never overwrites a
// later change by someone else. Each returns the IpcResult so the form that asked can show the
// error and keep what was typed.
import type { ChannelInput, ChannelName, ChannelOutput, IpcResult } from '../../shared/contract.ts';
import type { ActionStep, Chart } from '../../shared/domain.ts';
import { newOperationId } from '../model/operationId.ts';
import { shortTitle } from '../model/shortTitle.ts';
import type { Client } from './client.ts';
import { call, type Call, type UndoCheck, type UndoStore } from './undoStore.ts';
import { madeChartCheck } from './madeChartCheck.ts';
import { createOwnCommits } from './ownCommits.ts';

export interface Refresher {
  afterEdit(context: string): Promise<void>;
}

export interface EditOptions {
  /** The version of the part as the person saw it when they began editing. */
  readonly ifVersion?: string | undefined;
  /** The operation id: a form passes the one it keeps for its draft, so a second submit applies once. */
  readonly op?: string;
}

type Undo = { readonly inverse: Call; readonly check?: UndoCheck } | null;

const q = (text: string) => `“${shortTitle(text, 32)}”`;
const at = (version: string | undefined) => (version === undefined ? {} : { ifVersion: version });
const fingerprint = (...parts: unknown[]) => JSON.stringify(parts);

/** What undo checks on a step: it must still be there, as the edit left it. */
function stepCheck(chart: Chart, name: string, what: string, shows: (step: ActionStep, chart: Chart) => string, expected: string): UndoCheck {
  return {
    context: chart.context,
    chartId: chart.id,
    what,
    expected,
    read: (now) => {
      const step = now.steps.find((s) => s.name === name);
      return step ? { shows: shows(step, now), version: step.version } : undefined;
    },
  };
}

function chartCheck(context: string, chartId: string, what: string, shows: (chart: Chart) => string, expected: string, version: (chart: Chart) => string | undefined): UndoCheck {
  return { context, chartId, what, expected, read: (now) => ({ shows: shows(now), version: version(now) }) };
}

const outcomeShows = (c: Chart) => c.desiredOutcome;
const dueShows = (c: Chart) => c.dueDate ?? '';

/**
 * The undo of a current-reality edit. A line renamed in place is renamed back. A line removed,
 * or edited into a line already there (the engine keeps one of the two), is added back: renaming
 * the surviving line back would lose the line that was there before the edit. The list is known
 * only at the version the edit named (`seen`); without it, adding back is the choice that loses
 * nothing. An added-back line goes last: no channel puts a line at a place.
 */
function realityEditInverse(chart: Chart, from: string, to: string | undefined, seen: string | undefined): Call {
  const where = { context: chart.context, chartId: chart.id };
  const renamedInPlace = to !== undefined && seen !== undefined && seen === chart.versions?.reality && !chart.currentReality.includes(to.trim());
  return renamedInPlace ? call('reality.edit', { ...where, from: to.trim(), to: from }) : call('reality.add', { ...where, text: from });
}

export function createChartEditor(client: Client, undo: UndoStore, refresher: Refresher) {
  // Undos run one after another: each takes the top entry only once the one before is done, so
  // Ctrl+Z pressed twice quickly undoes two edits (run together, the second read the part before
  // the first had put it back, and was refused as someone else's change, its entry lost).
  let undoing: Promise<unknown> = Promise.resolve();
  // Every commit this window's edits and undos made: an undo that removes a chart asks whether all it would take is of these.
  const own = createOwnCommits();
  const contextOf = (input: unknown) => (input as { context?: string }).context ?? (input as { to?: string }).to ?? '';

  async function edit<C extends ChannelName>(label: string, channel: C, input: ChannelInput<C>, inverse: (value: ChannelOutput<C>) => Undo, options: EditOptions = {}): Promise<IpcResult<ChannelOutput<C>>> {
    const request = { ...input, op: options.op ?? newOperationId(channel), ...at(options.ifVersion) } as ChannelInput<C>;
    const result = await client.call(channel, request, label);
    if (result.ok) {
      own.note(contextOf(input), (result.value as { seq?: number }).seq);
      // A retried request (the same op) was applied the first time, and left its undo then.
      const taken = (result.value as { duplicate?: boolean }).duplicate ? null : inverse(result.value);
      if (taken) undo.getState().push({ label, ...taken });
      await refresher.afterEdit(contextOf(input));
    }
    return result;
  }

  /** Applies an undo entry: refused, with nothing changed, when its part no longer shows the edit. */
  async function takeBack(entry: { label: string; inverse: Call; check?: UndoCheck }): Promise<IpcResult<unknown>> {
    let ifVersion: string | undefined;
    if (entry.check) {
      const { check } = entry;
      const tree = await client.call('charts.tree', { context: check.context, id: check.chartId }, `Undo: ${entry.label}`);
      if (!tree.ok) return tree;
      const now = check.read(tree.value.chart);
      const confirmed = now?.shows === check.expected ? await (check.confirm?.(tree.value) ?? { ok: true as const, value: true }) : undefined;
      if (confirmed && !confirmed.ok) return confirmed;
      if (!now || !confirmed?.value) {
        return { ok: false, error: { code: 'CONFLICT', message: `${check.what.charAt(0).toUpperCase()}${check.what.slice(1)} was ${now ? 'changed' : 'removed'} by someone else since, so “${entry.label}” cannot be undone without losing that.`, kept: 'Nothing was changed.' } };
      }
      ifVersion = now.version;
    }
    const input = { ...entry.inverse.input, op: newOperationId(`undo:${entry.inverse.channel}`), ...at(ifVersion) };
    const result = await client.call(entry.inverse.channel, input as never, `Undo: ${entry.label}`);
    if (result.ok) own.note(contextOf(input), (result.value as { seq?: number }).seq);
    return result;
  }

  return {
    createChart: (input: ChannelInput<'charts.create'>, options?: EditOptions) =>
      edit(`Create chart ${q(input.outcome)}`, 'charts.create', input, (v) => ({
        inverse: call('charts.remove', { context: input.context, id: v.id }),
        check: madeChartCheck(input.context, v.id, 'the new chart', v.version, client, own),
      }), options),
    setOutcome: (chart: Chart, text: string, options?: EditOptions) =>
      edit('Change the desired outcome', 'outcome.set', { context: chart.context, chartId: chart.id, text }, () => ({
        inverse: call('outcome.set', { context: chart.context, chartId: chart.id, text: chart.desiredOutcome }),
        check: chartCheck(chart.context, chart.id, 'the desired outcome', outcomeShows, text, (c) => c.versions?.outcome),
      }), options),
    completeOutcome: (chart: Chart, options?: EditOptions) =>
      edit('Mark the outcome achieved', 'outcome.complete', { context: chart.context, chartId: chart.id }, () => ({
        inverse: call('outcome.reopen', { context: chart.context, chartId: chart.id }),
        check: chartCheck(chart.context, chart.id, 'the desired outcome', (c) => String(c.outcomeCompleted), 'true', (c) => c.versions?.outcome),
      }), options),
    setDue: (chart: Chart, date: string | null, options?: EditOptions) =>
      edit('Change the due date', 'due.set', { context: chart.context, chartId: chart.id, date }, () => ({
        inverse: call('due.set', { context: chart.context, chartId: chart.id, date: chart.dueDate ?? null }),
        check: chartCheck(chart.context, chart.id, 'the due date', dueShows, date ?? '', (c) => c.versions?.chart),
      }), options),
    /** A line already there is not added twice (the answer says changed: 0): no undo then, which would take away the line that was there. */
    addReality: (chart: Chart, text: string, options?: EditOptions) =>
      edit('Add to current reality', 'reality.add', { context: chart.context, chartId: chart.id, text }, (v) => (v.changed === 0 ? null : {
        inverse: call('reality.edit', { context: chart.context, chartId: chart.id, from: text }),
        check: chartCheck(chart.context, chart.id, `the line ${q(text)} of current reality`, (c) => String(c.currentReality.includes(text)), 'true', (c) => c.versions?.reality),
      }), options),
    /** Edits (or, without `to`, removes) a line, at the version of current reality the person saw: what undo takes back depends on the list as it was. */
    editReality: (chart: Chart, from: string, to: string | undefined, options: EditOptions = {}) => {
      const seen = options.ifVersion ?? chart.versions?.reality;
      return edit(to === undefined ? 'Remove from current reality' : 'Edit current reality', 'reality.edit', { context: chart.context, chartId: chart.id, from, ...(to === undefined ? {} : { to }) }, (v) => (v.changed === 0 ? null : {
        inverse: realityEditInverse(chart, from, to, seen),
        check: chartCheck(chart.context, chart.id, 'current reality', (c) => fingerprint(c.currentReality.includes(to?.trim() ?? from), c.currentReality.includes(from)), fingerprint(to !== undefined, false), (c) => c.versions?.reality),
      }), { ...options, ifVersion: seen });
    },
    addStep: (chart: Chart, title: string, dueDate?: string, options?: EditOptions) =>
      edit(`Add step ${q(title)}`, 'steps.add', { context: chart.context, chartId: chart.id, title, ...(dueDate ? { dueDate } : {}) }, (v) => ({
        inverse: call('steps.remove', { context: chart.context, name: v.name }),
        check: stepCheck(chart, v.name, `the step ${q(title)}`, (s) => fingerprint(s.title, s.dueDate ?? null, s.completed, s.telescopedInto !== undefined), fingerprint(title, dueDate ?? null, false, false)),
      }), options),
    renameStep: (chart: Chart, step: ActionStep, title: string, options?: EditOptions) =>
      edit(`Rename step ${q(step.title)}`, 'steps.edit', { context: chart.context, name: step.name, title }, () => ({
        inverse: call('steps.edit', { context: chart.context, name: step.name, title: step.title }),
        check: stepCheck(chart, step.name, `the step ${q(title)}`, (s) => s.title, title),
      }), options),
    redateStep: (chart: Chart, step: ActionStep, dueDate: string | null, options?: EditOptions) =>
      edit(`Change the date of ${q(step.title)}`, 'steps.edit', { context: chart.context, name: step.name, dueDate }, () => ({
        inverse: call('steps.edit', { context: chart.context, name: step.name, dueDate: step.dueDate ?? null }),
        check: stepCheck(chart, step.name, `the date of ${q(step.title)}`, (s) => s.dueDate ?? '', dueDate ?? ''),
      }), options),
    moveStep: (chart: Chart, step: ActionStep, to: number) => {
      const from = chart.steps.findIndex((s) => s.name === step.name) + 1;
      return edit(`Move step ${q(step.title)}`, 'steps.move', { context: chart.context, name: step.name, to }, () => ({
        inverse: call('steps.move', { context: chart.context, name: step.name, to: from }),
        check: stepCheck(chart, step.name, `the place of ${q(step.title)}`, (s, c) => String(c.steps.indexOf(s) + 1), String(to)),
      }), at(step.version));
    },
    /** A step someone else completed already (or a second click) changes nothing (changed: 0): no undo then, which would reopen their completion. */
    completeStep: (chart: Chart, step: ActionStep) =>
      edit(`Complete ${q(step.title)}`, 'steps.complete', { context: chart.context, name: step.name }, (v) => (v.changed === 0 ? null : {
        inverse: call('steps.reopen', { context: chart.context, name: step.name }),
        check: stepCheck(chart, step.name, `the step ${q(step.title)}`, (s) => String(s.completed), 'true'),
      }), {}),
    /** Likewise: a step already open is not reopened, and leaves no undo that would complete it. */
    reopenStep: (chart: Chart, step: ActionStep) =>
      edit(`Reopen ${q(step.title)}`, 'steps.reopen', { context: chart.context, name: step.name }, (v) => (v.changed === 0 ? null : {
        inverse: call('steps.complete', { context: chart.context, name: step.name }),
        check: stepCheck(chart, step.name, `the step ${q(step.title)}`, (s) => String(s.completed), 'false'),
      }), {}),
    /** Removes the step with every chart telescoped from it; undo puts all of it back exactly as it was. */
    removeStep: (chart: Chart, step: ActionStep) =>
      edit(`Remove step ${q(step.title)}`, 'steps.remove', { context: chart.context, name: step.name }, (v) => (v.removed.length > 0 ? { inverse: call('steps.restore', { context: chart.context, records: [...v.removed] }) } : null), at(step.version)),
    /** Undo removes the sub-chart again, if nobody has changed it since. */
    telescope: (chart: Chart, step: ActionStep, reality?: string) =>
      edit(`Telescope ${q(step.title)}`, 'steps.telescope', { context: chart.context, name: step.name, ...(reality ? { reality } : {}) }, (v) => ({
        inverse: call('charts.remove', { context: chart.context, id: v.id }),
        check: madeChartCheck(chart.context, v.id, `the sub-chart of ${q(step.title)}`, v.version, client, own),
      }), at(step.version)),
    /** Takes back the last change; refused (and said why) when someone else changed that part since. */
    undo(): Promise<{ label: string; result: IpcResult<unknown> } | null> {
      const turn = undoing.then(async () => {
        const entry = undo.getState().pop();
        if (!entry) return null;
        const result = await takeBack(entry);
        await refresher.afterEdit(entry.check?.context ?? (entry.inverse.input as { context?: string }).context ?? '');
        return { label: entry.label, result };
      });
      undoing = turn.catch(() => undefined);
      return turn;
    },
  };
}
export type ChartEditor = ReturnType<typeof createChartEditor>;
