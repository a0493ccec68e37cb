// What importing a file into a context would do, line by line, before anything is written:
// records that are new, records that would change (shown by name), charts whose id is taken
// by a different chart (a collision: the person moves the import's chart under a new id, or
// skips it), what is already there exactly, and lines that cannot be read (each with where
// and why; the rest of the file is still usable). applyImport then writes the plan as one
// transaction and returns what undoImport needs to take it back exactly.
import { EngineError } from '../errors.ts';
import type { Engine } from '../engine.ts';
import { repeatedKey, type RecordSet } from '../recordSet.ts';
import { asOpaque, classifyLine, keyOfIdentity, identityOf, linesJoinedByCarriageReturns, makeRecord, type ReadLine, type RecordIdentity, type StoredRecord } from '../records.ts';
import { asAFileReads, parseImport } from '../knowledgeGraph.ts';
import { chartIndexOf, isPartOfChart } from '../charts/chartModel.ts';
import { chartIdUsed, freeIdFor } from '../charts/chartIds.ts';
import { retarget } from './recordRetarget.ts';
import type { CollisionChoice } from './movePlan.ts';

export interface ImportPreview {
  readonly context: string;
  readonly source: string;
  readonly newRecords: number;
  readonly unchanged: number;
  /** Names (or relation labels) of records that exist and would be replaced. */
  readonly changed: string[];
  /** Charts in the file whose id the context uses for a different chart. */
  readonly collisions: { readonly id: string; readonly records: number }[];
  readonly unreadable: { readonly where: string; readonly reason: string }[];
}

interface Parsed {
  readonly records: StoredRecord[];
  readonly unreadable: { where: string; reason: string }[];
}

/** JSON lines read one by one (a bad line is reported, not fatal); a whole `{"entities","relations"}` document as import reads it. */
function parseLeniently(text: string, source: string): Parsed {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') && !trimmed.includes('\n')) {
    try {
      return { records: parseImport(text, source), unreadable: [] };
    } catch {
      // one line that is not a graph document: read as a line below
    }
  }
  if (trimmed.startsWith('{') && /^\{\s*"(entities|relations)"/.test(trimmed)) {
    try {
      return { records: parseImport(text, source), unreadable: [] };
    } catch (error) {
      return { records: [], unreadable: [{ where: source, reason: (error as Error).message }] };
    }
  }
  const records: StoredRecord[] = [];
  const unreadable: { where: string; reason: string }[] = [];
  const take = (line: string, verdict: ReadLine['verdict']) => {
    if (verdict.kind === 'entity' || verdict.kind === 'relation') records.push(makeRecord(JSON.stringify(JSON.parse(line)), verdict.fields));
    else if (verdict.kind === 'line') records.push(asOpaque(line.replace(/\r$/, ''), 1));
  };
  text.split('\n').forEach((line, i) => {
    const verdict = classifyLine(line);
    if (verdict.ok) return verdict.kind === 'blank' ? undefined : take(line, verdict);
    // Lines ended by lone carriage returns (old Mac line ends), as import reads them (knowledgeGraph.ts).
    const joined = linesJoinedByCarriageReturns(line);
    if (joined) for (const part of joined) take(part.text, part.verdict);
    else unreadable.push({ where: `line ${i + 1}`, reason: verdict.reason });
  });
  return { records: asAFileReads(records), unreadable };
}

const label = (record: StoredRecord) => record.name ?? `${record.from} -[${record.relationType}]-> ${record.to}`;

/** The chart a record belongs to: metadata.chartId, else the `<id>_chart` part its name is. */
function chartOf(record: StoredRecord, ids: ReadonlySet<string>): string | undefined {
  if (record.chartId) return record.chartId;
  const name = record.name ?? record.from ?? '';
  for (const id of ids) if (isPartOfChart(id, name)) return id;
  return undefined;
}

interface ImportPlan {
  readonly preview: ImportPreview;
  readonly records: StoredRecord[];
  readonly collidingCharts: Set<string>;
  /** The ids of the charts the file holds. */
  readonly chartIds: ReadonlySet<string>;
}

function planImport(state: RecordSet, context: string, text: string, source: string): ImportPlan {
  const { records, unreadable } = parseLeniently(text, source);
  const ids = new Set(records.flatMap((r) => (r.name?.endsWith('_chart') ? [r.chartId ?? r.name.slice(0, -'_chart'.length)] : [])));
  const counts = new Map<string, number>();
  let newRecords = 0;
  let unchanged = 0;
  const changed: string[] = [];
  for (const record of records) {
    const there = state.get(record.key);
    if (!there) {
      newRecords += 1;
      continue;
    }
    if (sameJson(there.raw, record.raw)) {
      unchanged += 1;
      continue;
    }
    const chart = chartOf(record, ids);
    if (chart !== undefined) counts.set(chart, (counts.get(chart) ?? 0) + 1);
    else changed.push(label(record));
  }
  const collisions = [...counts].map(([id, n]) => ({ id, records: n }));
  return { preview: { context, source, newRecords, unchanged, changed, collisions, unreadable }, records, collidingCharts: new Set(counts.keys()), chartIds: ids };
}

