// Chart summaries by field: one array per field (the ids, the outcomes, the due dates, ...)
// instead of one object per chart. The chart list crosses to the window this way
// (charts.changes) and is saved this way (summaryCacheFile.ts): at 100k charts the JSON is
// 13.5 MB instead of 24.3 MB, with no field name repeated 100k times, and the window parses
// it in about half the time. Absent optional fields are null.
import type { ChartSummary } from './domain.ts';

export interface SummaryColumns {
  readonly ids: readonly string[];
  readonly outcomes: readonly string[];
  readonly due: readonly (string | null)[];
  readonly level: readonly number[];
  readonly parent: readonly (string | null)[];
  /** 1 for a complete chart, else 0. */
  readonly complete: readonly number[];
  readonly done: readonly number[];
  readonly total: readonly number[];
  readonly updated: readonly (string | null)[];
}

/** The summaries' fields, in their order (their contexts are the caller's to keep). */
export function toSummaryColumns(summaries: readonly ChartSummary[]): SummaryColumns {
  const columns = { ids: [] as string[], outcomes: [] as string[], due: [] as (string | null)[], level: [] as number[], parent: [] as (string | null)[], complete: [] as number[], done: [] as number[], total: [] as number[], updated: [] as (string | null)[] };
  for (const s of summaries) {
    columns.ids.push(s.id);
    columns.outcomes.push(s.desiredOutcome);
    columns.due.push(s.dueDate ?? null);
    columns.level.push(s.level);
    columns.parent.push(s.parentChart ?? null);
    columns.complete.push(s.complete ? 1 : 0);
    columns.done.push(s.stepsDone);
    columns.total.push(s.stepsTotal);
    columns.updated.push(s.updatedAt ?? null);
  }
  return columns;
}

/** The summary at `i`, under `context`. */
export function summaryAt(columns: SummaryColumns, i: number, context: string): ChartSummary {
  // Built field by field in the order every summary has (quickSummary, summarizeChart): the
  // engine compares summaries by their JSON, and a field in another place would count as a change.
  const s: Record<string, unknown> = { id: columns.ids[i], context, desiredOutcome: columns.outcomes[i] };
  if (columns.due[i] !== null) s.dueDate = columns.due[i];
  s.level = columns.level[i];
  if (columns.parent[i] !== null) s.parentChart = columns.parent[i];
  s.complete = columns.complete[i] === 1;
  s.stepsDone = columns.done[i];
  s.stepsTotal = columns.total[i];
  if (columns.updated[i] !== null) s.updatedAt = columns.updated[i];
  return s as unknown as ChartSummary;
}

/**
 * True when `value` has every column, each of `ids`' length and of its field's type: what a
 * column read from a file must pass before a summary is made of it.
 */
export function isSummaryColumns(value: unknown): value is SummaryColumns {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  if (!Array.isArray(c.ids)) return false;
  const n = c.ids.length;
  return (
    column(c.ids, n, isString) &&
    column(c.outcomes, n, isString) &&
    column(c.due, n, isStringOrNull) &&
    column(c.level, n, isNumber) &&
    column(c.parent, n, isStringOrNull) &&
    column(c.complete, n, isBit) &&
    column(c.done, n, isCount) &&
    column(c.total, n, isCount) &&
    column(c.updated, n, isStringOrNull)
  );
}

const isString = (v: unknown) => typeof v === 'string';
const isStringOrNull = (v: unknown) => v === null || typeof v === 'string';
const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const isBit = (v: unknown) => v === 0 || v === 1;
const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;

/** An array of `n` items that each pass `ok`. */
function column(value: unknown, n: number, ok: (item: unknown) => boolean): boolean {
  if (!Array.isArray(value) || value.length !== n) return false;
  for (const item of value as unknown[]) if (!ok(item)) return false;
  return true;
}

/**
 * Summaries of several contexts by field: the columns, and the contexts as runs (a name, then
 * how many summaries in a row are of it), since a list holds each context's charts together.
 */
export interface ChartListColumns extends SummaryColumns {
  readonly contexts: readonly (string | number)[];
}

export function toChartListColumns(summaries: readonly ChartSummary[]): ChartListColumns {
  const contexts: (string | number)[] = [];
  for (const s of summaries) {
    const last = contexts.length - 2;
    if (last >= 0 && contexts[last] === s.context) contexts[last + 1] = (contexts[last + 1] as number) + 1;
    else contexts.push(s.context, 1);
  }
  return { ...toSummaryColumns(summaries), contexts };
}

export function fromChartListColumns(columns: ChartListColumns): ChartSummary[] {
  const summaries: ChartSummary[] = [];
  for (let run = 0; run < columns.contexts.length; run += 2) {
    const context = columns.contexts[run] as string;
    const end = summaries.length + (columns.contexts[run + 1] as number);
    for (let i = summaries.length; i < end; i += 1) summaries.push(summaryAt(columns, i, context));
  }
  return summaries;
}
