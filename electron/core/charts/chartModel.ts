// Reading structural tension charts out of a context's records. A chart `<id>` is the
// entities `<id>_chart`, `<id>_desired_outcome`, `<id>_current_reality` and its action steps
// `<id>_action_<n>` (coaia-spiral writes `_action<n>`), found by metadata.chartId first and by
// name and relations otherwise (files the reference server touched have no metadata).
import {
  ACTION_STEP,
  CURRENT_REALITY,
  DESIRED_OUTCOME,
  STRUCTURAL_TENSION_CHART,
  type ActionStep,
  type Chart,
  type ChartSummary,
  type ChartTree,
} from '../../../shared/domain.ts';
import { entityKey, parseValue, type StoredRecord } from '../records.ts';
import type { RecordSet } from '../recordSet.ts';

type Json = Record<string, unknown>;

export const chartEntityName = (id: string) => `${id}_chart`;
export const outcomeName = (id: string) => `${id}_desired_outcome`;
export const realityName = (id: string) => `${id}_current_reality`;
const OUTCOME_SUFFIX = '_desired_outcome';
/** A step's name ends so (`<id>_action_<n>` or `<id>_action<n>`); the group is its number. */
export const STEP_NUMBER = /_action_?(\d+)$/;
/** An action step entity: typed so, or untyped with a step's name (files the reference server wrote). */
export function isStep(entity: Entity): boolean {
  return entity.entityType === ACTION_STEP || (entity.entityType === '' && /_action_?\d+$/.test(entity.name));
}

/** What follows `<id>_` in the name of a chart's own part. */
const PART_SUFFIX = /^(?:chart|desired_outcome|current_reality|action_?\d+)$/;

/**
 * Whether `name` is one of chart `id`'s own parts, matched exactly: a prefix test would make
 * chart `chart` own `chart_123_desired_outcome` (every chart's parts).
 */
export function isPartOfChart(id: string, name: string): boolean {
  return name.length > id.length + 1 && name.startsWith(id) && name[id.length] === '_' && PART_SUFFIX.test(name.slice(id.length + 1));
}

/** Whether a record key (entity, or relation by either end) belongs to chart `id`. */
export function keyBelongsToChart(id: string, key: string): boolean {
  const [kind, ...rest] = key.split('\u0000');
  if (kind === 'e') return isPartOfChart(id, rest.join('\u0000'));
  if (kind === 'r') return isPartOfChart(id, rest[0] ?? '') || isPartOfChart(id, rest[1] ?? '');
  return false;
}

/** A step of chart `id` by its name (`<id>_action_<n>` or `<id>_action<n>`). */
export const isStepOfChart = (id: string, name: string) => isPartOfChart(id, name) && STEP_NUMBER.test(name);

export interface Entity {
  readonly record: StoredRecord;
  readonly name: string;
  readonly entityType: string;
  readonly observations: string[];
  readonly metadata: Json;
}

export function entityOf(record: StoredRecord | undefined): Entity | undefined {
  if (!record || record.kind !== 'entity') return undefined;
  const value = parseValue(record);
  return {
    record,
    name: record.name as string,
    entityType: typeof value.entityType === 'string' ? value.entityType : '',
    observations: Array.isArray(value.observations) ? value.observations.filter((o): o is string => typeof o === 'string') : [],
    metadata: typeof value.metadata === 'object' && value.metadata !== null && !Array.isArray(value.metadata) ? (value.metadata as Json) : {},
  };
}

export interface ChartParts {
  readonly id: string;
  readonly chart: Entity | undefined;
  readonly outcome: Entity | undefined;
  readonly reality: Entity | undefined;
  readonly steps: Entity[];
  /** Every record of the chart itself (not its sub-charts): its entities and their relations. */
  readonly keys: Set<string>;
}

/** The chart id for an id, a `_chart` entity name, or any part's name; undefined when there is none. */
/** A chart of this id exists: records tagged with it, its chart entity or its desired outcome. */
export function isChartId(state: RecordSet, id: string): boolean {
  return state.chartKeys(id).size > 0 || state.has(entityKey(chartEntityName(id))) || state.has(entityKey(outcomeName(id)));
}

