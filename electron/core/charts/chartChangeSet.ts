// The change set every chart edit writes through, and the checks of what a person typed: shared
// by the edits (chartEdits.ts) and by completing and reopening (chartCompletion.ts), apart so
// that each of those reads as what it does to a chart.
import { EngineError } from '../errors.ts';
import { entityKey, relationKey, type StoredRecord } from '../records.ts';
import type { RecordSet } from '../recordSet.ts';
import type { PendingChanges } from '../contextStore.ts';
import { recordFromObject } from '../knowledgeGraph.ts';
import { ACTION_STEP } from '../../../shared/domain.ts';
import { isCalendarDate } from '../../../shared/calendarDate.ts';
import { hasVisibleText } from '../../../shared/visibleText.ts';
import { chartIndexOf, chartEntityName, chartParts, entityOf, isChartId, isStep, resolveChartId, type Entity } from './chartModel.ts';
import { parseExact } from '../exactNumbers.ts';

export type Json = Record<string, unknown>;
const MAX_TEXT = 10_000;

/** What is wrong with a text for a chart, said after its name ("… is too long"), or undefined: the checks every text we write passes. */
export function textProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || !hasVisibleText(value)) return 'is required (a text with something visible in it, not only spaces or zero-width characters)';
  if (value.length > MAX_TEXT) return `is too long (${value.length} characters; at most ${MAX_TEXT})`;
  if (value.includes('\u0000')) return 'may not contain a NUL character';
  return undefined;
}

export function requireText(value: unknown, what: string): string {
  const problem = textProblem(value);
  if (problem !== undefined) throw new EngineError('BAD_INPUT', `${what} ${problem}.`);
  return (value as string).trim();
}

export function requireDate(value: unknown, what = 'the due date'): string {
  if (!isCalendarDate(value)) {
    throw new EngineError('BAD_INPUT', `${what} must be a date like 2026-12-31 or 2026-12-31T17:00:00Z, got ${JSON.stringify(String(value).slice(0, 40))}.`);
  }
  return value;
}

/** Collects the puts and deletes of one operation; later puts of a record replace earlier ones. */
export class ChangeSet {
  private readonly puts = new Map<string, StoredRecord>();
  private readonly deletes = new Set<string>();

  constructor(private readonly state: RecordSet) {}

  /** The record as this operation sees it: its own earlier change first, then the state. */
  current(key: string): StoredRecord | undefined {
    if (this.deletes.has(key)) return undefined;
    return this.puts.get(key) ?? this.state.get(key);
  }

  entity(name: string): Entity | undefined {
    return entityOf(this.current(entityKey(name)));
  }

  /** A chart's steps as this operation sees them. */
  stepsOf(chartId: string): Entity[] {
    return chartParts(this.state, chartId).steps.flatMap((step) => this.entity(step.name) ?? []);
  }

  put(value: Json): void {
    const record = recordFromObject(value);
    this.deletes.delete(record.key);
    this.puts.set(record.key, record);
  }

  /** Rewrites an entity through `edit`, keeping every field and metadata key it does not touch. */
  modify(name: string, edit: (value: Json, metadata: Json) => void): void {
    const record = this.current(entityKey(name));
    if (!record) throw new EngineError('NOT_FOUND', `No ${name}.`);
    const value = parseExact(record.raw);
    const metadata: Json = typeof value.metadata === 'object' && value.metadata !== null && !Array.isArray(value.metadata) ? { ...(value.metadata as Json) } : {};
    edit(value, metadata);
    value.metadata = metadata;
    this.put(value);
  }

  relate(from: string, to: string, relationType: string, now: string, extra: Json = {}): void {
    if (this.current(relationKey(from, to, relationType))) return;
    this.put({ type: 'relation', from, to, relationType, metadata: { createdAt: now, ...extra } });
  }

  delete(key: string): void {
    this.puts.delete(key);
    if (this.state.has(key)) this.deletes.add(key);
  }

  done(): PendingChanges {
    return { puts: [...this.puts.values()], deletes: [...this.deletes] };
  }
}

/**
 * The chart named by its id or by its `_chart`, `_desired_outcome` or `_current_reality` entity.
 * A step's name is refused: given where a chart is wanted, it changed the chart the step belongs
 * to (`outcome complete <step>` completed the whole chart), as the MCP tools already refuse it.
 */
export function requireChart(state: RecordSet, idOrName: string, context?: string): string {
  const part = entityOf(state.get(entityKey(requireText(idOrName, 'the chart id'))));
  if (part && isStep(part) && !isChartId(state, idOrName)) {
    const owner = resolveChartId(state, idOrName);
    const sub = chartIndexOf(state).subChartOfStep(idOrName);
    throw new EngineError('BAD_INPUT', `${idOrName} is an action step${owner ? ` of chart ${owner}` : ''}, not a chart${sub ? `; the chart telescoped from it is ${sub}` : ''}. Nothing was changed.`);
  }
  const id = resolveChartId(state, idOrName);
  if (!id) throw new EngineError('NOT_FOUND', `No chart ${JSON.stringify(idOrName)} in ${context === undefined ? 'this context' : `context ${context}`}.`);
  return id;
}

export function requireStep(state: RecordSet, name: string): { step: Entity; chartId: string } {
  const step = entityOf(state.get(entityKey(requireText(name, 'the step name'))));
  if (!step || (step.entityType !== ACTION_STEP && !/_action_?\d+$/.test(step.name))) throw new EngineError('NOT_FOUND', `No action step ${JSON.stringify(name)} in this context.`);
  const chartId = resolveChartId(state, step.name);
  if (!chartId) throw new EngineError('NOT_FOUND', `The step ${name} belongs to no chart.`);
  return { step, chartId };
}

export function touch(changes: ChangeSet, chartId: string, now: string): void {
  if (changes.entity(chartEntityName(chartId))) changes.modify(chartEntityName(chartId), (_v, m) => (m.updatedAt = now));
}
