// Where each context's journal stood when a restore's safety backup was taken, and what was
// committed to it since. A restore takes its safety backup under one hold of the lock and
// commits under another: between them the lock is let go (a lease is held at most
// LEASE_MAX_MS, engine.ts), and another process, or work queued in the app, may commit. The
// restore would then replace that change while saying "what it replaced is in backup S", which
// does not hold it. So the restore's commit, under its own hold of the lock, first asks what was
// committed since the mark, and is refused (CONFLICT, nothing changed) when that touches what it
// would replace. A refusal rather than one hold for both: the engine commits only under a
// hold of its own, and a backup of a large folder should not keep every writer waiting; a
// retry is a second safety backup, which costs little (its pieces are shared).
import type { Engine } from './engine.ts';
import { EngineError, errnoOf } from './errors.ts';
import { contextPaths } from './dataRoot.ts';
import { splitLines } from './lineSplitter.ts';
import { decodeJournalLine } from './journalFormat.ts';
import { keyOfChange } from './journalChanges.ts';

export interface JournalMark {
  readonly context: string;
  /** The journal's inode and size then; undefined when it had none. */
  readonly at: { readonly ino: bigint; readonly size: number } | undefined;
}

function journalAt(engine: Engine, context: string): JournalMark['at'] {
  try {
    const stat = engine.fs.statSync(contextPaths(engine.layout, context).journal, { bigint: true });
    return { ino: stat.ino, size: Number(stat.size) };
  } catch (error) {
    // No journal; any other failure is the disk's, reported as such (not taken for a change).
    if (errnoOf(error) === 'ENOENT' || errnoOf(error) === 'ENOTDIR') return undefined;
    throw error;
  }
}

/**
 * Under the lock, before the safety backup: the contexts' stores loaded, so that what loading
 * journals (a version another program wrote, the journal's start) is journaled before the
 * backup and is in it, not taken later for a change made since.
 */
export function loadBeforeSafetyBackup(engine: Engine, contexts: readonly string[]): void {
  for (const context of contexts) {
    const paths = contextPaths(engine.layout, context);
    if (engine.fs.existsSync(paths.file) || engine.fs.existsSync(paths.journal)) engine.storeForLockedWork(context);
  }
}

/** Under the lock, just after the safety backup: where each journal stands. */
export function markJournals(engine: Engine, contexts: readonly string[]): JournalMark[] {
  return contexts.map((context) => ({ context, at: journalAt(engine, context) }));
}

/**
 * The keys of the records committed to the context since the mark; 'all' when that cannot be
 * told (the journal was replaced, cut, or a line since does not read); empty when nothing was.
 * Snapshot lines (a rewrite of the file) and a journal's header change nothing.
 */
export function committedSince(engine: Engine, mark: JournalMark): ReadonlySet<string> | 'all' {
  const now = journalAt(engine, mark.context);
  if (!now) return mark.at ? 'all' : new Set();
  if (mark.at && (now.ino !== mark.at.ino || now.size < mark.at.size)) return 'all';
  const from = mark.at?.size ?? 0;
  if (now.size === from) return new Set();
  const bytes = readRange(engine, contextPaths(engine.layout, mark.context).journal, from, now.size);
  if (!bytes) return 'all';
  const keys = new Set<string>();
  for (const line of splitLines(bytes)) {
    // An unfinished last line was never acknowledged.
    if (!line.terminated || line.text.trim() === '') continue;
    const decoded = line.utf8 ? decodeJournalLine(line.text) : undefined;
    if (!decoded?.ok) return 'all';
    if (decoded.entry.kind === 'commit') for (const change of decoded.entry.changes) keys.add(keyOfChange(change));
  }
  return keys;
}

/**
 * The bytes of `file` from `from` to `to` (only what was appended: a journal can be hundreds of
 * MB); undefined when it ends before (cut meanwhile). A failing disk throws, and is reported as such.
 */
function readRange(engine: Engine, file: string, from: number, to: number): Buffer | undefined {
  const fd = engine.fs.openSync(file, 'r');
  try {
    const bytes = Buffer.alloc(to - from);
    let done = 0;
    while (done < bytes.length) {
      const n = engine.fs.readSync(fd, bytes, done, bytes.length - done, from + done);
      if (n <= 0) return undefined;
      done += n;
    }
    return bytes;
  } finally {
    try {
      engine.fs.closeSync(fd);
    } catch {
      // read already; nothing to undo
    }
  }
}

/**
 * Under the commit's lock: refuses the restore when a change committed since the safety backup
 * touches `wouldReplace` (a key set; 'all': any change to the context).
 */
export function refuseIfChangedSince(engine: Engine, mark: JournalMark, safetyId: string, wouldReplace: ReadonlySet<string> | 'all'): void {
  const since = committedSince(engine, mark);
  if (since !== 'all' && since.size === 0) return;
  const touched = since === 'all' || wouldReplace === 'all' || [...since].some((key) => wouldReplace.has(key));
  if (!touched) return;
  throw new EngineError(
    'CONFLICT',
    `Context ${mark.context} was changed by another process or window after backup ${safetyId} was made for this restore, and the restore would have replaced that change, which the backup does not hold. The restore was refused; nothing was changed. Run it again to restore over the current state (a new backup of it is made first).`,
    { file: contextPaths(engine.layout, mark.context).journal, kept: 'Nothing was changed.' },
  );
}