export function resolveChartId(state: RecordSet, idOrName: string): string | undefined {
  if (isChartId(state, idOrName)) return idOrName;
  const part = entityOf(state.get(entityKey(idOrName)));
  if (part) {
    if (typeof part.metadata.chartId === 'string') return part.metadata.chartId;
    for (const suffix of ['_chart', '_desired_outcome', '_current_reality']) if (part.name.endsWith(suffix)) return part.name.slice(0, -suffix.length);
    const step = STEP_NUMBER.exec(part.name);
    if (step) return part.name.slice(0, step.index);
  }
  return undefined;
}

/** The keys of a chart's own records (its entities and their relations), found without parsing any line. */
export function chartPartKeys(state: RecordSet, id: string): Set<string> {
  const keys = new Set<string>(state.chartKeys(id));
  for (const name of [chartEntityName(id), outcomeName(id), realityName(id)]) if (state.has(entityKey(name))) keys.add(entityKey(name));
  // Steps without metadata are found by the relations that tie them to the chart.
  for (const hub of [outcomeName(id), chartEntityName(id)]) {
    for (const relationKey of state.relationKeysOf(hub)) {
      const relation = state.get(relationKey);
      if (!relation) continue;
      for (const end of [relation.from as string, relation.to as string]) {
        if (isStepOfChart(id, end) && state.has(entityKey(end))) keys.add(entityKey(end));
      }
    }
  }
  for (const key of [...keys]) {
    const record = state.get(key);
    if (record?.kind !== 'entity') continue;
    for (const relationKey of state.relationKeysOf(record.name as string)) {
      const relation = state.get(relationKey);
      // Relations among this chart's own parts, and from its parts outward (a sub-chart's
      // outcome advancing toward this chart's outcome belongs to the sub-chart).
      if (relation && keys.has(entityKey(relation.from as string))) keys.add(relationKey);
    }
  }
  for (const key of keys) {
    const relation = state.get(key);
    if (relation?.kind === 'relation' && !keys.has(entityKey(relation.from as string))) keys.delete(key);
  }
  return keys;
}

export function chartParts(state: RecordSet, id: string, keys = chartPartKeys(state, id)): ChartParts {
  let chart: Entity | undefined;
  let outcome: Entity | undefined;
  let reality: Entity | undefined;
  const steps: Entity[] = [];
  for (const key of keys) {
    const entity = entityOf(state.get(key));
    if (!entity) continue;
    const role = partRole(id, key, entity.entityType);
    if (role === 'chart') chart ??= entity;
    else if (role === 'outcome') outcome ??= entity;
    else if (role === 'reality') reality ??= entity;
    else if (role === 'step') steps.push(entity);
  }
  return { id, chart, outcome, reality, steps, keys };
}

/**
 * What an entity among chart `id`'s parts is to it, by its type first and then by its name (an
 * entity of another type named as a step is a step); undefined for none of these. Every reading
 * of a chart sorts its parts by this: readChart, and the chart list's step counts (isStepPart).
 */
export function partRole(id: string, key: string, entityType: string): 'chart' | 'outcome' | 'reality' | 'step' | undefined {
  if (entityType === STRUCTURAL_TENSION_CHART || isNamedPart(key, id, CHART_SUFFIX)) return 'chart';
  if (entityType === DESIRED_OUTCOME || isNamedPart(key, id, OUTCOME_SUFFIX)) return 'outcome';
  if (entityType === CURRENT_REALITY || isNamedPart(key, id, REALITY_SUFFIX)) return 'reality';
  if (entityType === ACTION_STEP || STEP_NUMBER.test(key)) return 'step';
  return undefined;
}

/**
 * Whether an entity among chart `id`'s parts is one of its steps (partRole). The chart list
 * counts steps with this for every record tagged with a chart id (650,000 at 100k charts), so
 * the names are compared on the key, without a string made per record, and the type is read
 * only where it can change the answer: a name ending in a digit (a step's, never the chart's
 * own entity, outcome or reality) is a step unless its type makes it one of those; any other
 * name is a step only by its type, once it is not one of the chart's three named parts.
 */
