// One line of a context file, classified. Entities are identified by name, relations by the
// triple (from, to, relationType); everything else we keep (comments, `_aim` markers, unknown
// line types, duplicate lines) is an opaque line, identified by its text and occurrence.
// A record keeps its exact text (`raw`), so a record we did not change is written back byte
// for byte; its parsed value is made on demand. A record holds only its key, kind, text and
// chart id (names are read back from the key), which keeps memory near the file's size.

export type RecordKind = 'entity' | 'relation' | 'line';

const SEP = '\u0000';
/** What separates the parts of a record's key (a name holding it is read as an opaque line). */
export const KEY_SEPARATOR = SEP;

export class StoredRecord {
  constructor(
    readonly key: string,
    readonly kind: RecordKind,
    /** The exact line, without its newline. */
    readonly raw: string,
    /** metadata.chartId, when present: the chart this record belongs to. */
    readonly chartId?: string,
    /** Occurrence number of an opaque line (1 for the first line with this text). */
    readonly occurrence?: number,
  ) {}

  get name(): string | undefined {
    return this.kind === 'entity' ? this.key.slice(2) : undefined;
  }

  get from(): string | undefined {
    return this.kind === 'relation' ? this.key.split(SEP)[1] : undefined;
  }

  get to(): string | undefined {
    return this.kind === 'relation' ? this.key.split(SEP)[2] : undefined;
  }

  get relationType(): string | undefined {
    return this.kind === 'relation' ? this.key.slice(2).split(SEP).slice(2).join(SEP) : undefined;
  }
}

/** What identifies a record in the journal: ["entity", name] | ["relation", from, to, type] | ["line", text, n]. */
export type RecordIdentity = ['entity', string] | ['relation', string, string, string] | ['line', string, number];

/** The identifying fields of a line. */
export interface RecordFields {
  readonly kind: RecordKind;
  readonly name?: string;
  readonly from?: string;
  readonly to?: string;
  readonly relationType?: string;
  readonly chartId?: string;
}

export type LineVerdict =
  | { ok: true; kind: 'blank' }
  | { ok: true; kind: RecordKind; fields: RecordFields }
  | { ok: false; reason: string };

// Keys are made flat: a concatenation is kept by V8 as a tree of parts (a relation's key as four
// nodes pointing into its line), which a Map hashes and compares by walking it; join copies the
// characters once. At 10k charts that is 10 MB less heap after an open (65 to 55 MB).
export const entityKey = (name: string) => ['e', name].join(SEP);
export const relationKey = (from: string, to: string, relationType: string) => ['r', from, to, relationType].join(SEP);
export const lineKey = (raw: string, occurrence: number) => `l${SEP}${occurrence}${SEP}${raw}`;

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

/** The identity a key stands for (the inverse of keyOfIdentity). */
export function identityOfKey(key: string): RecordIdentity {
  const parts = key.split(SEP);
  if (parts[0] === 'e') return ['entity', key.slice(2)];
  if (parts[0] === 'r') return ['relation', parts[1] as string, parts[2] as string, parts.slice(3).join(SEP)];
  const occurrence = parts[1] as string;
  return ['line', key.slice(3 + occurrence.length), Number(occurrence)];
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

/**
 * A name holding the NUL character (another program wrote it; ours refuse it) is kept as an
 * opaque line, as it is: keys join their fields with NUL, so such a relation would be read
 * with its fields shifted, and two different ones would share a key.
 */
const OPAQUE: LineVerdict = { ok: true, kind: 'line', fields: { kind: 'line' } };

/**
 * The lines a line holds that is not valid JSON as a whole but is several JSON lines joined by
 * lone carriage returns, as a file saved with old Mac line ends (CR only; an editor's "Macintosh
 * (CR)" setting) reads when lines end at a newline: its parts that are not blank, each valid.
 * Undefined when it is not that (a damaged line stays damaged as a whole). A carriage return
 * inside a JSON string is escaped, so one in a line is between values or ends a line. Only for
 * a line whose whole reading failed: one that is valid as a whole is one line, whatever white
 * space it holds.
 */
export function linesJoinedByCarriageReturns(line: string): ReadLine[] | undefined {
  const cr = line.indexOf('\r');
  if (cr === -1 || cr === line.length - 1) return undefined;
  const parts: ReadLine[] = [];
  for (const text of line.split('\r')) {
    const verdict = classifyLine(text);
    if (!verdict.ok) return undefined;
    if (verdict.kind !== 'blank') parts.push({ text, verdict });
  }
  return parts.length > 1 ? parts : undefined;
}

/** A line that reads as a record (not blank), with its reading (classifyLine). */
export interface ReadLine {
  readonly text: string;
  readonly verdict: LineVerdict & { ok: true; kind: RecordKind };
}

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
    if (object.name.includes(SEP)) return OPAQUE;
    if (object.observations !== undefined && !Array.isArray(object.observations)) {
      return { ok: false, reason: 'entity observations are not a list' };
    }
    // Literal objects, no spread: this runs once per line of every file read in full.
    return { ok: true, kind: 'entity', fields: chartId === undefined ? { kind: 'entity', name: object.name } : { kind: 'entity', name: object.name, chartId } };
  }
  if (object.type === 'relation') {
    if (!isString(object.from) || !isString(object.to) || !isString(object.relationType)) {
      return { ok: false, reason: 'relation without from, to and relationType' };
    }
    if (object.from.includes(SEP) || object.to.includes(SEP) || object.relationType.includes(SEP)) return OPAQUE;
    return {
      ok: true,
      kind: 'relation',
      fields:
        chartId === undefined
          ? { kind: 'relation', from: object.from, to: object.to, relationType: object.relationType }
          : { kind: 'relation', from: object.from, to: object.to, relationType: object.relationType, chartId },
    };
  }
  // `_aim` markers, legacy top-level narrative_beat lines, anything a newer peer invents.
  return { ok: true, kind: 'line', fields: { kind: 'line' } };
}

