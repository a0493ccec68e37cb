// The chart list's summaries, saved at the engine's close and read back at the next first list
// when the context file is still exactly what they were made from (derivedCache.ts): at 100k
// charts reading them takes a fraction of the 3 s pass over 1.3M records that makes them.
// With them go the counts that keep the summaries current record by record (steps, strays,
// chart heads), so a change after the open costs what it costs after a full pass.
//
// The summaries are saved by field, one array each (the outcomes, the due dates, ...), not as
// 100k objects: parsing that took 0.85 s at 100k charts, on a heap that holds the records.
//
// A saved list is taken as what a full pass over the same file makes. A change to what a summary
// says (quickSummary, summarizeChart, the step and chart-head counts) or to this shape must
// change DERIVED_CACHE_FORMAT (derivedCache.ts), or a list saved by the code before is shown.
import type { ChartSummary } from '../../../shared/domain.ts';
import type { StepCount } from './chartSummary.ts';

/** What is saved: the summaries in the list's order, and the counts kept beside them. */
export interface SavedSummaries {
  readonly summaries: readonly ChartSummary[];
  readonly steps: Map<string, StepCount>;
  readonly strays: Map<string, number>;
  readonly heads: Map<string, number>;
}

/** A chart the list has counts this many chart heads unless said otherwise (its chart entity and its outcome: nearly every chart). */
const LISTED_HEADS = 2;

/**
 * The saved text. The counts go as flat arrays (an id, then its numbers), and only where they
 * differ from what the summaries imply: a listed chart has 2 chart heads, and its steps are the
 * summary's (those differ only for a chart read in full, or with stray steps).
 */
export function encodeSummaries(saved: SavedSummaries): string {
  const columns = { ids: [] as string[], outcomes: [] as string[], due: [] as (string | null)[], level: [] as number[], parent: [] as (string | null)[], complete: [] as number[], done: [] as number[], total: [] as number[], updated: [] as (string | null)[] };
  const heads: (string | number)[] = [];
  const steps: (string | number)[] = [];
  const listed = new Set<string>();
  for (const s of saved.summaries) {
    listed.add(s.id);
    columns.ids.push(s.id);
    columns.outcomes.push(s.desiredOutcome);
    columns.due.push(s.dueDate ?? null);
    columns.level.push(s.level);
    columns.parent.push(s.parentChart ?? null);
    columns.complete.push(s.complete ? 1 : 0);
    columns.done.push(s.stepsDone);
    columns.total.push(s.stepsTotal);
    columns.updated.push(s.updatedAt ?? null);
    const n = saved.heads.get(s.id) ?? 0;
    if (n !== LISTED_HEADS) heads.push(s.id, n);
    const count = saved.steps.get(s.id) ?? { total: 0, done: 0 };
    if (count.total !== s.stepsTotal || count.done !== s.stepsDone) steps.push(s.id, count.total, count.done);
  }
  for (const [id, n] of saved.heads) if (!listed.has(id)) heads.push(id, n);
  for (const [id, count] of saved.steps) if (!listed.has(id)) steps.push(id, count.total, count.done);
  const strays: (string | number)[] = [];
  for (const [id, n] of saved.strays) strays.push(id, n);
  return JSON.stringify({ ...columns, steps, strays, heads });
}

/** The saved summaries under `context`'s name, or undefined for a text of any other shape (then the list is made anew). */
export function decodeSummaries(text: string, context: string): SavedSummaries | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const c = value as Record<string, unknown>;
  const ids = c.ids;
  if (!Array.isArray(ids)) return undefined;
  const n = ids.length;
  if (
    !column(ids, n, isString) ||
    !column(c.outcomes, n, isString) ||
    !column(c.due, n, isStringOrNull) ||
    !column(c.level, n, isNumber) ||
    !column(c.parent, n, isStringOrNull) ||
    !column(c.complete, n, isBit) ||
    !column(c.done, n, isCount) ||
    !column(c.total, n, isCount) ||
    !column(c.updated, n, isStringOrNull) ||
    !isFlat(c.steps, 3) ||
    !isFlat(c.strays, 2) ||
    !isFlat(c.heads, 2)
  ) {
    return undefined;
  }
  const [outcomes, due, level, parent, complete, done, total, updated] = [c.outcomes, c.due, c.level, c.parent, c.complete, c.done, c.total, c.updated] as [string[], (string | null)[], number[], (string | null)[], number[], number[], number[], (string | null)[]];
  const summaries: ChartSummary[] = [];
  const heads = new Map<string, number>();
  const steps = new Map<string, StepCount>();
  for (let i = 0; i < n; i += 1) {
    const id = ids[i] as string;
    // Built field by field in the order every summary has (quickSummary, summarizeChart): the
    // list compares summaries by their JSON, and a field in another place would count as a change.
    const s: Record<string, unknown> = { id, context, desiredOutcome: outcomes[i] };
    if (due[i] !== null) s.dueDate = due[i];
    s.level = level[i];
    if (parent[i] !== null) s.parentChart = parent[i];
    s.complete = complete[i] === 1;
    s.stepsDone = done[i];
    s.stepsTotal = total[i];
    if (updated[i] !== null) s.updatedAt = updated[i];
    summaries.push(s as unknown as ChartSummary);
    heads.set(id, LISTED_HEADS);
    if ((total[i] as number) > 0) steps.set(id, { total: total[i] as number, done: done[i] as number });
  }
  const savedHeads = c.heads as (string | number)[];
  for (let i = 0; i < savedHeads.length; i += 2) setOrDrop(heads, savedHeads[i] as string, savedHeads[i + 1] as number);
  const savedSteps = c.steps as (string | number)[];
  for (let i = 0; i < savedSteps.length; i += 3) {
    const id = savedSteps[i] as string;
    const count = { total: savedSteps[i + 1] as number, done: savedSteps[i + 2] as number };
    if (count.total > 0) steps.set(id, count);
    else steps.delete(id);
  }
  const strays = new Map<string, number>();
  const savedStrays = c.strays as (string | number)[];
  for (let i = 0; i < savedStrays.length; i += 2) setOrDrop(strays, savedStrays[i] as string, savedStrays[i + 1] as number);
  return { summaries, steps, strays, heads };
}

/** The count maps hold no zero (a count that reaches 0 goes). */
function setOrDrop(counts: Map<string, number>, id: string, n: number): void {
  if (n > 0) counts.set(id, n);
  else counts.delete(id);
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

/** An array of records of `width` items each: an id, then whole numbers. */
function isFlat(value: unknown, width: number): value is (string | number)[] {
  if (!Array.isArray(value) || value.length % width !== 0) return false;
  for (let i = 0; i < value.length; i += 1) {
    const item: unknown = value[i];
    if (i % width === 0 ? typeof item !== 'string' : !Number.isSafeInteger(item)) return false;
  }
  return true;
}