export function isStepPart(record: StoredRecord, id: string): boolean {
  const key = record.key;
  const last = key.charCodeAt(key.length - 1);
  if (last >= DIGIT_0 && last <= DIGIT_9) {
    const type = entityTypeOf(record);
    if (type === STRUCTURAL_TENSION_CHART || type === DESIRED_OUTCOME || type === CURRENT_REALITY) return false;
    return type === ACTION_STEP || STEP_NUMBER.test(key);
  }
  if (isNamedPart(key, id, CHART_SUFFIX) || isNamedPart(key, id, OUTCOME_SUFFIX) || isNamedPart(key, id, REALITY_SUFFIX)) return false;
  return entityTypeOf(record) === ACTION_STEP;
}

const DIGIT_0 = 48;
const DIGIT_9 = 57;
const REALITY_SUFFIX = '_current_reality';

/** Whether an entity key is `<id><suffix>`'s. */
function isNamedPart(key: string, id: string, suffix: string): boolean {
  return key.length === ENTITY_KEY_START + id.length + suffix.length && key.endsWith(suffix) && key.startsWith(id, ENTITY_KEY_START);
}

const ENTITY_LINE_START = '{"type":"entity","name":"';
const TYPE_AFTER_NAME = '","entityType":"';
const PART_TYPES = [ACTION_STEP, DESIRED_OUTCOME, STRUCTURAL_TENSION_CHART, CURRENT_REALITY];

/**
 * An entity's entityType as entityOf reads it ('' when it has none that is a string). Read from
 * the line's text when the line has the shape JSON.stringify gives {type, name, entityType, …}
 * (our files and the peers'): the name written without escapes (its length in the line is the
 * name's), the type right after it, plain, and no other "entityType" key in the line (JSON.parse
 * keeps the last of two; metadata may hold one). Any other line is parsed.
 */
export function entityTypeOf(record: StoredRecord): string {
  const raw = record.raw;
  // Where the name's closing quote is when the name is written as it is (an escape would make it longer).
  const at = ENTITY_LINE_START.length + record.key.length - ENTITY_KEY_START;
  if (raw.startsWith(ENTITY_LINE_START) && raw.startsWith(TYPE_AFTER_NAME, at)) {
    const from = at + TYPE_AFTER_NAME.length;
    const end = raw.indexOf('"', from);
    if (end >= 0 && raw.indexOf('"entityType"', end) < 0) {
      // The chart's own types without a new string each (this runs for every step of a list).
      for (const known of PART_TYPES) if (end - from === known.length && raw.startsWith(known, from)) return known;
      const value = raw.slice(from, end);
      if (!value.includes('\\')) return value;
    }
  }
  return entityOf(record)?.entityType ?? '';
}

export const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
export const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

function stepOf(entity: Entity, telescopedInto: string | undefined): ActionStep {
  const number = Number(STEP_NUMBER.exec(entity.name)?.[1] ?? 0);
  const dueDate = text(entity.metadata.dueDate);
  const position = num(entity.metadata.position);
  return {
    name: entity.name,
    number,
    title: entity.observations[0] ?? '',
    notes: entity.observations.slice(1),
    ...(dueDate === undefined ? {} : { dueDate }),
    completed: entity.metadata.completionStatus === true,
    ...(position === undefined ? {} : { position }),
    ...(telescopedInto === undefined ? {} : { telescopedInto }),
  };
}

export function compareSteps(a: ActionStep, b: ActionStep): number {
  const pa = a.position ?? a.number;
  const pb = b.position ?? b.number;
  return pa - pb || a.number - b.number || (a.name < b.name ? -1 : 1);
}