const CHART_ID_AT_METADATA = '"metadata":{"chartId":"';

/** The plain string starting at `start` (up to the next quote), or undefined if it holds an escape. */
function plainString(raw: string, start: number): { value: string; end: number } | undefined {
  const end = raw.indexOf('"', start);
  if (end < 0) return undefined;
  const value = raw.slice(start, end);
  return value.includes('\\') ? undefined : { value, end };
}

/**
 * Classifies a line already known to be valid (a context file that is exactly our last rewrite,
 * a line from a checksummed journal) without parsing it as JSON: the fields are read from the
 * canonical shape `{"type":"entity","name":…`. Lines of any other shape take classifyLine.
 */
export function classifyTrustedLine(raw: string): LineVerdict {
  const record = trustedRecord(raw);
  if (!record) return classifyLine(raw);
  if (record.kind === 'entity') return { ok: true, kind: 'entity', fields: { kind: 'entity', name: record.name as string, ...(record.chartId === undefined ? {} : { chartId: record.chartId }) } };
  return {
    ok: true,
    kind: 'relation',
    fields: { kind: 'relation', from: record.from as string, to: record.to as string, relationType: record.relationType as string, ...(record.chartId === undefined ? {} : { chartId: record.chartId }) },
  };
}

// The canonical start of an entity or relation line, its key fields plain strings (no escape).
const CANONICAL_START = /^\{"type":"(?:entity","name":"([^"\\]+)"|relation","from":"([^"\\]*)","to":"([^"\\]*)","relationType":"([^"\\]*)")/;
// After the start, one pass finds what could make JSON.parse read the line otherwise: a key field
// given again (JSON.parse keeps the last), "metadata" and "chartId" anywhere, and every `{`.
const ENTITY_REST = /"(?:name|type|metadata|chartId)"|\{/g;
const RELATION_REST = /"(?:from|to|relationType|type|metadata|chartId)"|\{/g;
const COLON = 58;
const COMMA = 44;

/**
 * The record of a known-valid line in the canonical shape, or undefined when the shape is any
 * other. One regular expression reads the key and one pass over the rest checks it (a re-open
 * reads every line of the file this way: three times faster than a search per rule).
 */
export function trustedRecord(raw: string): StoredRecord | undefined {
  const start = CANONICAL_START.exec(raw);
  if (start === null) return undefined;
  const entity = start[1] !== undefined;
  const rest = entity ? ENTITY_REST : RELATION_REST;
  rest.lastIndex = start[0].length;
  let metadataAt = -1;
  let chartIds = 0;
  let objects = 0;
  for (let hit = rest.exec(raw); hit !== null; hit = rest.exec(raw)) {
    const token = hit[0];
    if (token === '{') objects += 1;
    else if (token === '"chartId"') chartIds += 1;
    else if (token === '"metadata"') {
      if (metadataAt !== -1) return undefined;
      metadataAt = hit.index;
    } else if (raw.charCodeAt(hit.index + token.length) === COLON) return undefined; // a key field again
  }
  const kind: RecordKind = entity ? 'entity' : 'relation';
  const key = entity ? entityKey(start[1] as string) : relationKey(start[2] as string, start[3] as string, start[4] as string);
  if (chartIds === 0) return new StoredRecord(key, kind, raw);
  // Sure only when it is the record's own metadata, read once: its only "metadata" and "chartId",
  // a key of the line's object (after a comma: not the tail of a string), and the line's only
  // nested object (a "metadata" inside another object, which JSON.parse ignores, needs the real parse).
  if (chartIds !== 1 || objects !== 1 || raw.charCodeAt(metadataAt - 1) !== COMMA || !raw.startsWith(CHART_ID_AT_METADATA, metadataAt)) return undefined;
  const chartId = plainString(raw, metadataAt + CHART_ID_AT_METADATA.length);
  return chartId ? new StoredRecord(key, kind, raw, chartId.value) : undefined;
}

/**
 * A record read by quickRecord: its line's quick reading is this record, so a rewrite writing it
 * need not check that again (readsIrregularly). Same fields as any record, no memory more.
 */
export class QuickRecord extends StoredRecord {}

const QUICK_CHART_ID = ',"metadata":{"chartId":"';

/**
 * The quick reading of a line of a file the checkpoint vouches for: the key from the canonical
 * start and the chart from the first `,"metadata":{"chartId":"`, the rest of the line not looked
 * at. It is wrong for a line that names a key field again, or whose "metadata" is nested in
 * another value or given twice; the rewrite that writes the file finds those lines
 * (readsIrregularly) and the checkpoint lists them, to be read in full. Undefined when the start is not canonical or the
 * chart holds an escape (the usual readings decide). About twice as fast as trustedRecord, which
 * looks at every `{` and key of the rest of the line: a re-open at 100k charts reads 1.3M lines.
 */
export function quickRecord(raw: string): QuickRecord | undefined {
  const start = CANONICAL_START.exec(raw);
  if (start === null) return undefined;
  let chartId: string | undefined;
  const at = raw.indexOf(QUICK_CHART_ID, start[0].length);
  if (at !== -1) {
    const plain = plainString(raw, at + QUICK_CHART_ID.length);
    if (!plain) return undefined;
    chartId = plain.value;
  }
  return start[1] !== undefined
    ? new QuickRecord(entityKey(start[1]), 'entity', raw, chartId)
    : new QuickRecord(relationKey(start[2] as string, start[3] as string, start[4] as string), 'relation', raw, chartId);
}

/**
 * True when a record written as a line would be misread by quickRecord at the next open (a
 * different key or chart, or an opaque line it would read as a record): the checkpoint lists
 * such lines (irregularLines). A record quickRecord made is known not to be.
 */
export function readsIrregularly(record: StoredRecord): boolean {
  if (record instanceof QuickRecord) return false;
  const quick = quickRecord(record.raw);
  if (quick === undefined) return false;
  return record.kind === 'line' || quick.key !== record.key || quick.chartId !== record.chartId;
}

/** The record a key and its line stand for (a form saved by its key), or undefined when they do not agree. */
export function recordOfKeyAndLine(key: string, raw: string): StoredRecord | undefined {
  if (key.startsWith(`l${SEP}`)) {
    const identity = identityOfKey(key);
    return identity[0] === 'line' && identity[1] === raw ? asOpaque(raw, identity[2]) : undefined;
  }
  const verdict = classifyTrustedLine(raw);
  if (!verdict.ok || verdict.kind === 'blank' || verdict.kind === 'line') return undefined;
  const record = makeRecord(raw, verdict.fields);
  return record.key === key ? record : undefined;
}

export function makeRecord(raw: string, fields: RecordFields, occurrence = 1): StoredRecord {
  if (fields.kind === 'entity') return new StoredRecord(entityKey(fields.name as string), 'entity', raw, fields.chartId);
  if (fields.kind === 'relation') {
    return new StoredRecord(relationKey(fields.from as string, fields.to as string, fields.relationType as string), 'relation', raw, fields.chartId);
  }
  return asOpaque(raw, occurrence);
}

/** An opaque copy of a record's line: how a comment, a marker or a duplicate entity or relation line is kept. */
export function asOpaque(raw: string, occurrence: number): StoredRecord {
  return new StoredRecord(lineKey(raw, occurrence), 'line', raw, undefined, occurrence);
}

export function parseValue(record: StoredRecord): Record<string, unknown> {
  return JSON.parse(record.raw) as Record<string, unknown>;
}

/** True when both hold the same keys with the very same lines (a map read from a file against the state, or against what the file last held). */
export function sameLines(records: ReadonlyMap<string, StoredRecord>, other: { readonly size: number; get(key: string): StoredRecord | undefined }): boolean {
  if (records.size !== other.size) return false;
  for (const [key, record] of records) if (other.get(key)?.raw !== record.raw) return false;
  return true;
}
