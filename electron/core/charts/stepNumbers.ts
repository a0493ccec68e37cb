// A step is named `<chart id>_action_<n>`, and its name is its identity: its history in the
// journal, the undo of its removal, recently deleted and the sub-charts telescoped from it all
// go by it. So a number once given in a chart is never given again, even after its step was
// removed: a new step under the old name made the removal impossible to undo ("exists again")
// and mixed the two steps' histories.
//
// The chart entity remembers the highest number given (metadata.highestStepNumber, FORMAT.md),
// raised by every create, add and removal; the next number is one more than that mark or than
// any step there now. A chart without the mark (a peer's, or one whose `_chart` entity a peer
// wrote anew) falls back to the steps there now, as before. Asking the journal instead would
// read a context's whole history at every add (100k charts: hundreds of MB), and a journal
// copy moved, restored or cut short would forget; the mark travels with the chart.
import { classifyLine, entityKey, makeRecord, type StoredRecord } from '../records.ts';
import { parseExact, stringifyExact } from '../exactNumbers.ts';
import type { RecordSet } from '../recordSet.ts';
import { STEP_NUMBER, chartHeadOf, chartParts, entityOf, type Entity } from './chartModel.ts';
import type { Json } from './chartChangeSet.ts';

export const HIGHEST_STEP_NUMBER = 'highestStepNumber';

/** The number a step's name ends with (0 for a step named otherwise). */
export function stepNumberOf(name: string): number {
  const number = Number(STEP_NUMBER.exec(name)?.[1] ?? 0);
  return Number.isSafeInteger(number) ? number : 0;
}

/** The chart's mark, when it holds a sensible one (a peer may write anything there). */
function markOf(chart: Entity | undefined): number {
  const mark = chart?.metadata[HIGHEST_STEP_NUMBER];
  return typeof mark === 'number' && Number.isSafeInteger(mark) && mark > 0 ? mark : 0;
}

export function nextStepNumber(state: RecordSet, chartId: string): number {
  const parts = chartParts(state, chartId);
  let highest = markOf(parts.chart);
  for (const step of parts.steps) highest = Math.max(highest, stepNumberOf(step.name));
  // A step entity of that name that is no part of the chart (a peer's orphan) keeps its name too.
  while (state.has(entityKey(`${chartId}_action_${highest + 1}`))) highest += 1;
  return highest + 1;
}

/** Raises the mark in a chart entity's metadata to `number` (never lowers it). */
export function raiseStepNumberMark(metadata: Json, number: number): void {
  const mark = metadata[HIGHEST_STEP_NUMBER];
  const current = typeof mark === 'number' && Number.isSafeInteger(mark) ? mark : 0;
  if (number > current) metadata[HIGHEST_STEP_NUMBER] = number;
}

/**
 * The records a restore puts in place of a context's (or a chart's), each chart entity's mark
 * raised to the highest step number that chart has given by now (`now`: the records before the
 * restore, with their marks and steps). The backup's chart entity holds the mark of its day: put
 * back as it was, it lowered the mark, and the next step took the name of one added after the
 * backup and removed by the restore, which then could not come back (restore-deleted: "exists
 * again") and whose history mixed with the new step's (found by review). Other records as they are.
 */
export function withStepNumbersKept(now: RecordSet, restored: readonly StoredRecord[]): StoredRecord[] {
  // Only above what the restored records give themselves (their mark, their steps' numbers): a
  // restore run again over its own result (a retry after a failure) leaves them as the first run
  // did, and a chart restored where none is now keeps its record as the backup holds it.
  const restoredSteps = new Map<string, number>();
  for (const record of restored) {
    if (record.kind !== 'entity') continue;
    const name = record.name as string;
    const number = stepNumberOf(name);
    const chart = number > 0 ? (record.chartId ?? name.slice(0, STEP_NUMBER.exec(name)?.index)) : undefined;
    if (chart !== undefined) restoredSteps.set(chart, Math.max(restoredSteps.get(chart) ?? 0, number));
  }
  return restored.map((record) => {
    const head = chartHeadOf(record);
    if (head?.kind !== 'chart') return record;
    const given = nextStepNumber(now, head.id) - 1;
    if (given <= Math.max(markOf(entityOf(record)), restoredSteps.get(head.id) ?? 0)) return record;
    const value = parseExact(record.raw);
    const metadata: Json = typeof value.metadata === 'object' && value.metadata !== null && !Array.isArray(value.metadata) ? { ...(value.metadata as Json) } : {};
    raiseStepNumberMark(metadata, given);
    // Made here, not by knowledgeGraph's recordFromObject: a context restore is in backupRestoring.ts,
    // which `tension chart list` loads, and the graph's edits are not for a reading command.
    const raw = stringifyExact({ ...value, metadata });
    const verdict = classifyLine(raw);
    return verdict.ok && verdict.kind !== 'blank' ? makeRecord(raw, verdict.fields) : record;
  });
}
