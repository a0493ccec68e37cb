// History from the journal: every version of a record, oldest first, with when, by whom
// (this app, the CLI, another program found to have changed the file, a recovery, a restore)
// and as part of which transaction.
import { readJournal } from './journalFile.ts';
import { recordOfChange } from './recordSet.ts';
import type { Origin } from './journalFormat.ts';
import type { FileSystem } from './fileSystem.ts';
import type { StoredRecord } from './records.ts';
import type { ContextStore } from './contextStore.ts';

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
  /** The record as it was from this version on (absent for a deletion). */
  readonly value?: Record<string, unknown>;
}

/** Every version of the records whose keys pass `wanted`, from the journal at `journalPath`. */
export function historyOf(fsys: FileSystem, journalPath: string, wanted: (key: string) => boolean): Map<string, RecordVersion[]> {
  const versions = new Map<string, RecordVersion[]>();
  const journal = readJournal(fsys, journalPath, 0);
  for (const { entry } of journal.entries) {
    if (entry.kind !== 'commit') continue;
    for (const change of entry.changes) {
      const effect = recordOfChange(change);
      const key = 'put' in effect ? effect.put.key : effect.del;
      if (!wanted(key)) continue;
      const version: RecordVersion = {
        seq: entry.seq,
        ts: entry.ts,
        origin: entry.origin,
        tx: entry.tx,
        ...(entry.op === undefined ? {} : { op: entry.op }),
        ...(entry.note === undefined ? {} : { note: entry.note }),
        action: 'put' in effect ? 'set' : 'delete',
        ...('put' in effect ? { value: valueOf(effect.put) } : {}),
      };
      let list = versions.get(key);
      if (!list) versions.set(key, (list = []));
      list.push(version);
    }
  }
  return versions;
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
