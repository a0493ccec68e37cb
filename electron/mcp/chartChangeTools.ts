// The COAIA chart tools that change charts, with coaia-narrative's names and arguments, and our
// semantics: a step completed does not complete its chart (only its desired outcome, or every
// step, does); removing a step removes the charts telescoped from it, at every depth; every
// field and metadata key we do not set is kept. Each tool is one transaction, built by the chart
// service's edits (core/charts/), never from a stale copy of the file.
import { z } from 'zod';
import { EngineError } from '../core/errors.ts';
import { entityKey } from '../core/records.ts';
import { setEntity } from '../core/knowledgeGraph.ts';
import type { RecordSet } from '../core/recordSet.ts';
import { chartParts, entityOf, outcomeName, realityName } from '../core/charts/chartModel.ts';
import * as edits from '../core/charts/chartEdits.ts';
import { ACTION_STEP, DESIRED_OUTCOME } from '../../shared/domain.ts';
import { inSequence } from './changeSequence.ts';
import { chartNamed, namesStep, stepNamed } from './chartReferences.ts';
import { stepCountsOf } from './chartProgress.ts';
import { defineTool, readContext as read, type AnyToolSpec, type ToolCall } from './toolRegistry.ts';
import { operationFor, refuseOtherUse } from '../core/operationIntent.ts';

const chartId = z.string().describe('The chart id, e.g. chart_1771269081608 (list_active_charts lists them).');
const actionStepName = z.string().describe('The action step\'s name, e.g. chart_1771269081608_action_2 (or a sub-chart\'s desired outcome name, which stands for the step it came from).');
const dueDate = z.string().describe('A date (2026-12-31) or an ISO time (2026-12-31T17:00:00Z).');

const retried = (duplicate: boolean) => (duplicate ? { alreadyApplied: true } : {});


/** A call retried with an operationId already applied (checked first where a retry would find its target gone). */
async function alreadyApplied(call: ToolCall): Promise<boolean> {
  const { op } = call;
  if (op === undefined) return false;
  const opFor = operationFor(op);
  return call.env.engine.read(call.context, (_state, store) => {
    const done = store.hasOperation(op);
    // The same id with other arguments is another change: refused, not answered as this one.
    if (done) refuseOtherUse(op, done, opFor);
    return done !== undefined;
  });
}

interface TelescopedStep {
  readonly chartId: string;
  readonly actionStepName: string;
  readonly parentChartId: string;
}

/**
 * Adds a step to a chart and telescopes it at once into a sub-chart with the current reality
 * given (COAIA's "an action step becomes a full structural tension chart"), as one transaction.
 */
async function addTelescopedStep(call: ToolCall, input: { parent: string; title: string; reality: string; dueDate?: string | undefined; steps?: readonly string[] | undefined }): Promise<TelescopedStep & { alreadyApplied?: true }> {
  const { env, context, op } = call;
  const now = env.clock();
  let made: TelescopedStep = { chartId: '', actionStepName: '', parentChartId: '' };
  const result = await env.engine.transact(context, (state) => {
    const parentChartId = chartNamed(state, input.parent, context);
    let step = '';
    let sub = '';
    const changes = inSequence(state, [
      (s) => {
        const built = edits.addStep(s, parentChartId, { title: input.title, ...(input.dueDate === undefined ? {} : { dueDate: input.dueDate }) }, now);
        step = built.name;
        return built.changes;
      },
      (s) => {
        const built = edits.telescope(s, step, { reality: input.reality, steps: input.steps ?? [] }, now);
        sub = built.id;
        return built.changes;
      },
    ]);
    made = { chartId: sub, actionStepName: step, parentChartId };
    return changes;
  }, { op });
  if (!result.duplicate) return made;
  // A retry: what the first call made is read back from its commit.
  const again = await read(call, (state, store) => {
    for (const key of store.changedKeysOf(result.tx)) {
      const meta = entityOf(state.get(key))?.metadata;
      if (key.endsWith('_chart') && typeof meta?.parentActionStep === 'string' && typeof meta.parentChart === 'string') {
        return { chartId: key.slice(2, -'_chart'.length), actionStepName: meta.parentActionStep, parentChartId: meta.parentChart };
      }
    }
    return made;
  });
  return { ...again, alreadyApplied: true };
}

