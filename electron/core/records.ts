// One line of a context file, classified. Entities are identified by name, relations by the
// triple (from, to, relationType); everything else we keep (comments, `_aim` markers, unknown
// line types, duplicate lines) is an opaque line, identified by its text and occurrence.
// A record keeps its exact text (`raw`), so a record we did not change is written back byte
// for byte; its parsed value is made on demand, which keeps memory near the file's size.

export type RecordKind = 'entity' | 'relation' | 'line';

export interface StoredRecord {
  readonly key: string;
  readonly kind: RecordKind;
  /** The exact line, without its newline. */
  readonly raw: string;
  readonly name?: string;
  readonly entityType?: string;
  readonly from?: string;
  readonly to?: string;
  readonly relationType?: string;
  /** metadata.chartId, when present: the chart this record belongs to. */
  readonly chartId?: string;
  /** Occurrence number of an opaque line (1 for the first line with this text). */
  readonly occurrence?: number;
}

/** What identifies a record in the journal: ["entity", name] | ["relation", from, to, type] | ["line", text, n]. */
export type RecordIdentity = ['entity', string] | ['relation', string, string, string] | ['line', string, number];

export type LineVerdict =
  | { ok: true; kind: 'blank' }
  | { ok: true; kind: RecordKind; fields: Omit<StoredRecord, 'key' | 'raw' | 'occurrence'> }
  | { ok: false; reason: string };

export const entityKey = (name: string) => `e\u0000${name}`;
export const relationKey = (from: string, to: string, relationType: string) =>
  `r\u0000${from}\u0000${to}\u0000${relationType}`;
export const lineKey = (raw: string, occurrence: number) => `l\u0000${occurrence}\u0000${raw}`;

export function identityOf(record: StoredRecord): RecordIdentity {
  switch (record.kind) {
    case 'entity':
      return ['entity', record.name as string];
    case 'relation':
      return ['relation', record.from as string, record.to as string, record.relationType as string];
    default:
      return ['line', record.raw, record.occurrence ?? 1];
  }
}

export function keyOfIdentity(identity: RecordIdentity): string {
  switch (identity[0]) {
    case 'entity':
      return entityKey(identity[1]);
    case 'relation':
      return relationKey(identity[1], identity[2], identity[3]);
    default:
      return lineKey(identity[1], identity[2]);
  }
}

const isString = (value: unknown): value is string => typeof value === 'string';

/** Classifies one line's text. Never throws: anything unreadable is `ok: false` with a reason. */
export function classifyLine(raw: string): LineVerdict {
  const trimmed = raw.trim();
  if (trimmed === '') return { ok: true, kind: 'blank' };
  if (trimmed.startsWith('#')) return { ok: true, kind: 'line', fields: { kind: 'line' } };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return { ok: false, reason: `not valid JSON (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'not a JSON object' };
  }
  const object = value as Record<string, unknown>;
  const metadata = object.metadata;
  const chartId =
    typeof metadata === 'object' && metadata !== null && isString((metadata as Record<string, unknown>).chartId)
      ? ((metadata as Record<string, unknown>).chartId as string)
      : undefined;
  if (object.type === 'entity') {
    if (!isString(object.name) || object.name === '') return { ok: false, reason: 'entity without a name' };
    if (object.observations !== undefined && !Array.isArray(object.observations)) {
      return { ok: false, reason: 'entity observations are not a list' };
    }
    const fields: Omit<StoredRecord, 'key' | 'raw' | 'occurrence'> = { kind: 'entity', name: object.name };
    return {
      ok: true,
      kind: 'entity',
      fields: {
        ...fields,
        ...(isString(object.entityType) ? { entityType: object.entityType } : {}),
        ...(chartId === undefined ? {} : { chartId }),
      },
    };
  }
  if (object.type === 'relation') {
    if (!isString(object.from) || !isString(object.to) || !isString(object.relationType)) {
      return { ok: false, reason: 'relation without from, to and relationType' };
    }
    return {
      ok: true,
      kind: 'relation',
      fields: {
        kind: 'relation',
        from: object.from,
        to: object.to,
        relationType: object.relationType,
        ...(chartId === undefined ? {} : { chartId }),
      },
    };
  }
  // `_aim` markers, legacy top-level narrative_beat lines, anything a newer peer invents.
  return { ok: true, kind: 'line', fields: { kind: 'line' } };
}

export function makeRecord(
  raw: string,
  fields: Omit<StoredRecord, 'key' | 'raw' | 'occurrence'>,
  occurrence = 1,
): StoredRecord {
  if (fields.kind === 'entity') return { ...fields, raw, key: entityKey(fields.name as string) };
  if (fields.kind === 'relation') {
    return { ...fields, raw, key: relationKey(fields.from as string, fields.to as string, fields.relationType as string) };
  }
  return { kind: 'line', raw, occurrence, key: lineKey(raw, occurrence) };
}

/** An opaque copy of a record's line: how a duplicate entity or relation line is kept. */
export function asOpaque(raw: string, occurrence: number): StoredRecord {
  return { kind: 'line', raw, occurrence, key: lineKey(raw, occurrence) };
}

export function parseValue(record: StoredRecord): Record<string, unknown> {
  return JSON.parse(record.raw) as Record<string, unknown>;
}

/** True when the line's text is exactly what JSON.stringify makes of its value. */
export function isCanonicalJson(raw: string): boolean {
  try {
    return JSON.stringify(JSON.parse(raw)) === raw;
  } catch {
    return false;
  }
}
