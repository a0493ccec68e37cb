// History from the journal: every version of a record, oldest first, with when, by whom
// (this app, the CLI, another program found to have changed the file, a recovery, a restore)
// and as part of which transaction.
import { forEachJournalEntry } from './journalFile.ts';
import { replayEntries } from './journalEntriesReplay.ts';
import type { JournalCommit, Origin } from './journalFormat.ts';
import type { FileSystem } from './fileSystem.ts';
import type { StoredRecord } from './records.ts';
import type { ContextStore } from './contextStore.ts';
import type { RecordChange } from '../../shared/domain.ts';

export interface RecordVersion {
  readonly seq: number;
  readonly ts: string;
  readonly origin: Origin;
  readonly tx: string;
  readonly op?: string;
  readonly note?: string;
  readonly action: 'set' | 'delete';
  /** Seen in the context file (another program's change) but not yet saved in the journal. */
  readonly pending?: true;
  /** The record as it was from this version on (absent for a deletion, and for a record over 64 KB). */
  readonly value?: Record<string, unknown>;
  /** What this version changed in the record (absent when it made or removed it). */
  readonly changed?: RecordChange;
}

/** Paging of a history: the newest `limit` versions older than journal entry `before`. */
export interface HistoryPage {
  readonly limit: number;
  readonly before?: number | undefined;
  /** Set by historyOf: true when older versions were left out. */
  more?: boolean;
}

/**
 * Every version of the records whose keys pass `wanted`, from the journal at `journalPath`,
 * oldest first; with `page`, only the newest `page.limit` of them (older than `page.before`).
 * The journal is read a chunk at a time, and only the wanted records' current lines are kept
 * (to apply edits journaled as splices), so memory stays bounded by what is returned.
 */
export function historyOf(fsys: FileSystem, journalPath: string, wanted: (key: string) => boolean, page?: HistoryPage): Map<string, RecordVersion[]> {
  const inPage = (entry: JournalCommit) => page?.before === undefined || entry.seq < page.before;
  // First pass: how many versions there are (keys only), so the second builds only the page's.
  let total = 0;
  if (page) replayWanted(fsys, journalPath, wanted, (_key, entry) => void (inPage(entry) && (total += 1)), { keysOnly: true });
  const first = page ? Math.max(0, total - page.limit) : 0;
  if (page) page.more = first > 0;
  const versions = new Map<string, RecordVersion[]>();
  let index = 0;
  replayWanted(fsys, journalPath, wanted, (key, entry, record, before) => {
    if (!inPage(entry)) return;
    index += 1;
    if (index <= first) return;
    let list = versions.get(key);
    if (!list) versions.set(key, (list = []));
    list.push({
      seq: entry.seq,
      ts: entry.ts,
      origin: entry.origin,
      tx: entry.tx,
      ...(entry.op === undefined ? {} : { op: entry.op }),
      ...(entry.note === undefined ? {} : { note: entry.note }),
      action: record ? 'set' : 'delete',
      // A large record's every version in full would not fit in memory: what changed instead.
      ...(record && record.raw.length <= FULL_VALUE_CHARS ? { value: valueOf(record) } : {}),
      ...(record && before ? { changed: changeOf(before, record) } : {}),
    });
  });
  return versions;
}

/** Versions of a record longer than this carry what changed, not the whole record. */
export const FULL_VALUE_CHARS = 64 * 1024;

export function changeOf(before: StoredRecord, after: StoredRecord): RecordChange {
  const a = valueOf(before);
  const b = valueOf(after);
  const out: { observationsAdded?: unknown[]; observationsRemoved?: unknown[]; set?: Record<string, unknown>; removed?: string[] } = {};
  if (Array.isArray(a.observations) || Array.isArray(b.observations)) {
    const left = Array.isArray(a.observations) ? a.observations.map((o) => JSON.stringify(o)) : [];
    const right = Array.isArray(b.observations) ? b.observations.map((o) => JSON.stringify(o)) : [];
    const counts = new Map<string, number>();
    for (const o of left) counts.set(o, (counts.get(o) ?? 0) + 1);
    const added: unknown[] = [];
    for (const o of right) {
      const n = counts.get(o) ?? 0;
      if (n > 0) counts.set(o, n - 1);
      else added.push(JSON.parse(o));
    }
    const removed = [...counts].flatMap(([o, n]) => Array.from({ length: n }, () => JSON.parse(o) as unknown));
    if (added.length > 0) out.observationsAdded = added;
    if (removed.length > 0) out.observationsRemoved = removed;
  }
  const flat = (value: Record<string, unknown>) => {
    const fields = new Map<string, string>();
    for (const [field, v] of Object.entries(value)) {
      if (field === 'observations') continue;
      if (field === 'metadata' && typeof v === 'object' && v !== null && !Array.isArray(v)) for (const [key, inner] of Object.entries(v)) fields.set(`metadata.${key}`, JSON.stringify(inner));
      else fields.set(field, JSON.stringify(v));
    }
    return fields;
  };
  const fa = flat(a);
  const fb = flat(b);
  for (const [field, v] of fb) if (fa.get(field) !== v) (out.set ??= {})[field] = JSON.parse(v) as unknown;
  for (const field of fa.keys()) if (!fb.has(field)) (out.removed ??= []).push(field);
  return out;
}

/** The wanted records as they were at `time` (the last version of each no later than then), read as historyOf reads. */
export function recordsAsOf(fsys: FileSystem, journalPath: string, wanted: (key: string) => boolean, time: number): Map<string, StoredRecord> {
  const records = new Map<string, StoredRecord>();
  replayWanted(fsys, journalPath, wanted, (key, entry, record) => {
    if (Date.parse(entry.ts) > time) return;
    if (record) records.set(key, record);
    else records.delete(key);
  });
  return records;
}

/**
 * Replays the journal for the wanted records only, calling `visit` with each change to one of
 * them (the record after it, or undefined for a deletion, and the record before it). A
 * multi-part commit counts only once its last part is read (an incomplete one at the end was
 * never acknowledged). Memory holds the wanted records' current versions only (recently
 * deleted things, recentlyDeleted.ts, are read this way too).
 */
export function replayWanted(
  fsys: FileSystem,
  journalPath: string,
  wanted: (key: string) => boolean,
  visit: (key: string, entry: JournalCommit, record: StoredRecord | undefined, before: StoredRecord | undefined) => void,
  options: { keysOnly?: boolean } = {},
): void {
  replayEntries((each) => forEachJournalEntry(fsys, journalPath, each), wanted, visit, options);
}

function valueOf(record: StoredRecord): Record<string, unknown> {
  try {
    return JSON.parse(record.raw) as Record<string, unknown>;
  } catch {
    return { line: record.raw };
  }
}

/**
 * Adds to `versions` the changes a read-only process saw in the context file but could not
 * journal: another program's change, shown as pending rather than as nothing.
 */
export function withPendingChanges(versions: Map<string, RecordVersion[]>, store: ContextStore, wanted: (key: string) => boolean): Map<string, RecordVersion[]> {
  for (const [key, seen] of store.unjournaledChanges()) {
    if (!wanted(key)) continue;
    const record = store.state.get(key);
    const version: RecordVersion = {
      seq: store.seq,
      ts: seen.ts,
      origin: 'external',
      tx: 'pending',
      note: seen.note,
      action: record ? 'set' : 'delete',
      ...(record ? { value: valueOf(record) } : {}),
      pending: true,
    };
    let list = versions.get(key);
    if (!list) versions.set(key, (list = []));
    list.push(version);
  }
  return versions;
}
