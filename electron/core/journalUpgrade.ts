// Journal format upgrades, on open by a writer, after a backup: format 0 (no header line, its
// first line a commit) gets the header in front; format 1 (no `splice` changes) gets its header
// line replaced. The rest of the journal is copied as it is. A journal newer than this version
// is never touched: the context opens read-only (contextLoading.ts).
import path from 'node:path';
import type { Engine } from './engine.ts';
import { contextPaths } from './dataRoot.ts';
import { JOURNAL_FORMAT, decodeJournalLine, encodeHeader, type JournalEntry } from './journalFormat.ts';
import { removeQuietly, writeVerifiedTemp } from './atomicFile.ts';
import { syncDirectory } from './fileSystem.ts';
import { createBackupUnderLock } from './backups.ts';
import { fromSystemError } from './errors.ts';
import { removeCheckpoint } from './checkpointFile.ts';

/** Under the lock: upgrades the context's journal if it is of an older format. Returns true if it did. */
export function upgradeJournalIfOld(engine: Engine, context: string): boolean {
  const paths = contextPaths(engine.layout, context);
  const first = readFirstLine(engine, paths.journal);
  if (first === undefined) return false;
  const { entry, length } = first;
  // Format 0 has no header: the header goes in front. Format 1 lacks `splice` changes (a
  // reader that knows only 1 would take them for damage): its header line is replaced.
  const from = entry.kind === 'header' ? entry.format : 0;
  if (from >= JOURNAL_FORMAT) return false;
  const backup = createBackupUnderLock(engine, `before upgrading ${path.basename(paths.journal)} from format ${from}`, { flush: false });
  const created = entry.kind === 'header' ? entry.created : entry.ts;
  const keepFrom = entry.kind === 'header' ? length : 0;
  const written = writeVerifiedTemp(engine.fs, paths.journal, [Buffer.from(encodeHeader(context, created)), ...chunksOf(engine, paths.journal, keepFrom)]);
  try {
    engine.fs.renameSync(written.tmp, paths.journal);
  } catch (error) {
    removeQuietly(engine.fs, written.tmp);
    throw error;
  }
  syncDirectory(engine.fs, path.dirname(paths.journal));
  removeCheckpoint(engine.fs, paths.checkpoint);
  engine.recovery.log(`upgraded ${path.basename(paths.journal)} from format ${from} to ${JOURNAL_FORMAT}; backup ${backup.id} holds the old one`);
  return true;
}

/** The journal's bytes from `from` on, a chunk at a time (journals can be large). */
function* chunksOf(engine: Engine, file: string, from: number): Generator<Buffer> {
  const fd = engine.fs.openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    for (let position = from; ; ) {
      const n = engine.fs.readSync(fd, chunk, 0, chunk.length, position);
      if (n <= 0) return;
      position += n;
      yield Buffer.from(chunk.subarray(0, n));
    }
  } finally {
    engine.fs.closeSync(fd);
  }
}

/** The journal's first entry and the length of its line (newline included), reading only that line (the rest may be huge). */
function readFirstLine(engine: Engine, file: string): { entry: JournalEntry; length: number } | undefined {
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
        const line = Buffer.concat(chunks);
        const decoded = decodeJournalLine(line.toString('utf8'));
        return decoded.ok ? { entry: decoded.entry, length: line.length + 1 } : undefined;
      }
      position += n;
    }
  } finally {
    engine.fs.closeSync(fd);
  }
}