function sameJson(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    // The same values in any key order (another program writes its keys in its own order).
    return JSON.stringify(sortedKeys(JSON.parse(a))) === JSON.stringify(sortedKeys(JSON.parse(b)));
  } catch {
    return false;
  }
}

export function previewImport(state: RecordSet, context: string, text: string, source: string): ImportPreview {
  return planImport(state, context, text, source).preview;
}

/** What undoImport puts back: the lines the import replaced, and the records it added. */
export interface ImportUndo {
  readonly context: string;
  readonly restore: string[];
  readonly remove: RecordIdentity[];
  /** The lines the import wrote: an undo is refused if any of them changed since. */
  readonly wrote: string[];
}

export async function applyImport(engine: Engine, context: string, text: string, source: string, choices: { onCollision?: CollisionChoice; op?: string | undefined } = {}): Promise<{ preview: ImportPreview; records: number; renamed: Record<string, string>; undo: ImportUndo; duplicate: boolean }> {
  let outcome: { preview: ImportPreview; puts: StoredRecord[]; renamed: Record<string, string>; undo: ImportUndo } | undefined;
  const result = await engine.transact(context, (state) => {
    const plan = planImport(state, context, text, source);
    if (plan.preview.collisions.length > 0 && choices.onCollision === undefined) {
      throw new EngineError('CONFLICT', `Chart ${plan.preview.collisions.map((c) => c.id).join(', ')} already ${plan.preview.collisions.length === 1 ? 'exists' : 'exist'} in context ${context} with different content: import it under a new id, or skip it. Nothing was imported.`, { kept: 'Nothing was changed.' });
    }
    const renamed: Record<string, string> = {};
    const ids = new Map<string, string>();
    if (choices.onCollision === 'new-id') {
      // Not an id of the state, of the file being imported, or given to another chart here.
      const taken = new Set([...chartIndexOf(state).ids, ...plan.chartIds]);
      for (const id of plan.collidingCharts) {
        const free = freeIdFor(id, (candidate) => taken.has(candidate) || chartIdUsed(state, candidate));
        taken.add(free);
        ids.set(id, free);
        renamed[id] = free;
      }
    }
    const puts: StoredRecord[] = [];
    const putKeys = new Set<string>();
    for (const record of plan.records) {
      // A second line for a record goes in after it only when the record goes in as it is: on
      // its own (its record skipped, renamed or already there) it would be read as the record.
      const repeats = record.kind === 'line' ? repeatedKey(record.raw) : undefined;
      if (repeats !== undefined && !putKeys.has(repeats)) continue;
      const chart = chartOf(record, plan.chartIds);
      if (chart !== undefined && plan.collidingCharts.has(chart) && choices.onCollision === 'skip') continue;
      const put = ids.size > 0 ? retarget(record, context, context, ids) : record;
      const there = state.get(put.key);
      if (there && sameJson(there.raw, put.raw)) continue;
      puts.push(put);
      if (put.key === record.key) putKeys.add(put.key);
    }
    const restore = puts.flatMap((r) => (state.get(r.key) ? [(state.get(r.key) as StoredRecord).raw] : []));
    const remove = puts.filter((r) => !state.has(r.key)).map(identityOf);
    outcome = { preview: plan.preview, puts, renamed, undo: { context, restore, remove, wrote: puts.map((r) => r.raw) } };
    return { puts, deletes: [] };
  }, { ...(choices.op === undefined ? {} : { op: choices.op }), note: `import of ${source}` });
  if (!outcome) return { preview: { context, source, newRecords: 0, unchanged: 0, changed: [], collisions: [], unreadable: [] }, records: 0, renamed: {}, undo: { context, restore: [], remove: [], wrote: [] }, duplicate: true };
  return { preview: outcome.preview, records: outcome.puts.length, renamed: outcome.renamed, undo: outcome.undo, duplicate: result.duplicate };
}

/** Takes an import back exactly, unless something it wrote changed since (then CONFLICT, nothing changed). */
export async function undoImport(engine: Engine, undo: ImportUndo, op?: string): Promise<{ records: number }> {
  const result = await engine.transact(undo.context, (state) => {
    // Read as the import put them: a later line for a record is an opaque line, not the record.
    const wrote = asAFileReads(undo.wrote.map((raw) => recordOf(raw)));
    const changed = wrote.find((record) => state.get(record.key)?.raw !== record.raw);
    if (changed) throw new EngineError('CONFLICT', `${label(changed)} changed since the import, so undoing it would lose that change. Nothing was changed.`, { kept: 'Nothing was changed.' });
    return { puts: undo.restore.map(recordOf), deletes: undo.remove.map(keyOfIdentity), verbatim: true };
  }, { ...(op === undefined ? {} : { op }), note: 'undo of an import' });
  return { records: result.changed };
}

function recordOf(raw: string): StoredRecord {
  const verdict = classifyLine(raw);
  if (!verdict.ok || verdict.kind === 'blank') throw new EngineError('BAD_INPUT', 'An undo of an import names a line that is not a record. Nothing was changed.', { kept: 'Nothing was changed.' });
  return makeRecord(raw, verdict.fields);
}

/** A JSON value with every object's keys in sorted order (arrays keep theirs). */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]));
}
