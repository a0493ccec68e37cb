// A chart's history follows it across moves: its versions in the context it is in now, and,
// before the move that brought it there, its versions in the context it came from (and so on,
// back through every move), read from each context's journal (a retired context keeps its
// journal for this). The move itself is an entry (the commit that put the chart in its new
// context, noted "… moved from context A to context B"); the deletions that took it out of the
// old context are left out, as they are the same move seen from the other side.
//
// Versions from an earlier context carry `context` and sequence numbers below 1 (counting up to
// 0, oldest first), so every consumer that orders a history by `seq` orders them before the
// chart's versions in its current context, which keep their journal numbers (paging by
// `before` still works on those).
import type { Engine } from '../engine.ts';
import { contextPaths } from '../dataRoot.ts';
import { historyOf, type RecordVersion } from '../history.ts';
import { keyBelongsToChart } from '../charts/chartModel.ts';
import { movePartOf } from './moveOperation.ts';

/** Moves followed back at most (a chart moved back and forth a hundred times shows the latest). */
const MAX_HOPS = 16;

export interface EarlierVersion {
  readonly key: string;
  readonly context: string;
  readonly version: RecordVersion;
}

/**
 * The versions of chart `id` from before it was moved into `context`, oldest first, given its
 * versions there (`current`). Empty when it was never moved.
 */
export function earlierVersions(engine: Engine, context: string, id: string, current: ReadonlyMap<string, readonly RecordVersion[]>): EarlierVersion[] {
  const hops: EarlierVersion[][] = [];
  let here = context;
  let chartId = id;
  let versions = current;
  for (let hop = 0; hop < MAX_HOPS; hop += 1) {
    const arrival = firstArrival(versions, here);
    if (!arrival) break;
    // A chart moved under a new id names the id it had (metadata.previousChartId).
    const previous = arrival.previousId ?? chartId;
    let journal: string;
    try {
      journal = contextPaths(engine.layout, arrival.from).journal;
    } catch {
      break;
    }
    const there = historyOf(engine.fs, journal, (key) => keyBelongsToChart(previous, key));
    const leaving = `${arrival.move}:${arrival.from}`;
    const kept = new Map<string, RecordVersion[]>();
    const list: EarlierVersion[] = [];
    for (const [key, all] of there) {
      const cut = all.findIndex((v) => v.op === leaving);
      const before = cut === -1 ? [] : all.slice(0, cut);
      if (before.length === 0) continue;
      kept.set(key, before);
      for (const version of before) list.push({ key, context: arrival.from, version });
    }
    if (list.length === 0) break;
    hops.unshift(list.sort((a, b) => a.version.seq - b.version.seq));
    here = arrival.from;
    chartId = previous;
    versions = kept;
  }
  return hops.flat();
}

function firstArrival(versions: ReadonlyMap<string, readonly RecordVersion[]>, context: string): { from: string; move: string; previousId?: string } | undefined {
  let first: { seq: number; from: string; move: string; previousId?: string } | undefined;
  for (const list of versions.values()) {
    for (const version of list) {
      const part = movePartOf(version.op);
      if (!part || part.context !== context || part.to !== context || version.action !== 'set') continue;
      if (first && first.seq <= version.seq) continue;
      const meta = version.value?.metadata as Record<string, unknown> | undefined;
      const previousId = typeof meta?.previousChartId === 'string' ? meta.previousChartId : undefined;
      first = { seq: version.seq, from: part.from, move: part.move, ...(previousId ? { previousId } : {}) };
    }
  }
  if (!first) return undefined;
  // The previous id, if any, is on the chart entity: look for it among the arrival's versions.
  if (first.previousId === undefined) {
    for (const list of versions.values()) {
      for (const version of list) {
        const meta = version.value?.metadata as Record<string, unknown> | undefined;
        if (movePartOf(version.op)?.move === first.move && typeof meta?.previousChartId === 'string') first.previousId = meta.previousChartId;
      }
    }
  }
  const { seq: _seq, ...arrival } = first;
  return arrival;
}