/** The chart as the domain sees it, or undefined when no part of it exists. */
export function readChart(state: RecordSet, id: string, context: string, index = chartIndexOf(state)): Chart | undefined {
  const parts = chartParts(state, id);
  if (!parts.chart && !parts.outcome && !parts.reality && parts.steps.length === 0) return undefined;
  const meta = parts.chart?.metadata ?? {};
  const steps = parts.steps.map((s) => stepOf(s, index.subChartOfStep(s.name))).sort(compareSteps);
  const outcomeCompleted = parts.outcome?.metadata.completionStatus === true;
  const dueDate = text(meta.dueDate) ?? text(parts.outcome?.metadata.dueDate);
  const parentChart = text(meta.parentChart);
  const parentActionStep = text(meta.parentActionStep);
  const createdAt = text(meta.createdAt);
  const updatedAt = text(meta.updatedAt);
  return {
    id,
    context,
    desiredOutcome: parts.outcome?.observations[0] ?? '',
    currentReality: parts.reality?.observations ?? [],
    notes: parts.chart?.observations ?? [],
    ...(dueDate === undefined ? {} : { dueDate }),
    level: num(meta.level) ?? 0,
    ...(parentChart === undefined ? {} : { parentChart }),
    ...(parentActionStep === undefined ? {} : { parentActionStep }),
    steps,
    outcomeCompleted,
    complete: outcomeCompleted || (steps.length > 0 && steps.every((s) => s.completed)),
    ...(createdAt === undefined ? {} : { createdAt }),
    ...(updatedAt === undefined ? {} : { updatedAt }),
  };
}

export function summarizeChart(chart: Chart): ChartSummary {
  return {
    id: chart.id,
    context: chart.context,
    desiredOutcome: chart.desiredOutcome,
    ...(chart.dueDate === undefined ? {} : { dueDate: chart.dueDate }),
    level: chart.level,
    ...(chart.parentChart === undefined ? {} : { parentChart: chart.parentChart }),
    complete: chart.complete,
    stepsDone: chart.steps.filter((s) => s.completed).length,
    stepsTotal: chart.steps.length,
    ...(chart.updatedAt === undefined ? {} : { updatedAt: chart.updatedAt }),
  };
}

/**
 * What one record says about which charts exist: a chart entity (with its place in a tree, and
 * the fields of its metadata the chart list shows, so that a list of 100k charts parses each
 * chart entity once), or an outcome that may be a chart's only head.
 */
export type ChartHead = ({ readonly kind: 'chart'; readonly id: string; readonly parentStep: string | undefined } & ListedChartFields) | { readonly kind: 'outcome'; readonly id: string };

/** What the chart list shows of a chart entity's metadata. */
export interface ListedChartFields {
  /** metadata.parentChart when a string (an empty one too: the chart list shows what is there; a tree ignores it). */
  readonly parentChart: string | undefined;
  readonly level: number | undefined;
  readonly dueDate: string | undefined;
  readonly updatedAt: string | undefined;
}

/** The fields the chart list shows, read from a chart entity's metadata. */
export function listedChartFields(meta: Json): ListedChartFields {
  return { parentChart: text(meta.parentChart), level: num(meta.level), dueDate: text(meta.dueDate), updatedAt: text(meta.updatedAt) };
}

// Made once: a template literal in chartHeadOf made a string at each of the records it reads.
const QUOTED_DESIRED_OUTCOME = `"${DESIRED_OUTCOME}"`;
const QUOTED_CHART_TYPE = `"${STRUCTURAL_TENSION_CHART}"`;
const ENTITY_KEY_START = 2; // 'e' and the separator: an entity's key is its name after them
const CHART_SUFFIX = '_chart';

/**
 * The chart head a record is, if any: every `_chart` entity (or structural_tension_chart),
 * and every desired outcome (the specification's own example has no `_chart` entity: an
 * outcome and a current reality with metadata.chartId). Kept by the record set as records
 * change (RecordSet.derived), so a change parses at most its own line. Reads the name's end
 * from the key (the name itself would be a new string at each of 1.3M records at 100k charts).
 */
export const chartHeadOf = (record: StoredRecord): ChartHead | undefined => {
  if (record.kind !== 'entity') return undefined;
  const key = record.key;
  if (key.endsWith(OUTCOME_SUFFIX) && record.raw.includes(QUOTED_DESIRED_OUTCOME)) {
    // Its chart id without a parse: metadata.chartId read from the line, else the name.
    return { kind: 'outcome', id: record.chartId ?? key.slice(ENTITY_KEY_START, -OUTCOME_SUFFIX.length) };
  }
  const namedChart = key.endsWith(CHART_SUFFIX);
  if (!namedChart && !record.raw.includes(QUOTED_CHART_TYPE)) return undefined;
  const entity = entityOf(record) as Entity;
  if (entity.entityType !== STRUCTURAL_TENSION_CHART && !(namedChart && entity.entityType === '')) return undefined;
  const meta = entity.metadata;
  const name = entity.name;
  const parentStep = text(meta.parentActionStep);
  return {
    kind: 'chart',
    id: text(meta.chartId) ?? (namedChart ? name.slice(0, -CHART_SUFFIX.length) : name),
    parentStep: parentStep === '' ? undefined : parentStep,
    ...listedChartFields(meta),
  };
};

