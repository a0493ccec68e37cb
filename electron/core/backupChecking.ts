// Reading a backup back and checking it: one file's bytes against its size and checksum, a
// whole backup against its manifest (verifyBackup, which keeps the result in its check.json),
// and a context's records as the backup holds them. Apart from the listing (backups.ts) because
// it is what creating (the read-back), restoring, the plain copies and pruning each lean on.
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Engine } from './engine.ts';
import { rootPaths, validateContextName } from './dataRoot.ts';
import { parseContextBytes } from './contextFile.ts';
import { isLastRewrite, recordsFromBackedUpJournal } from './backupJournalState.ts';
import type { StoredRecord } from './records.ts';
import { manifestProblems, readBackupEntry } from './backupManifest.ts';
import { readObject } from './backupObjects.ts';
import { replaceFileAtomically } from './atomicFile.ts';
import { runAtOnce, type Steps } from './steppedWork.ts';
import { CHECK, findBackup, type BackupCheck, type BackupFile, type BackupInfo, type BackupPiece } from './backups.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const isContextName = (name: string) => {
  try {
    validateContextName(name);
    return true;
  } catch {
    return false;
  }
};

/** Why this backup's manifest may not be used: entries naming anything but plain files inside it. */
export function unsafeEntries(info: BackupInfo): string[] {
  return manifestProblems(info.files, isContextName);
}

/** One file of a backup: its bytes, checked against its size and checksum, or why they cannot be used. */
export function readBackupFile(engine: Engine, info: BackupInfo, file: BackupFile): { bytes: Buffer } | { problem: string } {
  const { backups } = rootPaths(engine.layout);
  let bytes: Buffer;
  if (file.chunks) {
    const parts: Buffer[] = [];
    for (const [i, piece] of file.chunks.entries()) {
      const read = readObject(engine.fs, backups, piece.sha256, piece.size);
      if ('problem' in read) return { problem: `${file.path}, piece ${i + 1} of ${file.chunks.length}: ${read.problem}` };
      parts.push(read.bytes);
    }
    bytes = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  } else {
    const read = readBackupEntry(engine.fs, path.join(backups, info.id), file.path);
    if (typeof read === 'string') return { problem: read };
    if (!read) return { problem: `${file.path} is missing` };
    bytes = read;
  }
  if (bytes.length !== file.size) return { problem: `${file.path} has ${bytes.length} bytes, expected ${file.size}` };
  if (sha256(bytes) !== file.sha256) return { problem: `${file.path} does not match its checksum` };
  return { bytes };
}

/**
 * Reads every file of a backup back and checks it: each piece against its own checksum, each
 * file against its size and SHA-256 (hashed piece by piece: a large file is never held whole).
 * `dir` is the backup's folder (its `.partial` one while it is being made).
 */
function checkFiles(engine: Engine, dir: string, info: BackupInfo): string[] {
  return runAtOnce(checkFileSteps(engine, dir, info.files));
}

/** checkFiles a piece per step (backupCreation.ts reads a new backup back in slices). */
export function* checkFileSteps(engine: Engine, dir: string, files: readonly BackupFile[], progress?: (done: number) => void): Steps<string[]> {
  const { backups } = rootPaths(engine.layout);
  const problems: string[] = [];
  let done = 0;
  for (const file of files) {
    if (!file.chunks) {
      const read = readBackupEntry(engine.fs, dir, file.path);
      if (typeof read === 'string') problems.push(read);
      else if (!read) problems.push(`${file.path} is missing`);
      else if (read.length !== file.size) problems.push(`${file.path} has ${read.length} bytes, expected ${file.size}`);
      else if (sha256(read) !== file.sha256) problems.push(`${file.path} does not match its checksum`);
      done += file.size;
      progress?.(done);
      yield;
      continue;
    }
    const whole = createHash('sha256');
    let size = 0;
    let bad: string | undefined;
    for (const [i, piece] of file.chunks.entries()) {
      const read = readObject(engine.fs, backups, piece.sha256, piece.size);
      if ('problem' in read) {
        bad = `${file.path}, piece ${i + 1} of ${file.chunks.length}: ${read.problem}`;
        break;
      }
      whole.update(read.bytes);
      size += read.bytes.length;
      done += read.bytes.length;
      progress?.(done);
      yield;
    }
    if (bad) problems.push(bad);
    else if (size !== file.size) problems.push(`${file.path} has ${size} bytes, expected ${file.size}`);
    else if (whole.digest('hex') !== file.sha256) problems.push(`${file.path} does not match its checksum`);
  }
  return problems;
}

/**
 * Checks a backup against its checksums, and (unless the engine may not write, or `record` is
 * false) keeps the result in its check.json: when a backup last verified is shown from it.
 */
