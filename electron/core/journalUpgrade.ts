// Journal format upgrades. Format 0 was a journal without a header line (its first line a
// commit); it is upgraded on open, after a backup, by writing the header in front. A journal
// newer than this version is never touched: the context opens read-only (contextStore.ts).
import path from 'node:path';
import type { Engine } from './engine.ts';
import { contextPaths } from './dataRoot.ts';
import { decodeJournalLine, encodeHeader, type JournalEntry } from './journalFormat.ts';
import { replaceFileAtomically } from './atomicFile.ts';
import { createBackupUnderLock } from './backups.ts';
import { fromSystemError } from './errors.ts';

/** Under the lock: upgrades the context's journal if it is of an older format. Returns true if it did. */
export function upgradeJournalIfOld(engine: Engine, context: string): boolean {
  const paths = contextPaths(engine.layout, context);
  const first = readFirstEntry(engine, paths.journal);
  if (first === undefined || first.kind === 'header') return false;
  const backup = createBackupUnderLock(engine, `before upgrading ${path.basename(paths.journal)} from format 0`, { flush: false });
  const old = engine.fs.readFileSync(paths.journal);
  const created = first.ts;
  replaceFileAtomically(engine.fs, paths.journal, Buffer.concat([Buffer.from(encodeHeader(context, created)), old]));
  engine.fs.rmSync(paths.checkpoint, { recursive: false, force: true });
  engine.recovery.log(`upgraded ${path.basename(paths.journal)} from format 0 (no header) to the current format; backup ${backup.id} holds the old one`);
  return true;
}

/** The journal's first entry, reading only as far as its first line (the rest may be huge). */
function readFirstEntry(engine: Engine, file: string): JournalEntry | undefined {
  let fd: number;
  try {
    fd = engine.fs.openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fromSystemError(error, 'Reading the journal', file, 'Nothing was changed.');
  }
  try {
    const chunks: Buffer[] = [];
    const chunk = Buffer.alloc(64 * 1024);
    for (let position = 0; ; ) {
      const n = engine.fs.readSync(fd, chunk, 0, chunk.length, position);
      if (n <= 0) return undefined;
      const newline = chunk.subarray(0, n).indexOf(10);
      chunks.push(Buffer.from(chunk.subarray(0, newline === -1 ? n : newline)));
      if (newline !== -1) {
        const decoded = decodeJournalLine(Buffer.concat(chunks).toString('utf8'));
        return decoded.ok ? decoded.entry : undefined;
      }
      position += n;
    }
  } finally {
    engine.fs.closeSync(fd);
  }
}
