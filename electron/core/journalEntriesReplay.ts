// Replaying journal entries for some records: each change to a wanted record handed over with the
// record before and after it, a multi-part commit only once its last part is read. Shared by
// history (history.ts, from the journal file) and by what a backup's journal copy held
// (backupJournalState.ts, from bytes), without the rest of history's reading.
import { SpliceMismatch, keyOfChange, recordOfChange } from './journalChanges.ts';
import type { JournalCommit, JournalEntry } from './journalFormat.ts';
import { asOpaque, type StoredRecord } from './records.ts';

/** history.ts replayWanted over any source of journal entries in order (a journal's bytes held in memory: a backup's copy). */
export function replayEntries(
  entries: (each: (entry: JournalEntry) => void) => void,
  wanted: (key: string) => boolean,
  visit: (key: string, entry: JournalCommit, record: StoredRecord | undefined, before: StoredRecord | undefined) => void,
  options: { keysOnly?: boolean } = {},
): void {
  const current = new Map<string, StoredRecord>();
  let group: { tx: string; effects: [string, JournalCommit, StoredRecord | undefined][] } | undefined;
  const apply = (key: string, entry: JournalCommit, record: StoredRecord | undefined) => {
    const before = current.get(key);
    if (record) current.set(key, record);
    else current.delete(key);
    visit(key, entry, record, before);
  };
  entries((entry) => {
    if (entry.kind !== 'commit') return;
    if (group && (entry.tx !== group.tx || entry.parts === undefined)) group = undefined; // an incomplete group: never applied
    if (entry.parts !== undefined && !group) group = { tx: entry.tx, effects: [] };
    // Within an open group, the records as its earlier parts left them (splices build on them).
    const look = (key: string) => {
      const pending = group?.effects.filter(([k]) => k === key).at(-1);
      return pending ? pending[2] : current.get(key);
    };
    for (const change of entry.changes) {
      const key = keyOfChange(change);
      if (!wanted(key)) continue;
      let record: StoredRecord | undefined;
      if (options.keysOnly) record = change.del ? undefined : (current.get(key) ?? PLACEHOLDER);
      else {
        try {
          const effect = recordOfChange(change, look);
          record = 'put' in effect ? effect.put : undefined;
        } catch (error) {
          if (error instanceof SpliceMismatch) continue; // journal damage: verify and recover report it
          throw error;
        }
      }
      if (group) group.effects.push([key, entry, record]);
      else apply(key, entry, record);
    }
    if (group && entry.part === entry.parts) {
      for (const [key, commit, record] of group.effects) apply(key, commit, record);
      group = undefined;
    }
  });
}

/** Stands for "some record" when only keys are counted. */
const PLACEHOLDER = asOpaque('', 1);
