// Absorbing a version of the context file that someone else wrote (a peer's whole-file
// rewrite). A three-way merge per record: the peer's version, ours, and the base the peer
// started from. The base is found from content: a peer that read the file before one of our
// rewrites shows that rewrite's records in their older form (or not at all), so those records
// are a lost race, not the peer's edits or deletions.
// Fields and metadata keys that the peer dropped (the reference server writes back only
// name/entityType/observations) are kept from the base.
import { classifyLine, makeRecord, parseValue, type StoredRecord } from './records.ts';
import type { RecordSet } from './recordSet.ts';
import { setOwn } from './safeJson.ts';

/** One rewrite of the file by us: the previous on-disk version of each record it changed. */
export interface Generation {
  readonly previous: Map<string, StoredRecord | undefined>;
}

export interface AbsorbInput {
  /** The records now in the file, in file order. */
  readonly file: Iterable<StoredRecord>;
  /** What the file held after our last rewrite (or when we last read it). */
  readonly materialized: ReadonlyMap<string, StoredRecord>;
  /** Our recent rewrites, oldest first; the last one produced `materialized`. */
  readonly history: readonly Generation[];
  readonly current: RecordSet;
  /** False when the file is damaged or truncated: a missing record is then not a deletion. */
  readonly absenceIsDeletion: boolean;
  /**
   * The file is our own rewrite (its checksum is in our journal or checkpoint): what it lacks
   * was removed, and fields it lacks were removed, so nothing is merged back into it.
   */
  readonly fileIsOurs?: boolean;
}

export interface AbsorbResult {
  readonly puts: StoredRecord[];
  readonly deletes: string[];
  /** Records whose dropped fields or metadata keys were kept. */
  readonly keptFields: number;
  /** Records missing or older in the peer's version because it never saw our rewrite. */
  readonly lostRace: number;
  /** How many of our rewrites the peer had not seen (0: it read our latest). */
  readonly generationsBehind: number;
}

const sameRaw = (a: StoredRecord | undefined, b: StoredRecord | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.raw === b.raw);

/** True when the peer's record is this version, or this version minus fields the peer dropped. */
function shows(inFile: StoredRecord | undefined, version: StoredRecord | undefined): boolean {
  if (inFile === undefined || version === undefined) return inFile === version;
  return sameRaw(inFile, version) || keepDroppedFields(version, inFile) === version;
}

