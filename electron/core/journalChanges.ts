// What a journal change is about and what it puts in place: the key, the record (a splice
// applied to the record as it is now), read back by every replay of the journal.
import { classifyLine, classifyTrustedLine, asOpaque, makeRecord, keyOfIdentity, type StoredRecord } from './records.ts';
import type { Change } from './journalFormat.ts';
import { applySplice } from './recordSplice.ts';

/** A splice whose record is missing, or is not the line the splice was made from (journal damage). */
export class SpliceMismatch extends Error {
  constructor(readonly key: string) {
    super('a change to a record could not be applied: the record it edits is missing or differs');
  }
}

/** The key a change is about. */
export function keyOfChange(change: Change): string {
  if (change.del) return keyOfIdentity(change.del);
  if (change.splice) return keyOfIdentity(change.splice);
  return (recordOfChange(change) as { put: StoredRecord }).put.key;
}

/**
 * The record a journal change puts in place, or the key it deletes. A splice edits the record
 * as it is now (`current`); it throws SpliceMismatch when that is not the line it was made from.
 */
export function recordOfChange(change: Change, current?: (key: string) => StoredRecord | undefined): { put: StoredRecord } | { del: string } {
  if (change.del) return { del: keyOfIdentity(change.del) };
  if (change.splice) {
    const key = keyOfIdentity(change.splice);
    const before = current?.(key);
    const raw = before === undefined ? undefined : applySplice(before.raw, change);
    const verdict = raw === undefined ? undefined : classifyTrustedLine(raw);
    if (raw === undefined || !verdict?.ok || verdict.kind === 'blank') throw new SpliceMismatch(key);
    const record = makeRecord(raw, verdict.fields);
    if (record.key !== key) throw new SpliceMismatch(key);
    return { put: record };
  }
  if (change.set !== undefined) {
    const raw = JSON.stringify(change.set);
    const verdict = classifyTrustedLine(raw);
    if (!verdict.ok || verdict.kind === 'blank') return { put: asOpaque(raw, 1) };
    return { put: makeRecord(raw, verdict.fields) };
  }
  const raw = change.line;
  // An opaque line (a comment, an unknown line type, a duplicate) carries its occurrence number.
  if (change.opaque || change.n !== undefined) return { put: asOpaque(raw, change.n ?? 1) };
  // Journaled as text because its bytes are not what JSON.stringify makes: parsed in full.
  const verdict = classifyLine(raw);
  if (!verdict.ok || verdict.kind === 'blank') return { put: asOpaque(raw, 1) };
  return { put: makeRecord(raw, verdict.fields) };
}
