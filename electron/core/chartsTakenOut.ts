// A peer's version that lacks most of what the file last held may be a read cut short while
// another program rewrote the file in place, written back from that; peerVersionIntake.ts then
// takes nothing as deleted. But a cut read loses only the end of the version it read: its last
// lines, in the order that version had them, which is ours (writers keep the order of what they
// read) or ours with entities first, then relations (as the peers write). It never leaves a hole.
//
// So a version whose missing records are whole charts, each with records the file last held
// kept after it in both of those orders, is no cut read: it is a peer's deletion of those
// charts (a COAIA server's delete of a chart with its steps, done on the version we had just
// written), and it is taken as one, however soon after our write it came. A chart with steps
// is most of a small context (11 records of a chart with two steps against 6 of one without),
// so such a deletion, made within the race window of our write, came back every time.
//
// Only whole charts: a chart kept in part, or a missing record of no chart, leaves the version
// to the cut-read rule as before, which keeps them (a wrongly kept record costs one more
// delete). Loose records missing with the end kept are no cut read either, but the rule stays
// as cautious as it was there (peerMassDeletion.test.ts); a whole chart is what the peers' chart
// tools delete. Whether the peer had seen each chart at all is for the merge (its base) to say.
import type { StoredRecord } from './records.ts';

/** What follows `<id>_` in the name of a chart's own part (chartModel.ts names them so). */
const PART = /^(.+)_(?:chart|desired_outcome|current_reality|action_?\d+)$/;

/** The chart an entity is a part of: its metadata.chartId, or the chart its name says. */
function chartOf(entity: StoredRecord): string | undefined {
  return entity.chartId ?? PART.exec(entity.name ?? '')?.[1];
}

/**
 * True when the records of `held` (the file as we last knew it, in its order) that `file` lacks
 * are whole charts (every entity of each, and relations touching them), and each of them comes
 * before a record `file` kept, in the file's order and in the order entities-then-relations.
 * Lines of other types are left out when the writer drops them all (`linesDropped`); otherwise
 * a missing one is no chart, and the answer is false.
 */
export function onlyWholeChartsTakenOut(held: Iterable<StoredRecord>, file: ReadonlyMap<string, StoredRecord>, linesDropped: boolean): boolean {
  const order: StoredRecord[] = [];
  const lacking: StoredRecord[] = [];
  for (const record of held) {
    if (record.kind === 'line') {
      if (!linesDropped && !file.has(record.key)) return false;
      continue;
    }
    order.push(record);
    if (!file.has(record.key)) lacking.push(record);
  }
  const charts = new Set<string>();
  const lackingNames = new Set<string>();
  for (const record of lacking) {
    if (record.kind !== 'entity') continue;
    const chart = chartOf(record);
    if (chart === undefined) return false;
    charts.add(chart);
    lackingNames.add(record.name as string);
  }
  if (charts.size === 0) return false;
  // A relation missing between two records still there was not taken out with a chart.
  if (lacking.some((record) => record.kind === 'relation' && !lackingNames.has(record.from as string) && !lackingNames.has(record.to as string))) return false;
  // Part of a chart kept: not the whole chart.
  if (order.some((record) => record.kind === 'entity' && file.has(record.key) && charts.has(chartOf(record) as string))) return false;
  const grouped = [...order.filter((record) => record.kind === 'entity'), ...order.filter((record) => record.kind === 'relation')];
  return keepsTheEnd(order, file) && keepsTheEnd(grouped, file);
}

/** True when `file` holds the last record of `order`: every record it lacks is then a hole, not a missing end. */
function keepsTheEnd(order: readonly StoredRecord[], file: ReadonlyMap<string, StoredRecord>): boolean {
  const last = order[order.length - 1];
  return last !== undefined && file.has(last.key);
}