export function verifyBackup(engine: Engine, id: string, options: { record?: boolean; now?: Date } = {}): BackupCheck {
  const info = findBackup(engine, id);
  const dir = path.join(rootPaths(engine.layout).backups, id);
  // A manifest that names files outside the backup is reported, and none of its files is read.
  const unsafe = unsafeEntries(info);
  const problems = unsafe.length > 0 ? unsafe : checkFiles(engine, dir, info);
  const check = { id, ok: problems.length === 0, problems };
  if (options.record !== false && !engine.readOnly && unsafe.length === 0) {
    try {
      replaceFileAtomically(engine.fs, path.join(dir, CHECK), JSON.stringify({ at: (options.now ?? new Date()).toISOString(), ok: check.ok, problems }));
    } catch {
      // The check itself is reported; only its record for the backups list is missing.
    }
  }
  return check;
}

/**
 * The records of a context as a backup holds them: its file's, or its journal's where the file
 * is missing, damaged or behind the journal (backupJournalState.ts). Undefined when the backup
 * lacks the context or what would be read is damaged.
 */
export function readBackupContext(engine: Engine, info: BackupInfo, context: string, fileBytes?: Buffer): { readonly map: ReadonlyMap<string, StoredRecord>; readonly fromJournal?: true } | undefined {
  if (unsafeEntries(info).length > 0) return undefined;
  const file = info.files.find((f) => f.context === context && f.role === 'context');
  const journal = info.files.find((f) => f.context === context && f.role === 'journal');
  // `fileBytes`: the caller read the file already (the plain copies); it is not read twice.
  const fileRead = fileBytes !== undefined ? { bytes: fileBytes } : file ? readBackupFile(engine, info, file) : undefined;
  if (fileRead && !('bytes' in fileRead)) return undefined;
  const journalRead = journal ? readBackupFile(engine, info, journal) : undefined;
  const journalBytes = journalRead && 'bytes' in journalRead ? journalRead.bytes : undefined;
  // A journal copy that cannot be read: the file alone says what the context held only when the
  // journal's readable end shows it is its last rewrite; else the file may be behind it (its
  // records were restored, exit 0, and what only the journal held was gone).
  if (journal && !journalBytes && !(file && fileRead && journalEndsWithRewrite(engine, journal, file))) return undefined;
  // The usual backup, taken just after a rewrite: the file's records, parsed only if asked for.
  if (file && fileRead && journal && (!journalBytes || isLastRewrite(journalBytes, file))) {
    const bytes = fileRead.bytes;
    let map: ReadonlyMap<string, StoredRecord> | undefined;
    return {
      get map() {
        map ??= parseContextBytes(bytes).map;
        return map;
      },
    };
  }
  const parsed = fileRead ? parseContextBytes(fileRead.bytes) : undefined;
  if (journalBytes) {
    const records = recordsFromBackedUpJournal(journalBytes, file && parsed ? { size: file.size, crc32: file.crc32, damagedLines: parsed.bad.length, records: parsed.map } : undefined);
    if (records) return { map: records, fromJournal: true };
  }
  return parsed;
}

/**
 * Why a backup's copy of a context cannot be restored or previewed, or undefined when it can: a
 * file that does not read, or a journal that does not read (and is not known to end with the
 * file's rewrite): restored from the file alone, what was committed after it would be lost.
 */
export function unreadableContext(engine: Engine, info: BackupInfo, context: string): string | undefined {
  const file = info.files.find((f) => f.context === context && f.role === 'context');
  const journal = info.files.find((f) => f.context === context && f.role === 'journal');
  const fileRead = file ? readBackupFile(engine, info, file) : undefined;
  if (fileRead && 'problem' in fileRead) return fileRead.problem;
  const journalRead = journal ? readBackupFile(engine, info, journal) : undefined;
  if (!journal || !journalRead || !('problem' in journalRead)) return undefined;
  if (file && journalEndsWithRewrite(engine, journal, file)) return undefined;
  return `its copy of the journal cannot be read (${journalRead.problem}), and ${file ? `its copy of the context file (${file.path}) may be behind it: restored alone, it would leave out what was committed after its last rewrite` : 'it holds no context file'}`;
}

/**
 * True when the journal copy's readable last pieces (each checked against its own hash) end
 * with a rewrite that is this file, nothing committed after: the file says everything then,
 * though an earlier piece of the journal is lost.
 */
function journalEndsWithRewrite(engine: Engine, journal: BackupFile, file: BackupFile): boolean {
  if (!journal.chunks) return false;
  const { backups } = rootPaths(engine.layout);
  const tail: Buffer[] = [];
  for (let i = journal.chunks.length - 1; i >= 0; i -= 1) {
    const piece = journal.chunks[i] as BackupPiece;
    const read = readObject(engine.fs, backups, piece.sha256, piece.size);
    if ('problem' in read) break;
    tail.unshift(read.bytes);
  }
  // Every piece read: the whole file did not match its checksum, and no part of it is trusted.
  if (tail.length === 0 || tail.length === journal.chunks.length) return false;
  const bytes = Buffer.concat(tail);
  // The first line may begin in a lost piece: only what follows its end is whole.
  const start = bytes.indexOf(10) + 1;
  return start > 0 && isLastRewrite(bytes.subarray(start), file);
}
