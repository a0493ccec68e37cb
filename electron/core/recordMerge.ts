// Field-level operations on two or three forms of one record: does a peer's form show a given
// version (the same, or the same minus fields the peer drops), restoring the fields a peer
// dropped, and merging a peer's edit with ours. The reference server writes back only
// name/entityType/observations; other peers re-serialize with their own key order.
import { classifyLine, makeRecord, parseValue, type StoredRecord } from './records.ts';
import { setOwn } from './safeJson.ts';
import { parseExact, stringifyExact } from './exactNumbers.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep equality of JSON values, ignoring the order of object keys. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
  }
  return false;
}

/**
 * True when a peer's form of a record is this version of it, or this version minus fields (or
 * metadata keys) the peer dropped: every field the peer's form has, the version has, equal.
 */
export function showsVersion(theirs: StoredRecord, version: StoredRecord): boolean {
  if (theirs.raw === version.raw) return true;
  if (theirs.kind === 'line' || version.kind === 'line' || theirs.kind !== version.kind) return false;
  const t = parseValue(theirs);
  const v = parseValue(version);
  for (const [field, value] of Object.entries(t)) {
    if (!Object.hasOwn(v, field)) return false;
    if (field === 'metadata' && isObject(value) && isObject(v.metadata)) {
      const metadata = v.metadata;
      if (!Object.entries(value).every(([key, inner]) => Object.hasOwn(metadata, key) && jsonEqual(inner, metadata[key]))) return false;
    } else if (!jsonEqual(value, v[field])) return false;
  }
  return true;
}

function recordFromValue(value: Json, like: StoredRecord): StoredRecord {
  // Read by parseExact: the numbers as the lines wrote them.
  const raw = stringifyExact(value);
  const verdict = classifyLine(raw);
  if (!verdict.ok || verdict.kind === 'blank') return like;
  return makeRecord(raw, verdict.fields, like.occurrence ?? 1);
}

/** Restores top-level fields and metadata keys that the base had and the peer's version lacks. */
export function keepDroppedFields(base: StoredRecord | undefined, theirs: StoredRecord, deletedHere = false): StoredRecord {
  if (!base || base.kind === 'line' || theirs.kind === 'line') return theirs;
  // Nothing but dropped fields differs: the base, byte for byte.
  if (showsVersion(theirs, base)) return base;
  const b = parseExact(base.raw);
  const t = parseExact(theirs.raw);
  if (deletedHere && madeAnew(b, t)) return theirs;
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
  return changed ? recordFromValue(t, theirs) : theirs;
}

/**
 * For an entity deleted here since the base (`deletedHere`): true when the peer's is not an edit
 * of the base's but another made under its name (deleted, then created anew): another entityType
 * (no peer's tool changes it), or none of the base's observations kept while it has its own.
 * Nothing of the base is kept then: its metadata would come back on a new thing. Only then: a
 * peer rewording a record that is still here (the reference server adds the new observation and
 * deletes the old one) keeps none of its observations either, and its metadata must stay.
 */
function madeAnew(base: Json, theirs: Json): boolean {
  if (base.type !== 'entity' || theirs.type !== 'entity') return false;
  if (typeof base.entityType === 'string' && typeof theirs.entityType === 'string' && base.entityType !== theirs.entityType) return true;
  const before = Array.isArray(base.observations) ? base.observations.map((o) => JSON.stringify(o)) : [];
  const now = new Set(Array.isArray(theirs.observations) ? theirs.observations.map((o) => JSON.stringify(o)) : []);
  return before.length > 0 && now.size > 0 && !before.some((o) => now.has(o));
}

/** Both sides changed one record: theirs is the start, and each field we changed is ours. */
export function mergeThreeWay(base: StoredRecord | undefined, theirs: StoredRecord, ours: StoredRecord): StoredRecord {
  if (theirs.kind === 'line' || ours.kind === 'line') return ours;
  const b: Json = base ? parseExact(base.raw) : {};
  const t = parseExact(theirs.raw);
  const o = parseExact(ours.raw);
  const result: Json = { ...t };
  for (const field of new Set([...Object.keys(t), ...Object.keys(o)])) {
    if (field === 'observations' && Array.isArray(o[field]) && Array.isArray(t[field])) {
      setOwn(result, field, mergeLists(Array.isArray(b[field]) ? (b[field] as unknown[]) : [], t[field] as unknown[], o[field] as unknown[]));
    } else if (field === 'metadata' && isObject(o[field]) && isObject(t[field])) {
      const bm = isObject(b[field]) ? (b[field] as Json) : {};
      const merged: Json = { ...(t[field] as Json) };
      for (const [key, value] of Object.entries(o[field] as Json)) if (!jsonEqual(value, bm[key])) setOwn(merged, key, value);
      for (const key of Object.keys(bm)) if (!Object.hasOwn(o[field] as Json, key) && jsonEqual((t[field] as Json)[key], bm[key])) delete merged[key];
      setOwn(result, field, merged);
    } else if (!jsonEqual(o[field], b[field])) {
      if (Object.hasOwn(o, field)) setOwn(result, field, o[field]);
      else delete result[field];
    }
  }
  if (jsonEqual(result, o)) return ours;
  if (jsonEqual(result, t)) return theirs;
  return recordFromValue(result, ours);
}

/**
 * Their list, without what we removed, plus what we added. What we put in the place of an item
 * we removed (the same position in the base and in ours: a retitle, since an entity's first
 * observation is a step's or an outcome's title) takes that item's place in their list; the
 * rest of what we added goes at the end. Added at the end, a title we changed while a peer
 * appended a note (coaia-narrative's update_action_progress) came after the note, which became
 * the title.
 */
function mergeLists(base: unknown[], theirs: unknown[], ours: unknown[]): unknown[] {
  const key = (v: unknown) => JSON.stringify(v);
  const baseKeys = new Set(base.map(key));
  const ourKeys = new Set(ours.map(key));
  const theirKeys = new Set(theirs.map(key));
  const replacedBy = new Map<string, { readonly value: unknown; readonly key: string }>();
  for (let i = 0; i < Math.min(base.length, ours.length); i += 1) {
    const was = key(base[i]);
    const now = key(ours[i]);
    if (!ourKeys.has(was) && !baseKeys.has(now) && !theirKeys.has(now) && !replacedBy.has(was)) replacedBy.set(was, { value: ours[i], key: now });
  }
  const result: unknown[] = [];
  const placed = new Set<string>();
  for (const v of theirs) {
    const k = key(v);
    const replacement = replacedBy.get(k);
    if (!baseKeys.has(k) || ourKeys.has(k)) result.push(v);
    else if (replacement && !placed.has(replacement.key)) {
      result.push(replacement.value);
      placed.add(replacement.key);
    }
  }
  for (const v of ours) if (!baseKeys.has(key(v)) && !theirKeys.has(key(v)) && !placed.has(key(v))) result.push(v);
  return result;
}
