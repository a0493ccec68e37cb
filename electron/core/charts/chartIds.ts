// Chart ids: the one a new chart takes, and the one a chart takes where its own is taken (moved
// or imported into a context that has a chart of that id).
import { entityKey } from '../records.ts';
import type { RecordSet } from '../recordSet.ts';
import { chartEntityName } from './chartModel.ts';

/** The ids one millisecond spans (newChartId): three digits more than a COAIA server's. */
const IDS_PER_MS = 1000;

/** The COAIA servers' tools take a chart only by an id of this shape (manage_action_step checks it). */
const DIGITS_ID = /^chart_(\d+)$/;

/**
 * A new chart id not used in this state: `chart_` and the time in milliseconds with three more
 * digits (`chart_<ms>000`, counted up while taken). Digits only, so the COAIA servers' tools,
 * which accept only `chart_\d+`, take our charts; three digits more than their `chart_<ms>`
 * (`Date.now()`), so a chart a person makes here can never take the id of one an assistant
 * makes through a COAIA server in the same millisecond. They write without our lock, so the
 * check against this state cannot see theirs in time, and two charts of one id would share
 * every record name and be merged into one when we take in their file.
 */
export function newChartId(state: RecordSet, nowMs: number): string {
  let n = nowMs * IDS_PER_MS;
  while (chartIdUsed(state, `chart_${n}`)) n += 1;
  return `chart_${n}`;
}

/** The id a chart made at `ms` takes when no other chart has it (what newChartId tries first). */
export const chartIdAt = (ms: number): string => `chart_${ms * IDS_PER_MS}`;

/** Whether a chart of this id has records in the state (tagged with it, or its chart entity). */
export function chartIdUsed(state: RecordSet, id: string): boolean {
  return state.chartKeys(id).size > 0 || state.has(entityKey(chartEntityName(id)));
}

/**
 * The id a chart takes in place of its own, taken where it goes, the first for which `taken` is
 * false. An id of digits (`chart_<n>`, ours and the COAIA servers') stays one: the next numbers
 * after its own, so an assistant can still add a step to it (those servers refuse any other
 * shape), and it sorts beside the original. Any other id gets `_2`, `_3`, … (`chart_x_2`).
 */
export function freeIdFor(id: string, taken: (candidate: string) => boolean): string {
  const digits = DIGITS_ID.exec(id)?.[1];
  if (digits !== undefined) {
    let n = BigInt(digits) + 1n;
    while (taken(`chart_${n}`)) n += 1n;
    return `chart_${n}`;
  }
  let n = 2;
  while (taken(`${id}_${n}`)) n += 1;
  return `${id}_${n}`;
}
