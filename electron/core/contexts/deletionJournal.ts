// A context's deletions and their undoing, as its journal tells them: a deleting commit (op
// `delete-context:<name>:<id>`, its note naming the backup taken first) and a restoring one
// (its note). Read by a restore (which deletion it undoes) and by a deletion's retry (done,
// undone since, or an operation id another change used). A commit counts only when both its op
// and its whole note say so: any command takes an --op from its caller, and a note can hold a
// file's or a chart's name ("import of <file>"), so either alone could be made by another command.
import type { FileSystem } from '../fileSystem.ts';
import type { JournalCommit } from '../journalFormat.ts';
import { forEachJournalEntry } from '../journalFile.ts';

const DELETED_HEAD = (context: string) => `Context ${context} deleted (backup `;
const DELETED_TAIL = ' taken first)';

/** The note of a context deletion's commit, which names the backup taken first. */
export function deletionCommitNote(context: string, backup: string): string {
  return `${DELETED_HEAD(context)}${backup}${DELETED_TAIL}`;
}

/** The note of a restore's commit (older versions wrote it too, under the caller's op alone). */
export const restoredNote = (context: string) => `Context ${context} restored (its deletion undone)`;

/** The backup a deletion of `context` names, or undefined when the commit is not such a deletion. */
function deletionBackup(entry: JournalCommit, context: string): string | undefined {
  const note = entry.note ?? '';
  if (!entry.op?.startsWith(`delete-context:${context}:`) || !note.startsWith(DELETED_HEAD(context)) || !note.endsWith(DELETED_TAIL)) return undefined;
  const backup = note.slice(DELETED_HEAD(context).length, note.length - DELETED_TAIL.length);
  return /^\S+$/.test(backup) ? backup : undefined;
}

export interface JournalDeletion {
  readonly op: string;
  readonly tx: string;
  readonly backup: string;
  /** The restore that undid it: its op (an older version's is the caller's alone), and where it stands among the journal's commits. */
  undoneBy?: { readonly op: string | undefined; readonly tx: string; readonly ts: string; readonly at: number };
}

/**
 * Every deletion of the context, in journal order, each with the restore that undid it. Each
 * restore undoes the newest deletion not yet undone, so the journal reads as a stack: a
 * deleting commit pushes, a restoring one pops.
 */
export function deletionsIn(fsys: FileSystem, journal: string, context: string): JournalDeletion[] {
  const all: JournalDeletion[] = [];
  const open: JournalDeletion[] = [];
  let lastTx: string | undefined;
  let at = 0;
  forEachJournalEntry(fsys, journal, (entry) => {
    if (entry.kind !== 'commit' || entry.tx === lastTx) return; // the parts of one large commit count once
    lastTx = entry.tx;
    at += 1;
    const backup = deletionBackup(entry, context);
    if (backup !== undefined) {
      const deletion: JournalDeletion = { op: entry.op as string, tx: entry.tx, backup };
      all.push(deletion);
      open.push(deletion);
    } else if (entry.note === restoredNote(context)) {
      const undone = open.pop();
      if (undone) undone.undoneBy = { op: entry.op, tx: entry.tx, ts: entry.ts, at };
    }
  });
  return all;
}
