// What a context held when a backup was made, when its backed-up file does not say it whole.
// A backup copies each context file with its journal. The file can be behind the journal (the
// rewrite before the backup failed: a full disk) or damaged (the safety backup a repair makes
// first holds the damage it repairs); restored from the file alone, the records only the
// journal held were lost. The journal's copy says what every acknowledged commit made.
import { splitLines } from './lineSplitter.ts';
import { decodeJournalLine, type JournalEntry } from './journalFormat.ts';
import { replayEntries } from './journalEntriesReplay.ts';
import type { StoredRecord } from './records.ts';
import { keyOfChange } from './journalChanges.ts';

export interface BackedUpFile {
  readonly size: number;
  readonly crc32: string;
  /** The file's lines that did not read (parseContextBytes `bad`). */
  readonly damagedLines: number;
  /** The records its good lines hold. */
  readonly records: ReadonlyMap<string, StoredRecord>;
}

/**
 * The records the backup's journal holds, where they should be taken over the backed-up file:
 * the file is missing, damaged, or one of our earlier rewrites (behind the journal's commits).
 * Undefined when the file is to be read as it is: it is the journal's last rewrite with nothing
 * committed after it, or another program's version the journal never took in (it holds changes
 * the journal lacks). A damaged line of the journal's copy is passed over, and a record of the
 * file that its good lines lack, and that no good line after the file's rewrite touched, is
 * kept: what the bad line held is unknown, and a record that may be a deleted one comes back
 * rather than one that may be acknowledged going (one a good line deleted stays deleted).
 */
export function recordsFromBackedUpJournal(journal: Buffer, file: BackedUpFile | undefined): Map<string, StoredRecord> | undefined {
  // The usual backup: taken just after a rewrite, its file the journal's last one. Told from the
  // journal's last lines, without reading the rest (hundreds of MB at 100k charts).
  if (file !== undefined && file.damagedLines === 0 && lastRewriteOf(journal) === `${file.size}:${file.crc32}`) return undefined;
  const entries: JournalEntry[] = [];
  let damaged = false;
  for (const line of splitLines(journal)) {
    // An unfinished last line was never acknowledged.
    if (!line.terminated || line.text.trim() === '') continue;
    const decoded = line.utf8 ? decodeJournalLine(line.text) : undefined;
    if (decoded?.ok) entries.push(decoded.entry);
    else damaged = true;
  }
  const snapshots = entries.flatMap((entry) => (entry.kind === 'snapshot' ? [`${entry.fileSize}:${entry.fileCrc}`] : []));
  const last = entries.findLastIndex((entry) => entry.kind === 'snapshot');
  const committedAfter = entries.slice(last + 1).some((entry) => entry.kind === 'commit');
  if (file !== undefined && file.damagedLines === 0) {
    const version = `${file.size}:${file.crc32}`;
    if (!snapshots.includes(version)) return undefined;
    if (snapshots.at(-1) === version && !committedAfter) return undefined;
  }
  const records = new Map<string, StoredRecord>();
  replayEntries(
    (each) => entries.forEach(each),
    () => true,
    (key, _entry, record) => {
      if (record) records.set(key, record);
      else records.delete(key);
    },
  );
  if (damaged && file) {
    // What a readable entry after the file's rewrite did to a record is known (a deletion
    // included): only records no such entry touched may be what a bad line held.
    const rewrite = file.damagedLines === 0 ? entries.findLastIndex((entry) => entry.kind === 'snapshot' && `${entry.fileSize}:${entry.fileCrc}` === `${file.size}:${file.crc32}`) : -1;
    const touched = new Set(entries.slice(rewrite + 1).flatMap((entry) => (entry.kind === 'commit' ? entry.changes.map(keyOfChange) : [])));
    for (const [key, record] of file.records) if (!records.has(key) && !touched.has(key)) records.set(key, record);
  }
  return records;
}

/**
 * True when the backed-up file is the journal's last rewrite with nothing committed after it:
 * the file says everything, and need not be parsed to know it (a file we wrote is never damaged).
 */
export function isLastRewrite(journal: Buffer, file: { readonly size: number; readonly crc32: string }): boolean {
  return lastRewriteOf(journal) === `${file.size}:${file.crc32}`;
}

/** The file version (`size:crc`) of the journal's last snapshot line when no commit follows it; undefined otherwise. */
function lastRewriteOf(journal: Buffer): string | undefined {
  // The last newline ends the last complete line (what follows it was never acknowledged).
  let end = journal.lastIndexOf(10);
  while (end > 0) {
    const start = journal.lastIndexOf(10, end - 1) + 1;
    const text = journal.toString('utf8', start, end);
    end = start - 1;
    if (text.trim() === '') continue;
    const decoded = decodeJournalLine(text);
    if (!decoded.ok) return undefined;
    if (decoded.entry.kind === 'snapshot') return `${decoded.entry.fileSize}:${decoded.entry.fileCrc}`;
    if (decoded.entry.kind === 'commit') return undefined;
  }
  return undefined;
}
