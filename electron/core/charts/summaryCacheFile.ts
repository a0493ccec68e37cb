// The chart list's summaries, saved at the engine's close and read back at the next first list
// when the context file is still exactly what they were made from (derivedCache.ts): at 100k
// charts reading them takes a fraction of the 3 s pass over 1.3M records that makes them.
// With them go the counts that keep the summaries current record by record (steps, strays,
// chart heads), so a change after the open costs what it costs after a full pass.
//
// The summaries are saved by field, one array each (shared/summaryColumns.ts), not as 100k
// objects: parsing that took 0.85 s at 100k charts, on a heap that holds the records.
//
// A saved list is taken as what a full pass over the same file makes. A change to what a summary
// says (quickSummary, summarizeChart, the step and chart-head counts) or to this shape must
// change DERIVED_CACHE_FORMAT (derivedCache.ts), or a list saved by the code before is shown.
import type { ChartSummary } from '../../../shared/domain.ts';
import { isSummaryColumns, summaryAt, toSummaryColumns, type SummaryColumns } from '../../../shared/summaryColumns.ts';
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
  const heads: (string | number)[] = [];
  const steps: (string | number)[] = [];
  const listed = new Set<string>();
  for (const s of saved.summaries) {
    listed.add(s.id);
    const n = saved.heads.get(s.id) ?? 0;
    if (n !== LISTED_HEADS) heads.push(s.id, n);
    const count = saved.steps.get(s.id) ?? { total: 0, done: 0 };
    if (count.total !== s.stepsTotal || count.done !== s.stepsDone) steps.push(s.id, count.total, count.done);
  }
  for (const [id, n] of saved.heads) if (!listed.has(id)) heads.push(id, n);
  for (const [id, count] of saved.steps) if (!listed.has(id)) steps.push(id, count.total, count.done);
  const strays: (string | number)[] = [];
  for (const [id, n] of saved.strays) strays.push(id, n);
  return JSON.stringify({ ...toSummaryColumns(saved.summaries), steps, strays, heads });
}

/** The saved summaries under `context`'s name, or undefined for a text of any other shape (then the list is made anew). */
export function decodeSummaries(text: string, context: string): SavedSummaries | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isSummaryColumns(value)) return undefined;
  const c = value as SummaryColumns & Record<string, unknown>;
  if (!isFlat(c.steps, 3) || !isFlat(c.strays, 2) || !isFlat(c.heads, 2)) return undefined;
  const summaries: ChartSummary[] = [];
  const heads = new Map<string, number>();
  const steps = new Map<string, StepCount>();
  for (let i = 0; i < c.ids.length; i += 1) {
    const summary = summaryAt(c, i, context);
    summaries.push(summary);
    heads.set(summary.id, LISTED_HEADS);
    if (summary.stepsTotal > 0) steps.set(summary.id, { total: summary.stepsTotal, done: summary.stepsDone });
  }
  const savedHeads = c.heads;
  for (let i = 0; i < savedHeads.length; i += 2) setOrDrop(heads, savedHeads[i] as string, savedHeads[i + 1] as number);
  const savedSteps = c.steps;
  for (let i = 0; i < savedSteps.length; i += 3) {
    const id = savedSteps[i] as string;
    const count = { total: savedSteps[i + 1] as number, done: savedSteps[i + 2] as number };
    if (count.total > 0) steps.set(id, count);
    else steps.delete(id);
  }
  const strays = new Map<string, number>();
  const savedStrays = c.strays;
  for (let i = 0; i < savedStrays.length; i += 2) setOrDrop(strays, savedStrays[i] as string, savedStrays[i + 1] as number);
  return { summaries, steps, strays, heads };
}

/** The count maps hold no zero (a count that reaches 0 goes). */
function setOrDrop(counts: Map<string, number>, id: string, n: number): void {
  if (n > 0) counts.set(id, n);
  else counts.delete(id);
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
