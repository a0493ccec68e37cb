// One chart's summary for the chart list, read from a few of its records: its `_chart` and
// desired-outcome entities (the chart head the record set keeps carries the first), with its
// steps counted from their lines' text, so a list of 100k charts parses 100k lines, not 1.3M.
// The full reading (readChart) only for a chart whose parts are not where they usually are.
// The list's cache of summaries, kept as records change, is chartSummaries.ts.
import type { ChartSummary } from '../../../shared/domain.ts';
import { entityKey, type StoredRecord } from '../records.ts';
import type { RecordSet } from '../recordSet.ts';
import { STEP_NUMBER, chartEntityName, chartHeadOf, entityOf, isStepOfChart, isStepPart, listedChartFields, outcomeName, readChart, summarizeChart, text, type ChartIndex, type ListedChartFields } from './chartModel.ts';

/** A chart's steps: how many, and how many completed. */
export interface StepCount {
  total: number;
  done: number;
}

export const NO_STEPS: StepCount = Object.freeze({ total: 0, done: 0 });

/**
 * The chart a step entity belongs to by its name (`<id>_action_<n>`), and whether it is tagged
 * with that chart's id; undefined for any other record. An untagged one is a stray step (a peer
 * stripped its metadata, or it names another chart): that chart's steps are looked for by
 * relations too (stepsOf). In files our tools wrote there are none.
 */
export function stepOf(record: StoredRecord): { id: string; tagged: boolean } | undefined {
  if (record.kind !== 'entity') return undefined;
  // On the key (the name after two characters: no new string for every record), and only for
  // a name that ends in a digit: a chart's other parts, most of its records, skip the pattern.
  const key = record.key;
  const last = key.charCodeAt(key.length - 1);
  if (last < DIGIT_0 || last > DIGIT_9) return undefined;
  const step = STEP_NUMBER.exec(key);
  if (!step) return undefined;
  const id = key.slice(2, step.index);
  return { id, tagged: record.chartId === id };
}

const DIGIT_0 = 48;
const DIGIT_9 = 57;

export function summarizeFully(state: RecordSet, id: string, context: string, index: ChartIndex): ChartSummary | undefined {
  const chart = readChart(state, id, context, index);
  return chart ? summarizeChart(chart) : undefined;
}

// Made once, not at every step (a regular expression literal in a function is made at each call).
export const COMPLETED = /"completionStatus":\s*true/;

/**
 * The steps of chart `id`, for a chart with a stray step, counted from their lines' text
 * (`"completionStatus":true`): the entities tagged with its id and those its outcome or chart
 * entity is related to by a step's name (a peer stripped their metadata), as readChart finds
 * its parts, each a step as readChart sorts them (isStepPart).
 */
export function stepsOf(state: RecordSet, id: string): StepCount {
  const stepKeys = new Set<string>(state.chartKeys(id));
  for (const hub of [outcomeName(id), chartEntityName(id)]) {
    for (const relation of state.relationKeysOf(hub)) {
      const record = state.get(relation);
      if (record?.kind !== 'relation') continue;
      for (const end of [record.from as string, record.to as string]) if (isStepOfChart(id, end)) stepKeys.add(entityKey(end));
    }
  }
  const count: StepCount = { total: 0, done: 0 };
  for (const key of stepKeys) {
    const record = state.get(key);
    if (record?.kind !== 'entity' || !isStepPart(record, id)) continue;
    count.total += 1;
    if (COMPLETED.test(record.raw)) count.done += 1;
  }
  return count;
}

/**
 * A chart's summary parsing only its `_chart` and desired-outcome lines, its steps counted
 * from their lines' text (chartSummaries.ts's counts, or stepsOf). A list of 100k charts then parses 200k lines
 * instead of 1.3M. Undefined (the full reading is used) for a chart without those two
 * entities under their usual names.
 */
export function quickSummary(state: RecordSet, id: string, context: string, steps: StepCount, find: FindRecord = (key) => state.get(key)): ChartSummary | undefined {
  const chart = chartFieldsOf(state, id, find);
  const outcome = entityOf(find(entityKey(outcomeName(id))));
  if (!chart || !outcome) return undefined;
  const dueDate = chart.dueDate ?? text(outcome.metadata.dueDate);
  const outcomeCompleted = outcome.metadata.completionStatus === true;
  return {
    id,
    context,
    desiredOutcome: outcome.observations[0] ?? '',
    ...(dueDate === undefined ? {} : { dueDate }),
    level: chart.level ?? 0,
    ...(chart.parentChart === undefined ? {} : { parentChart: chart.parentChart }),
    complete: outcomeCompleted || (steps.total > 0 && steps.done === steps.total),
    stepsDone: steps.done,
    stepsTotal: steps.total,
    ...(chart.updatedAt === undefined ? {} : { updatedAt: chart.updatedAt }),
  };
}

/** A record by its key, as the record set's map answers (state.get). */
export type FindRecord = (key: string) => StoredRecord | undefined;

const CHART_ENTITY_SUFFIX = chartEntityName('');
const OUTCOME_ENTITY_SUFFIX = outcomeName('');

/**
 * Keeps `record` in `parts` when quickSummary may look it up (an entity named `<id>_chart` or
 * `<id>_desired_outcome`), the first of a key as the record set's map keeps it. A list made in
 * one pass over every record gathers these on the way and looks them up there: a lookup in
 * the record set would build its map of every key first (DeferredRecordMap), about a tenth of
 * `tension chart list` at 1,000 charts, for two records a chart.
 */
export function gatherSummaryPart(parts: Map<string, StoredRecord>, record: StoredRecord): void {
  if (record.kind !== 'entity') return;
  const key = record.key;
  if ((key.endsWith(CHART_ENTITY_SUFFIX) || key.endsWith(OUTCOME_ENTITY_SUFFIX)) && !parts.has(key)) parts.set(key, record);
}

/**
 * What the list shows of chart `id`'s `_chart` entity: the chart head the record set keeps for
 * it (parsed once, when the chart index read it), or, for a `_chart` entity that is no chart
 * head (another entityType), its own metadata. Undefined when there is no such entity. Where
 * the record set keeps no chart heads yet (a list read from its cache, derivedCache.ts), the one
 * entity is read: keeping them starts with a pass over every record (about 0.8 s at 100k charts).
 */
function chartFieldsOf(state: RecordSet, id: string, find: FindRecord): ListedChartFields | undefined {
  const key = entityKey(chartEntityName(id));
  const heads = state.derivedIfKept(chartHeadOf);
  const record = heads ? undefined : find(key);
  const head = heads ? heads.get(key) : record && chartHeadOf(record);
  if (head?.kind === 'chart') return head;
  const entity = entityOf(find(key));
  return entity ? listedChartFields(entity.metadata) : undefined;
}
