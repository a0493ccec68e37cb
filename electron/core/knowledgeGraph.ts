// The MCP knowledge-graph operations (entities, relations, observations) as change builders
// for Engine.transact: each reads the state under the lock and returns the records to write.
// Input is validated first: bad input gets a clear BAD_INPUT error and changes nothing.
import { EngineError } from './errors.ts';
import { asOpaque, entityKey, makeRecord, parseValue, relationKey, classifyLine, linesJoinedByCarriageReturns, type ReadLine, type StoredRecord } from './records.ts';
import type { RecordSet } from './recordSet.ts';
import type { PendingChanges } from './contextStore.ts';
import { assertPlainJson, setOwn } from './safeJson.ts';
import { hasVisibleText } from '../../shared/visibleText.ts';
import { parseExact, stringifyExact } from './exactNumbers.ts';

export interface EntityInput {
  readonly name: string;
  readonly entityType: string;
  readonly observations?: readonly string[];
  readonly metadata?: Record<string, unknown>;
}

export interface RelationInput {
  readonly from: string;
  readonly to: string;
  readonly relationType: string;
  readonly metadata?: Record<string, unknown>;
}

export interface GraphEntity {
  name: string;
  entityType: string;
  observations: string[];
  metadata?: Record<string, unknown>;
}

export interface GraphRelation {
  from: string;
  to: string;
  relationType: string;
  metadata?: Record<string, unknown>;
}

export interface Graph {
  entities: GraphEntity[];
  relations: GraphRelation[];
}

const MAX_NAME = 1_000;
const MAX_OBSERVATION = 100_000;

function requireText(value: unknown, what: string, max: number): string {
  if (typeof value !== 'string' || !hasVisibleText(value)) throw new EngineError('BAD_INPUT', `${what} is required (a text with something visible in it, not only spaces or zero-width characters).`);
  if (value.length > max) throw new EngineError('BAD_INPUT', `${what} is too long (${value.length} characters; at most ${max}).`);
  if (value.includes('\u0000')) throw new EngineError('BAD_INPUT', `${what} may not contain a NUL character.`);
  return value;
}

function requireMetadata(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EngineError('BAD_INPUT', 'metadata must be a JSON object.');
  assertPlainJson(value, 'metadata');
  return value as Record<string, unknown>;
}

export function recordFromObject(value: Record<string, unknown>): StoredRecord {
  // A record changed from its line (parseExact) keeps the numbers as the line wrote them.
  const raw = stringifyExact(value);
  const verdict = classifyLine(raw);
  if (!verdict.ok || verdict.kind === 'blank') throw new EngineError('BAD_INPUT', `Not a valid record: ${verdict.ok ? 'blank' : verdict.reason}.`);
  return makeRecord(raw, verdict.fields);
}

/** The record's metadata with the given keys set (the others kept). */
function mergedMetadata(before: unknown, changes: Record<string, unknown>): Record<string, unknown> {
  const next: Record<string, unknown> = typeof before === 'object' && before !== null && !Array.isArray(before) ? { ...(before as Record<string, unknown>) } : {};
  for (const [key, inner] of Object.entries(changes)) setOwn(next, key, inner);
  return next;
}

/** Creates the entity, or appends new observations to it and merges metadata into it. */
export function setEntity(state: RecordSet, input: EntityInput): PendingChanges {
  const name = requireText(input.name, 'name', MAX_NAME);
  const entityType = requireText(input.entityType, 'type', MAX_NAME);
  const observations = (input.observations ?? []).map((o, i) => requireText(o, `observation ${i + 1}`, MAX_OBSERVATION));
  const metadata = requireMetadata(input.metadata);
  const existing = state.get(entityKey(name));
  if (!existing) {
    const value: Record<string, unknown> = { type: 'entity', name, entityType, observations: [...new Set(observations)] };
    if (metadata) value.metadata = metadata;
    return { puts: [recordFromObject(value)], deletes: [] };
  }
  const value = parseExact(existing.raw);
  const current = Array.isArray(value.observations) ? (value.observations as unknown[]) : [];
  const added = observations.filter((o, i) => !current.includes(o) && observations.indexOf(o) === i);
  const merged: Record<string, unknown> = { ...value };
  if (added.length > 0) merged.observations = [...current, ...added];
  if (input.entityType !== undefined && value.entityType !== entityType) merged.entityType = entityType;
  if (metadata) merged.metadata = mergedMetadata(value.metadata, metadata);
  const record = recordFromObject(merged);
  return record.raw === existing.raw ? { puts: [], deletes: [] } : { puts: [record], deletes: [] };
}

/** An observation as every tool takes one: visible text, at most 100,000 characters, no NUL. */
export function requireObservation(value: unknown, what: string): string {
  return requireText(value, what, MAX_OBSERVATION);
}

/** The entity with these observations, every other field as its line has it (numbers too: parseExact). */
export function withObservations(record: StoredRecord, observations: readonly unknown[]): StoredRecord {
  return recordFromObject({ ...parseExact(record.raw), observations });
}