export const chartChangeTools: readonly AnyToolSpec[] = [
  defineTool({
    name: 'create_structural_tension_chart',
    description: 'Create a structural tension chart: the desired outcome (what you want to create), the current reality (an honest, factual account of where things stand), a due date, and optional action steps. Returns chartId and the steps\' names.',
    arguments: {
      desiredOutcome: z.string().describe('What you want to create, stated as the result you want.'),
      currentReality: z.string().describe('Where things stand now, factually (not "ready to begin").'),
      dueDate: dueDate.describe('When the outcome is due: a date (2026-12-31) or an ISO time.'),
      actionSteps: z.array(z.string()).optional().describe('Titles of the first action steps, in order.'),
    },
    scope: 'context',
    writes: true,
    async run(args, call) {
      const { id, result } = await call.env.charts.create(call.context, { outcome: args.desiredOutcome, reality: [args.currentReality], dueDate: args.dueDate, steps: args.actionSteps ?? [] }, call.op);
      // What was made, read from the chart's own records (get_chart shows it in full).
      const made = await read(call, (state) => {
        const parts = chartParts(state, id);
        return {
          desiredOutcome: parts.outcome?.observations[0] ?? '',
          currentReality: parts.reality?.observations ?? [],
          dueDate: parts.chart?.metadata.dueDate,
          actionSteps: parts.steps.map((step) => ({ name: step.name, title: step.observations[0] ?? '' })),
        };
      });
      return { chartId: id, context: call.context, ...made, ...retried(result.duplicate) };
    },
  }),

  defineTool({
    name: 'add_action_step',
    description: 'Add an action step to a chart; it is telescoped at once into a sub-chart whose desired outcome is the step and whose current reality you give. Returns actionStepName (the step) and chartId (its sub-chart).',
    arguments: {
      parentChartId: z.string().describe('The id of the chart to add the step to.'),
      actionStepTitle: z.string().describe('What the step achieves (also the sub-chart\'s desired outcome).'),
      dueDate: dueDate.optional().describe('When the step is due: a date (2026-12-31) or an ISO time.'),
      currentReality: z.string().describe('Where this step honestly stands now (the sub-chart\'s current reality).'),
    },
    scope: 'context',
    writes: true,
    async run(args, call) {
      return { ...(await addTelescopedStep(call, { parent: args.parentChartId, title: args.actionStepTitle, reality: args.currentReality, dueDate: args.dueDate })) };
    },
  }),

  defineTool({
    name: 'manage_action_step',
    description: 'parentReference a chart id: add a step to that chart, telescoped into a sub-chart (as add_action_step; currentReality required, initialActionSteps become the sub-chart\'s steps). parentReference an action step name: telescope that step into a sub-chart (its desired outcome is the step\'s title).',
    arguments: {
      parentReference: z.string().describe('A chart id (adds a step to it) or an action step name (telescopes that step).'),
      actionDescription: z.string().describe('The new step\'s title (used when adding a step).'),
      currentReality: z.string().optional().describe('Where the step honestly stands now; required when adding a step.'),
      initialActionSteps: z.array(z.string()).optional().describe('Steps of the sub-chart.'),
      dueDate: dueDate.optional().describe('When the new step is due (used when adding a step).'),
    },
    scope: 'context',
    writes: true,
    async run(args, call) {
      const expanding = await read(call, (state) => namesStep(state, args.parentReference));
      if (!expanding) {
        if (args.currentReality === undefined) throw new EngineError('BAD_INPUT', 'currentReality is required to add a step to a chart: say where this step honestly stands.');
        const made = await addTelescopedStep(call, { parent: args.parentReference, title: args.actionDescription, reality: args.currentReality, dueDate: args.dueDate, steps: args.initialActionSteps });
        return { action: 'step added and telescoped', ...made };
      }
      const owner = await read(call, (state) => stepNamed(state, args.parentReference, call.context));
      const { id, result } = await call.env.charts.telescope(call.context, args.parentReference, { ...(args.currentReality === undefined ? {} : { reality: args.currentReality }), steps: args.initialActionSteps ?? [] }, call.op);
      const unused = [...(args.dueDate !== undefined ? ['dueDate'] : []), ...(owner.kind === 'step' && args.actionDescription !== owner.step.observations[0] ? ['actionDescription'] : [])];
      return {
        action: 'step telescoped',
        chartId: id,
        actionStepName: args.parentReference,
        parentChartId: owner.chartId,
        ...(unused.length ? { note: `${unused.join(' and ')} not used: the sub-chart's desired outcome is the step's title and its due date the step's.` } : {}),
        ...retried(result.duplicate),
      };
    },
  }),

  defineTool({
    name: 'telescope_action_step',
    description: 'Telescope an action step into a sub-chart whose desired outcome is the step, with the current reality you give. Returns the sub-chart\'s chartId.',
    arguments: {
      actionStepName,
      newCurrentReality: z.string().describe('Where this step honestly stands now (the sub-chart\'s current reality).'),
      initialActionSteps: z.array(z.string()).optional().describe('Steps of the sub-chart.'),
    },
    scope: 'context',
    writes: true,
    async run(args, call) {
      const ref = await read(call, (state) => stepNamed(state, args.actionStepName, call.context));
      if (ref.kind !== 'step') throw new EngineError('BAD_INPUT', `${args.actionStepName} names the sub-chart ${ref.chartId} itself: add steps to it with add_action_step (parentChartId ${ref.chartId}).`);
      const { id, result } = await call.env.charts.telescope(call.context, ref.step.name, { reality: args.newCurrentReality, steps: args.initialActionSteps ?? [] }, call.op);
      return { chartId: id, parentChart: ref.chartId, actionStepName: ref.step.name, ...retried(result.duplicate) };
    },
  }),

  defineTool({
    name: 'mark_action_complete',
    description: 'Mark an action step complete (a telescoped step completes its sub-chart\'s desired outcome too), noting "Completed: <step>" in the chart\'s current reality. The chart is complete only when every step is. Returns the chart\'s progress.',
    arguments: { actionStepName },
    scope: 'context',
    writes: true,
    idempotent: true,
    async run(args, call) {
      const { charts } = call.env;
      const target = await read(call, (state) => {
        const entity = entityOf(state.get(entityKey(args.actionStepName)));
        if (entity?.entityType === DESIRED_OUTCOME) {
          // A top-level chart's own desired outcome: the chart is achieved.
          try {
            return stepNamed(state, args.actionStepName, call.context);
          } catch (error) {
            if (error instanceof EngineError && error.code === 'BAD_INPUT') return { kind: 'outcome' as const, chartId: chartNamed(state, args.actionStepName, call.context) };
            throw error;
          }
        }
        return stepNamed(state, args.actionStepName, call.context);
      });
      let owner: string;
      let duplicate: boolean;
      if (target.kind === 'step') {
        owner = target.chartId;
        // A telescoped step completes its sub-charts' desired outcomes too (chartCompletion.ts).
        duplicate = (await charts.completeStep(call.context, target.step.name, call.op)).duplicate;
      } else {
        owner = target.kind === 'sub-chart' ? target.parentChart : target.chartId;
        duplicate = (await charts.completeOutcome(call.context, target.chartId, call.op)).duplicate;
      }
      const counts = await read(call, (state) => stepCountsOf(state, owner));
      return { completed: args.actionStepName, chartId: owner, ...counts, ...retried(duplicate) };
    },
  }),

  defineTool({
    name: 'update_action_progress',
    description: 'Note progress on an action step without completing it; with updateCurrentReality, also add "Progress on <step>: <note>" to its chart\'s current reality.',
    arguments: {
      actionStepName,
      progressObservation: z.string().describe('What progress was made.'),
      updateCurrentReality: z.boolean().optional().describe('Also note it in the chart\'s current reality (default false).'),
    },
    scope: 'context',
    writes: true,
    idempotent: true,
    async run(args, call) {
      const { env, context, op } = call;
      const now = env.clock();
      let chart = '';
      let step = '';
      const result = await env.engine.transact(context, (state) => {
        const ref = stepNamed(state, args.actionStepName, context);
        const entity = ref.kind === 'step' ? ref.step : ref.outcome;
        chart = ref.kind === 'step' ? ref.chartId : ref.parentChart;
        step = entity.name;
        const note = edits.requireText(args.progressObservation, 'progressObservation');
        return inSequence(state, [
          (s) => setEntity(s, { name: entity.name, entityType: entity.entityType || ACTION_STEP, observations: [note], metadata: { updatedAt: now.toISOString() } }),
          ...(args.updateCurrentReality ? [(s: RecordSet) => edits.addReality(s, chart, `Progress on ${entity.observations[0] ?? entity.name}: ${note}`, now)] : []),
        ]);
      }, { op });
      if (result.duplicate) {
        // The builder did not run for a retry: the step and its chart are read as they are now.
        await read(call, (state) => {
          const ref = stepNamed(state, args.actionStepName, context);
          chart = ref.kind === 'step' ? ref.chartId : ref.parentChart;
          step = (ref.kind === 'step' ? ref.step : ref.outcome).name;
        });
      }
      return { actionStepName: step || args.actionStepName, chartId: chart, addedToCurrentReality: args.updateCurrentReality === true, ...retried(result.duplicate) };
    },
  }),

  defineTool({
    name: 'update_current_reality',
    description: 'Add observations to a chart\'s current reality (ones it already has are skipped). Returns the current reality.',
    arguments: {
      chartId,
      newObservations: z.array(z.string()).describe('The observations to add, each a fact about where things stand.'),
    },
    scope: 'context',
    writes: true,
    idempotent: true,
    async run(args, call) {
      const { env, context, op } = call;
      if (args.newObservations.length === 0) throw new EngineError('BAD_INPUT', 'newObservations is empty: give at least one observation.');
      const now = env.clock();
      let id = '';
      const result = await env.engine.transact(context, (state) => {
        id = chartNamed(state, args.chartId, context);
        return inSequence(state, args.newObservations.map((text) => (s: RecordSet) => edits.addReality(s, id, text, now)));
      }, { op });
      const currentReality = await read(call, (state) => {
        if (result.duplicate) id = chartNamed(state, args.chartId, context);
        return entityOf(state.get(entityKey(realityName(id))))?.observations ?? [];
      });
      return { chartId: id, currentReality, ...retried(result.duplicate) };
    },
  }),

  defineTool({
    name: 'update_desired_outcome',
    description: 'Change a chart\'s desired outcome (a sub-chart\'s too: give the sub-chart\'s id).',
    arguments: { chartId, newDesiredOutcome: z.string().describe('The new desired outcome.') },
    scope: 'context',
    writes: true,
    idempotent: true,
    async run(args, call) {
      const id = await read(call, (state) => chartNamed(state, args.chartId, call.context));
      const result = await call.env.charts.setOutcome(call.context, id, args.newDesiredOutcome, call.op);
      const desiredOutcome = await read(call, (state) => entityOf(state.get(entityKey(outcomeName(id))))?.observations[0] ?? '');
      return { chartId: id, desiredOutcome, ...retried(result.duplicate) };
    },
  }),

  defineTool({
    name: 'remove_action_step',
    description: 'Remove an action step from its chart, with every chart telescoped from it at any depth (all stays in the chart\'s history). Returns how many records went.',
    arguments: { parentChartId: z.string().describe('The id of the chart the step belongs to.'), actionStepName },
    scope: 'context',
    writes: true,
    destructive: true,
    async run(args, call) {
      const { env, context, op } = call;
      if (await alreadyApplied(call)) return { removed: args.actionStepName, alreadyApplied: true };
      const target = await read(call, (state) => {
        const parent = chartNamed(state, args.parentChartId, context);
        const ref = stepNamed(state, args.actionStepName, context);
        const owner = ref.kind === 'step' ? ref.chartId : ref.parentChart;
        if (owner !== parent) throw new EngineError('BAD_INPUT', `${args.actionStepName} belongs to chart ${owner}, not to ${parent}.`);
        // A sub-chart coaia-narrative hung from the chart without a step of its own is removed by its
        // desired outcome's name, as `step remove` does (with its "Completed" note in the parent).
        const link = ref.kind === 'sub-chart' ? edits.parentLink(state, chartParts(state, ref.chartId)) : undefined;
        const ownStep = link !== undefined && link.step === undefined;
        return { parent, step: ref.kind === 'step' ? ref.step.name : ownStep ? outcomeName(ref.chartId) : undefined, subChart: ref.kind === 'sub-chart' ? ref.chartId : undefined };
      });
      const result = target.step !== undefined
        ? await env.charts.removeStep(context, target.step, op)
        // One whose step is gone: it goes with its own sub-charts.
        : await env.engine.transact(context, (state) => ({ puts: [], deletes: [...edits.subtreeKeys(state, target.subChart as string)] }), { op });
      return { removed: target.subChart === undefined ? (target.step ?? args.actionStepName) : args.actionStepName, chartId: target.parent, records: result.changed, ...retried(result.duplicate) };
    },
  }),
];