export function absorbExternalVersion(input: AbsorbInput): AbsorbResult {
  const fileMap = new Map<string, StoredRecord>();
  for (const record of input.file) fileMap.set(record.key, record);

  // Walk back through our rewrites until one shows in the peer's version; everything newer
  // is undone to get the base the peer worked from. A version "shows" when the peer's record
  // is it, or is it minus fields the peer drops (the reference server drops metadata).
  const undo = new Map<string, StoredRecord | undefined>();
  const after = (key: string) => (undo.has(key) ? undo.get(key) : input.materialized.get(key));
  // Rewrites with no evidence either way (the peer changed every record they touched): their
  // records are merged against the version before them too, so our change is never dropped.
  const ambiguous: Generation[] = [];
  let behind = 0;
  // Our own rewrite has no race to account for: its base is what we last wrote.
  for (let i = input.fileIsOurs ? -1 : input.history.length - 1; i >= 0; i -= 1) {
    const generation = input.history[i] as Generation;
    let seen = false;
    let unseen = false;
    for (const [key, previous] of generation.previous) {
      const post = after(key);
      if (sameRaw(post, previous)) continue;
      const inFile = fileMap.get(key);
      if (shows(inFile, post)) seen = true;
      else if (shows(inFile, previous)) unseen = true;
      // A record this rewrite created, present in any form: the peer saw the rewrite. One it
      // deleted, still present: the peer did not.
      else if (previous === undefined && inFile !== undefined) seen = true;
      else if (post === undefined && inFile !== undefined) unseen = true;
    }
    if (seen) break;
    if (!unseen) {
      ambiguous.push(generation);
      continue;
    }
    // Not seen: neither was any newer rewrite, however ambiguous it looked.
    for (const older of [...ambiguous, generation]) {
      for (const [key, previous] of older.previous) undo.set(key, previous);
      behind += 1;
    }
    ambiguous.length = 0;
  }
  const base = (key: string) => after(key);
  const olderBase = new Map<string, StoredRecord | undefined>();
  for (const generation of ambiguous) for (const [key, previous] of generation.previous) olderBase.set(key, previous);

  const puts: StoredRecord[] = [];
  const deletes: string[] = [];
  let keptFields = 0;
  let lostRace = 0;
  const visit = new Set<string>([...fileMap.keys(), ...input.materialized.keys(), ...undo.keys()]);
  for (const key of visit) {
    const b = base(key);
    const f = fileMap.get(key);
    const c = input.current.get(key);
    if (sameRaw(f, b)) continue; // the peer did not touch it: ours stands
    if (f === undefined) {
      // The peer's version lacks a record its base had.
      if (!input.absenceIsDeletion) continue;
      if (sameRaw(c, b)) {
        if (c) deletes.push(key);
      }
      continue; // we changed it since: our change is re-applied on top of their deletion
    }
    if (olderBase.has(key) && !shows(f, b)) {
      // The peer may have edited the version before our rewrite: merge its edit with ours.
      const older = olderBase.get(key);
      if (shows(f, older) && c !== undefined) continue;
      const kept = keepDroppedFields(older, f);
      const merged = c === undefined ? kept : mergeThreeWay(older, kept, c);
      if (!sameRaw(merged, c)) puts.push(merged);
      continue;
    }
    const kept = input.fileIsOurs ? f : keepDroppedFields(b, f);
    if (kept !== f) keptFields += 1;
    const merged = c === undefined || sameRaw(c, b) ? kept : mergeThreeWay(b, kept, c);
    if (!sameRaw(merged, c)) puts.push(merged);
  }
  // Records the peer never saw (created or changed by rewrites it had not read) are a lost race.
  for (const [key, previous] of undo) {
    const inFile = fileMap.get(key);
    if (sameRaw(inFile, previous) && !sameRaw(input.materialized.get(key), previous)) lostRace += 1;
  }
  return { puts, deletes, keptFields, lostRace, generationsBehind: behind };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function recordFromValue(value: Json, like: StoredRecord): StoredRecord {
  const raw = JSON.stringify(value);
  const verdict = classifyLine(raw);
  if (!verdict.ok || verdict.kind === 'blank') return like;
  return makeRecord(raw, verdict.fields, like.occurrence ?? 1);
}

/** Restores top-level fields and metadata keys that the base had and the peer's version lacks. */
export function keepDroppedFields(base: StoredRecord | undefined, theirs: StoredRecord): StoredRecord {
  if (!base || base.kind === 'line' || theirs.kind === 'line') return theirs;
  const b = parseValue(base);
  const t = parseValue(theirs);
  let changed = false;
  for (const [field, value] of Object.entries(b)) {
    if (!Object.hasOwn(t, field)) {
      setOwn(t, field, value);
      changed = true;
    } else if (field === 'metadata' && isObject(value) && isObject(t.metadata)) {
      const metadata = t.metadata;
      for (const [key, inner] of Object.entries(value)) {
        if (!Object.hasOwn(metadata, key)) {
          setOwn(metadata, key, inner);
          changed = true;
        }
      }
    }
  }
  if (!changed) return theirs;
  if (same(t, b)) return base; // byte for byte as before
  return recordFromValue(t, theirs);
}

/** Both sides changed one record: theirs is the start, and each field we changed is ours. */
export function mergeThreeWay(base: StoredRecord | undefined, theirs: StoredRecord, ours: StoredRecord): StoredRecord {
  if (theirs.kind === 'line' || ours.kind === 'line') return ours;
  const b: Json = base ? parseValue(base) : {};
  const t = parseValue(theirs);
  const o = parseValue(ours);
  const result: Json = { ...t };
  for (const field of new Set([...Object.keys(t), ...Object.keys(o)])) {
    if (field === 'observations' && Array.isArray(o[field]) && Array.isArray(t[field])) {
      setOwn(result, field, mergeLists(Array.isArray(b[field]) ? (b[field] as unknown[]) : [], t[field] as unknown[], o[field] as unknown[]));
    } else if (field === 'metadata' && isObject(o[field]) && isObject(t[field])) {
      const bm = isObject(b[field]) ? (b[field] as Json) : {};
      const merged: Json = { ...(t[field] as Json) };
      for (const [key, value] of Object.entries(o[field] as Json)) if (!same(value, bm[key])) setOwn(merged, key, value);
      for (const key of Object.keys(bm)) if (!Object.hasOwn(o[field] as Json, key) && same((t[field] as Json)[key], bm[key])) delete merged[key];
      setOwn(result, field, merged);
    } else if (!same(o[field], b[field])) {
      if (Object.hasOwn(o, field)) setOwn(result, field, o[field]);
      else delete result[field];
    }
  }
  if (same(result, o)) return ours;
  if (same(result, t)) return theirs;
  return recordFromValue(result, ours);
}

/** Their list, without what we removed, plus what we added. */
function mergeLists(base: unknown[], theirs: unknown[], ours: unknown[]): unknown[] {
  const key = (v: unknown) => JSON.stringify(v);
  const baseKeys = new Set(base.map(key));
  const ourKeys = new Set(ours.map(key));
  const theirKeys = new Set(theirs.map(key));
  const result = theirs.filter((v) => !(baseKeys.has(key(v)) && !ourKeys.has(key(v))));
  for (const v of ours) if (!baseKeys.has(key(v)) && !theirKeys.has(key(v))) result.push(v);
  return result;
}