/** Removes observations from an entity (those it does not have are ignored). */
export function removeObservations(state: RecordSet, name: string, observations: readonly string[]): PendingChanges {
  const existing = requireEntity(state, name);
  const value = parseExact(existing.raw);
  const current = Array.isArray(value.observations) ? (value.observations as unknown[]) : [];
  const next = current.filter((o) => !observations.includes(o as string));
  if (next.length === current.length) return { puts: [], deletes: [] };
  return { puts: [withObservations(existing, next)], deletes: [] };
}

export function requireEntity(state: RecordSet, name: string): StoredRecord {
  requireText(name, 'name', MAX_NAME);
  const existing = state.get(entityKey(name));
  if (!existing) throw new EngineError('NOT_FOUND', `No entity named ${JSON.stringify(name)}.`);
  return existing;
}

/** Deletes an entity and every relation that starts or ends at it (as the MCP servers do). */
export function deleteEntity(state: RecordSet, name: string): PendingChanges {
  requireEntity(state, name);
  return { puts: [], deletes: [entityKey(name), ...state.relationKeysOf(name)] };
}

export function addRelation(state: RecordSet, input: RelationInput): PendingChanges {
  const from = requireText(input.from, 'from', MAX_NAME);
  const to = requireText(input.to, 'to', MAX_NAME);
  const relationType = requireText(input.relationType, 'relation type', MAX_NAME);
  const metadata = requireMetadata(input.metadata);
  const existing = state.get(relationKey(from, to, relationType));
  const value: Record<string, unknown> = existing ? parseExact(existing.raw) : { type: 'relation', from, to, relationType };
  if (metadata) value.metadata = mergedMetadata(value.metadata, metadata);
  const record = recordFromObject(value);
  return existing?.raw === record.raw ? { puts: [], deletes: [] } : { puts: [record], deletes: [] };
}

export function deleteRelation(state: RecordSet, input: RelationInput): PendingChanges {
  const key = relationKey(requireText(input.from, 'from', MAX_NAME), requireText(input.to, 'to', MAX_NAME), requireText(input.relationType, 'relation type', MAX_NAME));
  if (!state.has(key)) throw new EngineError('NOT_FOUND', `No relation ${input.from} -[${input.relationType}]-> ${input.to}.`);
  return { puts: [], deletes: [key] };
}

export function toGraphEntity(record: StoredRecord): GraphEntity {
  const value = parseValue(record);
  const entity: GraphEntity = {
    name: record.name as string,
    entityType: typeof value.entityType === 'string' ? value.entityType : '',
    observations: Array.isArray(value.observations) ? (value.observations as string[]) : [],
  };
  if (value.metadata !== undefined) entity.metadata = value.metadata as Record<string, unknown>;
  return entity;
}

export function toGraphRelation(record: StoredRecord): GraphRelation {
  const relation: GraphRelation = { from: record.from as string, to: record.to as string, relationType: record.relationType as string };
  const value = parseValue(record);
  if (value.metadata !== undefined) relation.metadata = value.metadata as Record<string, unknown>;
  return relation;
}

/** The MCP read_graph shape. */
export function readGraph(state: RecordSet): Graph {
  const graph: Graph = { entities: [], relations: [] };
  for (const record of state.values()) {
    if (record.kind === 'entity') graph.entities.push(toGraphEntity(record));
    else if (record.kind === 'relation') graph.relations.push(toGraphRelation(record));
  }
  return graph;
}

/** The entities named, and the relations among them (MCP open_nodes / search_nodes shape). */
export function subgraph(state: RecordSet, names: readonly string[]): Graph {
  const wanted = new Set(names);
  const entities: GraphEntity[] = [];
  for (const name of wanted) {
    const record = state.get(entityKey(name));
    if (record) entities.push(toGraphEntity(record));
  }
  const relations: GraphRelation[] = [];
  const seen = new Set<string>();
  for (const name of wanted) {
    for (const key of state.relationKeysOf(name)) {
      const record = state.get(key);
      if (!record || seen.has(key)) continue;
      seen.add(key);
      if (wanted.has(record.from as string) && wanted.has(record.to as string)) relations.push(toGraphRelation(record));
    }
  }
  return { entities, relations };
}

/**
 * Parses a file to import: JSONL lines in the MCP shape, or one JSON document
 * `{"entities":[…],"relations":[…]}`. Anything wrong fails the whole import with a message that
 * names the place in the file (a line, or `entities[3]`) and what is wrong there.
 */
