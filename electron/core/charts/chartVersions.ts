// The version of a part of a chart: the CRC-32 of the exact lines of its records (sorted by
// key), so every process (the app, the CLI, a second window) computes the same value from the
// same data, with no counter to keep. An edit that names the version the person saw
// (`ifVersion`) is refused with CONFLICT when the part changed since; the check runs inside the
// edit's transaction, under the lock, so nothing can land between the check and the write.
import { crc32Hex } from '../journalFormat.ts';
import { EngineError } from '../errors.ts';
import { entityKey, type StoredRecord } from '../records.ts';
import type { RecordSet } from '../recordSet.ts';
import type { PendingChanges } from '../contextStore.ts';
import type { Chart, ChartTree } from '../../../shared/domain.ts';
import { chartPartKeys, isPartOfChart, outcomeName, realityName } from './chartModel.ts';

/** The records a version covers, and how a person names them (for the refusal). */
export interface VersionedPart {
  readonly what: string;
  readonly keys: readonly string[];
}

type Lookup = (key: string) => StoredRecord | undefined;

/** The version of these records as `lookup` finds them (a missing record counts as nothing). */
export function versionOf(lookup: Lookup, keys: Iterable<string>): string {
  const lines: string[] = [];
  for (const key of [...keys].sort()) {
    const record = lookup(key);
    if (record) lines.push(record.raw);
  }
  return crc32Hex(lines.join('\n'));
}

export const outcomePart = (chartId: string): VersionedPart => ({ what: `The desired outcome of chart ${chartId}`, keys: [entityKey(outcomeName(chartId))] });
export const realityPart = (chartId: string): VersionedPart => ({ what: `The current reality of chart ${chartId}`, keys: [entityKey(realityName(chartId))] });
export const stepPart = (stepName: string): VersionedPart => ({ what: `The step ${stepName}`, keys: [entityKey(stepName)] });
/** A chart-level edit (due date, a new step, a move): every record of the chart itself. */
export const chartPart = (state: RecordSet, chartId: string): VersionedPart => ({ what: `Chart ${chartId}`, keys: [...chartPartKeys(state, chartId)] });

/** Refuses the edit (nothing written) when the part is no longer at the version the person saw. */
export function requireVersion(state: RecordSet, part: VersionedPart, ifVersion: string | undefined): void {
  if (ifVersion === undefined) return;
  const now = versionOf((key) => state.get(key), part.keys);
  if (now === ifVersion) return;
  throw new EngineError(
    'CONFLICT',
    `${part.what} was changed by someone else since version ${ifVersion} (it is now version ${now}). Nothing was changed: look at it again, and retry with version ${now} if your change should still apply.`,
    { kept: 'Nothing was changed.' },
  );
}

/** The state as it will be once `changes` are committed, for the keys asked. */
function lookupAfter(state: RecordSet, changes: PendingChanges): Lookup {
  const puts = new Map(changes.puts.map((record) => [record.key, record]));
  const deleted = new Set(changes.deletes);
  return (key) => (deleted.has(key) ? undefined : (puts.get(key) ?? state.get(key)));
}

/** The version the part will have once `changes` are committed (what an undo names). */
export function versionAfter(state: RecordSet, changes: PendingChanges, part: VersionedPart): string {
  return versionOf(lookupAfter(state, changes), part.keys);
}

/**
 * The version chart `chartId` will have once `changes` are committed: its records now, plus the
 * ones the change adds to it (a new chart, a new step), minus the ones it removes. The same
 * records chartPartKeys finds once the change is in, so an undo's version matches a fresh read.
 */
export function chartVersionAfter(state: RecordSet, changes: PendingChanges, chartId: string): string {
  const keys = new Set(chartPartKeys(state, chartId));
  for (const record of changes.puts) if (record.kind === 'entity' && (record.chartId === chartId || isPartOfChart(chartId, record.name as string))) keys.add(record.key);
  for (const record of changes.puts) if (record.kind === 'relation' && keys.has(entityKey(record.from as string))) keys.add(record.key);
  for (const key of changes.deletes) keys.delete(key);
  return versionOf(lookupAfter(state, changes), keys);
}

/** The chart with the versions of its parts, as a person sees them before editing. */
export function withVersions(state: RecordSet, chart: Chart): Chart {
  const lookup: Lookup = (key) => state.get(key);
  return {
    ...chart,
    versions: {
      chart: versionOf(lookup, chartPart(state, chart.id).keys),
      outcome: versionOf(lookup, outcomePart(chart.id).keys),
      reality: versionOf(lookup, realityPart(chart.id).keys),
    },
    steps: chart.steps.map((step) => ({ ...step, version: versionOf(lookup, stepPart(step.name).keys) })),
  };
}

/** A chart tree with the versions of every part, at every depth. */
export function treeWithVersions(state: RecordSet, tree: ChartTree): ChartTree {
  return { chart: withVersions(state, tree.chart), children: tree.children.map((child) => treeWithVersions(state, child)) };
}
