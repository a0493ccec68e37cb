// What a COAIA tool's argument names. The COAIA servers call a chart by its id and an action
// step by its entity name, and in their newer pattern an action step *is* a telescoped chart,
// named by its desired outcome (`chart_456_desired_outcome`). Ours: a step is `<chart>_action_<n>`,
// and a sub-chart hangs from the step it was telescoped from. These resolve either spelling, and
// refuse a name that means something else (a step given where a chart is wanted must not change
// the chart it belongs to).
import { EngineError } from '../core/errors.ts';
import { entityKey } from '../core/records.ts';
import type { RecordSet } from '../core/recordSet.ts';
import { chartIndexOf, chartParts, entityOf, isStep, resolveChartId, type Entity } from '../core/charts/chartModel.ts';
import { DESIRED_OUTCOME } from '../../shared/domain.ts';


/** True when the name is an action step's (not a chart, not a chart's part). */
export function namesStep(state: RecordSet, reference: string): boolean {
  const entity = entityOf(state.get(entityKey(reference)));
  return entity !== undefined && isStep(entity);
}

/** A chart id from a chart id, a `_chart`, `_desired_outcome` or `_current_reality` name; never from a step's name. */
export function chartNamed(state: RecordSet, reference: string, context: string): string {
  const entity = entityOf(state.get(entityKey(reference)));
  if (entity && isStep(entity)) {
    const owner = resolveChartId(state, reference);
    const sub = chartIndexOf(state).subChartOfStep(reference);
    throw new EngineError(
      'BAD_INPUT',
      `${reference} is an action step${owner ? ` of chart ${owner}` : ''}, not a chart${sub ? `; the chart telescoped from it is ${sub}` : ''}.`,
    );
  }
  const id = resolveChartId(state, reference);
  if (!id) throw new EngineError('NOT_FOUND', `No chart ${JSON.stringify(reference)} in context ${context} (list_active_charts lists them).`);
  return id;
}

export type StepReference =
  /** An action step entity, with the chart it belongs to and the sub-chart telescoped from it. */
  | { readonly kind: 'step'; readonly step: Entity; readonly chartId: string; readonly subChart: string | undefined }
  /** A sub-chart named by its desired outcome that hangs from no step of ours (coaia-narrative's add_action_step makes these). */
  | { readonly kind: 'sub-chart'; readonly chartId: string; readonly parentChart: string; readonly outcome: Entity };

/** An action step by its name, or a sub-chart's desired outcome standing for the step it came from. */
export function stepNamed(state: RecordSet, reference: string, context: string): StepReference {
  const entity = entityOf(state.get(entityKey(reference)));
  if (!entity) throw new EngineError('NOT_FOUND', `No action step ${JSON.stringify(reference)} in context ${context} (get_chart lists a chart's steps).`);
  if (isStep(entity)) {
    const chartId = resolveChartId(state, reference);
    if (!chartId) throw new EngineError('NOT_FOUND', `The action step ${reference} belongs to no chart in context ${context}.`);
    return { kind: 'step', step: entity, chartId, subChart: chartIndexOf(state).subChartOfStep(reference) };
  }
  if (entity.entityType === DESIRED_OUTCOME) {
    const chartId = resolveChartId(state, reference);
    if (!chartId) throw new EngineError('NOT_FOUND', `The desired outcome ${reference} belongs to no chart in context ${context}.`);
    const meta = chartParts(state, chartId).chart?.metadata ?? {};
    const parentStep = typeof meta.parentActionStep === 'string' ? entityOf(state.get(entityKey(meta.parentActionStep))) : undefined;
    if (parentStep && isStep(parentStep)) return stepNamed(state, parentStep.name, context);
    if (typeof meta.parentChart === 'string') return { kind: 'sub-chart', chartId, parentChart: meta.parentChart, outcome: entity };
    throw new EngineError('BAD_INPUT', `${reference} is the desired outcome of the top-level chart ${chartId}, not an action step (get_chart ${chartId} lists its steps).`);
  }
  throw new EngineError('BAD_INPUT', `${reference} is ${entity.entityType ? `a ${entity.entityType}` : 'an entity'}, not an action step (get_chart lists a chart's steps).`);
}
