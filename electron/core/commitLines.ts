// How a commit is written as journal lines (docs/FORMAT.md, "Journals"): each put as the record
// itself, or as a splice of its line when that is much smaller; each delete by identity; the
// line order wanted; and, for another program's version of the file, where it differed from
// the state. The reader's side is recordOfChange (recordSet.ts).
import { identityOf, identityOfKey, type StoredRecord } from './records.ts';
import { recordOfChange } from './journalChanges.ts';
import { type OrderMove } from './recordOrder.ts';
import { spliceBetween } from './recordSplice.ts';
import { CommitPartBodies, encodeChangeText, encodeCommitPartBodies, type Change, type EncodedChange, type JournalCommit, type Origin } from './journalFormat.ts';
import type { Form } from './fileVersions.ts';
import { runAtOnce, type Steps } from './steppedWork.ts';

export interface CommitMeta {
  readonly origin: Origin;
  readonly op?: string | undefined;
  /** What the operation id was given for (operationIntent.ts), journaled with it. */
  readonly opFor?: string | undefined;
  readonly note?: string | undefined;
  readonly intent?: string | undefined;
  /**
   * The commit absorbs another program's version of the file: after it, the file was that
   * version, which differs from the state in these records (undefined: the file lacked it).
   */
  readonly fileDiffers?: ReadonlyMap<string, Form> | undefined;
  /** When that version of the file was written (its mtime, ms since the epoch). */
  readonly fileWritten?: number | undefined;
}

export interface CommitChanges {
  readonly puts: readonly StoredRecord[];
  readonly deletes: readonly string[];
  /** The puts are lines from a file, to be journaled exactly as they are (not re-checked). */
  readonly verbatim?: boolean | undefined;
}

/**
 * The journal lines of one commit (one line, or several parts for a very large commit).
 * `current`: the records as they are before the commit (a splice is made against them, and a
 * delete or a move names a record by its identity).
 */
export function encodeCommitLines(
  current: (key: string) => StoredRecord | undefined,
  changes: CommitChanges,
  meta: CommitMeta,
  commit: CommitPlace,
): string[] {
  return runAtOnce(encodeCommitLineSteps(current, changes, meta, commit));
}

/** Where a commit goes in its journal: its first seq, transaction id, time, and the line order it makes. */
export interface CommitPlace {
  readonly firstSeq: number;
  readonly tx: string;
  readonly ts: string;
  readonly moves?: readonly OrderMove[];
}

/** Records encoded between two steps of encodeCommitLineSteps (a step stays well under a millisecond). */
const RECORDS_PER_STEP = 500;

/**
 * encodeCommitLines a step at a time (steppedWork.ts): a journal's first commit holds every
 * record of the file (1.3M at 100k charts, seconds to encode), made a slice at a time before
 * the lock is taken (contextCommit.ts, journalStartInSlices). `current` must not change meanwhile.
 */
export function* encodeCommitLineSteps(current: (key: string) => StoredRecord | undefined, changes: CommitChanges, meta: CommitMeta, commit: CommitPlace): Steps<string[]> {
  // The puts by key, for a move that names a record this commit adds: made only when there are
  // moves (a journal's first commit puts every record of the file: 1.3M at 100k charts).
  let added: Map<string, StoredRecord> | undefined;
  const identity = (key: string) => identityOf((current(key) ?? (added ??= new Map(changes.puts.map((record) => [record.key, record]))).get(key)) as StoredRecord);
  const order = (commit.moves ?? []).map(([key, after]) => [identity(key), after === null ? null : identity(after)]);
  // Gathered into the commit's parts as they come (a whole file adopted: 1.3M texts at 100k charts).
  const texts = new CommitPartBodies();
  let sinceStep = 0;
  for (const record of changes.puts) {
    // An edit of a record already there is journaled as what changed in its line when that is
    // much smaller (a current reality that grows for years).
    const before = current(record.key);
    const splice = before && before.raw !== record.raw && record.kind !== 'line' ? spliceBetween(before.raw, record.raw) : undefined;
    if (splice) texts.add(encodeChangeText({ change: { splice: identityOf(record), ...splice } }));
    else texts.add(encodeChangeText(encodeRecordChange(record, changes.verbatim ? false : undefined)));
    if (++sinceStep === RECORDS_PER_STEP) {
      sinceStep = 0;
      yield;
    }
  }
  for (const key of changes.deletes) {
    const record = current(key);
    if (record) texts.add(encodeChangeText({ change: { del: identityOf(record) } }));
  }
  const lines: string[] = [];
  const parts = encodeCommitPartBodies(
    {
      ts: commit.ts,
      tx: commit.tx,
      origin: meta.origin,
      ...(meta.op === undefined ? {} : { op: meta.op }),
      ...(meta.op === undefined || meta.opFor === undefined ? {} : { opFor: meta.opFor }),
      ...(meta.intent === undefined ? {} : { intent: meta.intent }),
      ...(meta.note === undefined ? {} : { note: meta.note }),
      ...(order.length === 0 ? {} : { order: order as JournalCommit['order'] }),
      ...(meta.fileDiffers === undefined ? {} : { fileDiffers: encodeFileDiffers(meta.fileDiffers) }),
      ...(meta.fileWritten === undefined ? {} : { fileWritten: new Date(meta.fileWritten).toISOString() }),
    },
    commit.firstSeq,
    texts,
  );
  // Each part (up to 4 MB) sealed with its checksum in a step of its own.
  for (const line of parts) {
    lines.push(line);
    if (texts.count > RECORDS_PER_STEP) yield;
  }
  return lines;
}

/** A version's differences from the state, as journal changes (a record the file lacked: `del`). */
function encodeFileDiffers(differs: ReadonlyMap<string, Form>): Change[] {
  const changes: Change[] = [];
  for (const [key, form] of differs) changes.push(form === undefined ? { del: identityOfKey(key) } : (encodeRecordChange(form, false) as { change: Change }).change);
  return changes;
}

/** The records a commit's `fileDiffers` names: the file's form of each, or undefined where it lacked one. */
export function decodeFileDiffers(changes: readonly Change[]): Map<string, Form> {
  const differs = new Map<string, Form>();
  for (const change of changes) {
    const effect = recordOfChange(change);
    if ('put' in effect) differs.set(effect.put.key, effect.put);
    else differs.set(effect.del, undefined);
  }
  return differs;
}

/** True when the line's text is exactly what JSON.stringify makes of its value. */
function isCanonicalJson(raw: string): boolean {
  try {
    return JSON.stringify(JSON.parse(raw)) === raw;
  } catch {
    return false;
  }
}

export function encodeRecordChange(record: StoredRecord, canonical = isCanonicalJson(record.raw)): EncodedChange {
  if (record.kind === 'line') return { change: { line: record.raw, n: record.occurrence ?? 1 } };
  if (canonical) return { canonicalRecord: record.raw };
  return { change: { line: record.raw } };
}
