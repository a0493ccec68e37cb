// A record on its way to another context: `metadata.context` follows it, and, when the person
// chose to move a chart under a new id (its id was taken in the target), every name, relation
// end and metadata reference of the renamed charts is rewritten. A record that needs neither
// keeps its exact bytes.
import { classifyLine, makeRecord, parseValue, type StoredRecord } from '../records.ts';
import { isPartOfChart } from '../charts/chartModel.ts';

export type IdMapping = ReadonlyMap<string, string>;

/** The new name of a part of a renamed chart (`chart_1_action_2` -> `chart_1_2_action_2`), or the name itself. */
export function renamedPart(name: string, ids: IdMapping): string {
  for (const [from, to] of ids) if (isPartOfChart(from, name)) return `${to}${name.slice(from.length)}`;
  return name;
}

export function retarget(record: StoredRecord, from: string, to: string, ids: IdMapping = new Map()): StoredRecord {
  if (record.kind !== 'entity' && record.kind !== 'relation') return ids.size > 0 ? retargetLine(record, from, to, ids) : record;
  const value = parseValue(record);
  let changed = false;
  const meta = typeof value.metadata === 'object' && value.metadata !== null && !Array.isArray(value.metadata) ? { ...(value.metadata as Record<string, unknown>) } : undefined;
  if (meta && meta.context === from) {
    meta.context = to;
    changed = true;
  }
  if (ids.size > 0) {
    const rename = (field: string, target: Record<string, unknown>, map: (text: string) => string) => {
      const old = target[field];
      if (typeof old !== 'string') return;
      const next = map(old);
      if (next !== old) {
        target[field] = next;
        changed = true;
      }
    };
    const byId = (id: string) => ids.get(id) ?? id;
    const byPart = (name: string) => renamedPart(name, ids);
    if (record.kind === 'entity') rename('name', value, byPart);
    else {
      rename('from', value, byPart);
      rename('to', value, byPart);
    }
    if (meta) {
      rename('chartId', meta, byId);
      rename('parentChart', meta, byId);
      rename('parentActionStep', meta, byPart);
    }
    // The chart entity notes the id it had, so its history before the move can be found.
    const oldId = record.kind === 'entity' && record.name?.endsWith('_chart') ? record.name.slice(0, -'_chart'.length) : undefined;
    if (oldId !== undefined && ids.has(oldId)) {
      const target = meta ?? {};
      if (target.previousChartId === ids.get(oldId)) takeBackPrevious(target);
      else notePrevious(target, oldId);
      changed = true;
      if (!meta) return remade({ ...value, metadata: target }, record);
    }
  }
  if (!changed) return record;
  return remade(meta ? { ...value, metadata: meta } : value, record);
}

/**
 * A chart renamed again keeps the ids it had before (metadata.earlierChartIds, oldest first),
 * so that undoing the newer move leaves it knowing the older one, whose undo then works too.
 */
function notePrevious(meta: Record<string, unknown>, oldId: string): void {
  if (typeof meta.previousChartId === 'string') {
    const earlier = Array.isArray(meta.earlierChartIds) ? meta.earlierChartIds.filter((id): id is string => typeof id === 'string') : [];
    meta.earlierChartIds = [...earlier, meta.previousChartId];
  }
  meta.previousChartId = oldId;
}

/** Back to the id it had (the undo of a move under a new id): it knows again the id it had before that, if any. */
function takeBackPrevious(meta: Record<string, unknown>): void {
  const earlier = Array.isArray(meta.earlierChartIds) ? meta.earlierChartIds.filter((id): id is string => typeof id === 'string') : [];
  const before = earlier.pop();
  if (before === undefined) delete meta.previousChartId;
  else meta.previousChartId = before;
  if (earlier.length > 0) meta.earlierChartIds = earlier;
  else delete meta.earlierChartIds;
}

/**
 * A line that is neither entity nor relation (a legacy top-level narrative_beat) goes with the
 * chart its metadata names (recordSet.ts opaqueLinesOfChart): when that chart takes a new id,
 * the line names the new id (else it would join the target's other chart of the old id), and
 * its metadata.context follows. Any other line keeps its exact bytes.
 */
function retargetLine(record: StoredRecord, from: string, to: string, ids: IdMapping): StoredRecord {
  let value: unknown;
  try {
    value = JSON.parse(record.raw);
  } catch {
    return record; // a comment line
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return record;
  const object = value as Record<string, unknown>;
  const metadata = object.metadata;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return record;
  const meta = { ...(metadata as Record<string, unknown>) };
  let changed = false;
  for (const [field, map] of [['chartId', (id: string) => ids.get(id) ?? id], ['parentChart', (id: string) => ids.get(id) ?? id], ['parentActionStep', (name: string) => renamedPart(name, ids)]] as const) {
    const old = meta[field];
    if (typeof old === 'string' && map(old) !== old) {
      meta[field] = map(old);
      changed = true;
    }
  }
  if (!changed) return record;
  if (meta.context === from) meta.context = to;
  return remade({ ...object, metadata: meta }, record);
}

function remade(value: Record<string, unknown>, fallback: StoredRecord): StoredRecord {
  const raw = JSON.stringify(value);
  const verdict = classifyLine(raw);
  return verdict.ok && verdict.kind !== 'blank' ? makeRecord(raw, verdict.fields) : fallback;
}
