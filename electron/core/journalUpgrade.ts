// Journal format upgrades. Format 0 was a journal without a header line (its first line a
// commit); it is upgraded on open, after a backup, by writing the header in front. A journal
// newer than this version is never touched: the context opens read-only (contextStore.ts).
import path from 'node:path';
import type { Engine } from './engine.ts';
import { contextPaths } from './dataRoot.ts';
import { readJournal } from './journalFile.ts';
import { encodeHeader } from './journalFormat.ts';
import { replaceFileAtomically } from './atomicFile.ts';
import { createBackupUnderLock } from './backups.ts';

/** Under the lock: upgrades the context's journal if it is of an older format. Returns true if it did. */
export function upgradeJournalIfOld(engine: Engine, context: string): boolean {
  const paths = contextPaths(engine.layout, context);
  const journal = readJournal(engine.fs, paths.journal, 0);
  const first = journal.entries[0]?.entry;
  if (first === undefined || first.kind === 'header') return false;
  const backup = createBackupUnderLock(engine, `before upgrading ${path.basename(paths.journal)} from format 0`, { flush: false });
  const old = engine.fs.readFileSync(paths.journal);
  const created = first.ts;
  replaceFileAtomically(engine.fs, paths.journal, Buffer.concat([Buffer.from(encodeHeader(context, created)), old]));
  engine.fs.rmSync(paths.checkpoint, { recursive: false, force: true });
  engine.recovery.log(`upgraded ${path.basename(paths.journal)} from format 0 (no header) to the current format; backup ${backup.id} holds the old one`);
  return true;
}