/**
 * Which charts exist and how they nest: every chart entity in file order, with its parent
 * chart and the step it was telescoped from; then every chart known only by its desired
 * outcome. Made from the record set's chart heads (no record is read or parsed here).
 */
export class ChartIndex {
  readonly ids: string[] = [];
  private readonly known = new Set<string>();
  /** Charts by the step they were telescoped from: usually one; a peer that telescopes a step again makes more. */
  private readonly byStep = new Map<string, string[]>();
  private readonly children = new Map<string, string[]>();
  private readonly parent = new Map<string, string>();

  constructor(state: RecordSet) {
    const known = this.known;
    const byOutcomeOnly: string[] = [];
    for (const head of state.derived(chartHeadOf).values()) {
      if (head.kind === 'outcome') {
        byOutcomeOnly.push(head.id);
        continue;
      }
      const id = head.id;
      // Two chart entities naming one id (a copy a peer made): the first places the chart, and
      // the list shows it once (twice, its rows had one key and its count was off by one).
      if (known.has(id)) continue;
      this.ids.push(id);
      known.add(id);
      if (head.parentStep) {
        const list = this.byStep.get(head.parentStep) ?? [];
        list.push(id);
        this.byStep.set(head.parentStep, list);
      }
      if (head.parentChart) {
        this.parent.set(id, head.parentChart);
        const list = this.children.get(head.parentChart) ?? [];
        list.push(id);
        this.children.set(head.parentChart, list);
      }
    }
    for (const id of byOutcomeOnly) {
      if (known.has(id)) continue;
      known.add(id);
      this.ids.push(id);
    }
  }

  has(id: string): boolean {
    return this.known.has(id);
  }

  /** How many charts (ids, each once: two chart entities may name one id). */
  get size(): number {
    return this.known.size;
  }

  /** The chart telescoped from a step (the first in file order, when a peer telescoped it more than once). */
  subChartOfStep(stepName: string): string | undefined {
    return this.byStep.get(stepName)?.[0];
  }

  /** Every chart telescoped from a step: what goes when the step is removed (PEERS.md bug 7). */
  subChartsOfStep(stepName: string): readonly string[] {
    return this.byStep.get(stepName) ?? [];
  }

  childrenOf(id: string): readonly string[] {
    return this.children.get(id) ?? [];
  }

  parentOf(id: string): string | undefined {
    return this.parent.get(id);
  }

  /** The chart and every chart telescoped from it, at any depth (cycles cut). */
  subtree(id: string): string[] {
    const seen = new Set<string>();
    const walk = (at: string) => {
      if (seen.has(at)) return;
      seen.add(at);
      for (const child of this.childrenOf(at)) walk(child);
    };
    walk(id);
    return [...seen];
  }
}

export function readTree(state: RecordSet, id: string, context: string, index = chartIndexOf(state), seen = new Set<string>()): ChartTree | undefined {
  if (seen.has(id)) return undefined;
  seen.add(id);
  const chart = readChart(state, id, context, index);
  if (!chart) return undefined;
  const children: ChartTree[] = [];
  for (const child of index.childrenOf(id)) {
    const tree = readTree(state, child, context, index, seen);
    if (tree) children.push(tree);
  }
  return { chart, children };
}

const indexes = new WeakMap<RecordSet, { version: number; index: ChartIndex }>();

/** The chart index of a state, built once per version of it (one pass over every record). */
export function chartIndexOf(state: RecordSet): ChartIndex {
  const cached = indexes.get(state);
  if (cached && cached.version === state.version) return cached.index;
  const index = new ChartIndex(state);
  indexes.set(state, { version: state.version, index });
  return index;
}