export function parseImport(text: string, source: string): StoredRecord[] {
  const document = graphDocumentOf(text);
  const values = document ? valuesOfDocument(document, source) : valuesOfLines(text, source);
  return asAFileReads(values.map(({ value, where, line }) => {
    if (line !== undefined) return asOpaque(line, 1);
    const at = `${source} ${where}`;
    assertPlainJson(value, at, { depth: 32, bytes: 10_000_000 });
    if (value.type === 'entity') {
      requireText(value.name, `${at}: name`, MAX_NAME);
    } else if (value.type === 'relation') {
      requireText(value.from, `${at}: from`, MAX_NAME);
      requireText(value.to, `${at}: to`, MAX_NAME);
      requireText(value.relationType, `${at}: relationType`, MAX_NAME);
    }
    const raw = JSON.stringify(value);
    const verdict = classifyLine(raw);
    if (!verdict.ok || verdict.kind === 'blank') throw refusedImport(`${at}: ${verdict.ok ? 'an empty record' : verdict.reason}`);
    return makeRecord(raw, verdict.fields);
  }));
}

/**
 * Imported records as a context file holding them in this order reads them (contextFile.ts):
 * the first line of an entity or relation is the record; a later one for the same key is kept
 * as an opaque line, as are comments, markers and lines of other types (a legacy narrative_beat
 * keeps its type), numbered by occurrence. Put one by one, the last line of a key won (the
 * file's reading is the first), and the other lines were dropped: export, then import, changed data.
 */
export function asAFileReads(records: readonly StoredRecord[]): StoredRecord[] {
  const seen = new Set<string>();
  const occurrences = new Map<string, number>();
  return records.map((record) => {
    if (record.kind !== 'line' && !seen.has(record.key)) {
      seen.add(record.key);
      return record;
    }
    const occurrence = (occurrences.get(record.raw) ?? 0) + 1;
    occurrences.set(record.raw, occurrence);
    return asOpaque(record.raw, occurrence);
  });
}

interface ImportedValue {
  readonly value: Record<string, unknown>;
  /** Where in the file: "line 7", "entities[3]". */
  readonly where: string;
  /** A line kept as it is (a comment, a marker, a line of another type), instead of `value`. */
  readonly line?: string;
}

const refusedImport = (what: string) => new EngineError('BAD_INPUT', `${what}. Nothing was imported.`, { kept: 'Nothing was changed.' });

/** "the number 5", "a text", "a list": what a value is, for a message (never the value itself, which may be huge). */
function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return `the number ${String(value).slice(0, 20)}`;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return 'a text';
  return 'an object';
}

/** The whole file as one `{"entities":…,"relations":…}` object (MCP read_graph), or undefined when it is JSON lines. */
function graphDocumentOf(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return undefined; // several lines of records (or a damaged document: the lines say where)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const object = value as Record<string, unknown>;
  if (object.type === 'entity' || object.type === 'relation') return undefined; // one JSONL record
  return Object.hasOwn(object, 'entities') || Object.hasOwn(object, 'relations') ? object : undefined;
}

function valuesOfDocument(document: Record<string, unknown>, source: string): ImportedValue[] {
  const values: ImportedValue[] = [];
  for (const [field, type] of [['entities', 'entity'], ['relations', 'relation']] as const) {
    const list = document[field];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw refusedImport(`${source}: "${field}" must be a list of ${type} objects, but it is ${describeJson(list)}`);
    list.forEach((item: unknown, index) => {
      const where = `${field}[${index}]`;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw refusedImport(`${source} ${where}: each ${type} must be an object (like {"name":…}), but this one is ${describeJson(item)}`);
      }
      // Its list says what it is: an item of another type was taken as that type (an "entity" in
      // the relations went in as an entity), whatever list it was put in.
      const own = (item as Record<string, unknown>).type;
      if (own !== undefined && own !== type) {
        throw refusedImport(`${source} ${where}: an item of "${field}" must be ${type === 'entity' ? 'an entity' : 'a relation'}, but this one says its type is ${typeof own === 'string' ? JSON.stringify(own.slice(0, 40)) : describeJson(own)}`);
      }
      values.push({ value: { type, ...(item as Record<string, unknown>) }, where });
    });
  }
  return values;
}

function valuesOfLines(text: string, source: string): ImportedValue[] {
  const values: ImportedValue[] = [];
  const take = (line: string, verdict: ReadLine['verdict'], index: number) => {
    if (verdict.kind === 'entity' || verdict.kind === 'relation') values.push({ value: JSON.parse(line) as Record<string, unknown>, where: `line ${index + 1}` });
    else if (verdict.kind === 'line') values.push({ value: {}, where: `line ${index + 1}`, line: line.replace(/\r$/, '') });
  };
  text.split('\n').forEach((line, index) => {
    const verdict = classifyLine(line);
    if (verdict.ok) return verdict.kind === 'blank' ? undefined : take(line, verdict, index);
    // Lines ended by lone carriage returns (a file saved with old Mac line ends), as a context file's are read.
    const joined = linesJoinedByCarriageReturns(line);
    if (joined) {
      for (const part of joined) take(part.text, part.verdict, index);
      return;
    }
    // A pretty-printed document that is not valid JSON: its first line alone says little.
    const document = index === 0 && line.trim() === '{' ? ` (the file is neither JSON lines nor one valid JSON document)` : '';
    throw refusedImport(`${source} line ${index + 1}: ${verdict.reason}${document}`);
  });
  return values;
}
