// Backups: a dated folder in .backup/ with a manifest of every context file and journal, their
// sizes and checksums. Since format 2 the files' bytes are pieces in the shared store
// (backupObjects.ts, cut by backupChunks.ts): a piece already stored by an earlier backup is
// not stored again, so backups of data that did not change cost almost nothing. A backup is
// made in `<id>.partial/`, read back and checked, and only then renamed to `<id>/`
// (backupCreation.ts): a folder under its final name is always complete and verified. A restore
// is itself a change, journaled like any other, and it first backs up what it replaces.
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Engine } from './engine.ts';
import { EngineError, errnoOf, fromSystemError } from './errors.ts';
import { rootPaths, validateContextName } from './dataRoot.ts';
import { readFileIfExists, syncDirectory } from './fileSystem.ts';
import { parseContextBytes } from './contextFile.ts';
import { isLastRewrite, recordsFromBackedUpJournal } from './backupJournalState.ts';
import type { StoredRecord } from './records.ts';
import type { RecordSet } from './recordSet.ts';
import { manifestProblems, readBackupEntry } from './backupManifest.ts';
import { OBJECTS_FOLDER, readObject, removeUnreferencedObjects } from './backupObjects.ts';
import type { FreeSpaceProbe } from './freeSpace.ts';
import { replaceFileAtomically } from './atomicFile.ts';
import { safetyCopyHeld, safetyExpiryAfter, lastGoodBackup } from './backupRetention.ts';
import { readSafetyExpiry, writeSafetyExpiry } from './backupSafetyExpiry.ts';
import { readRetiredNote } from './contexts/retiredContexts.ts';
import { takeUpRetiredName } from './contexts/retiredFile.ts';
import { lockHeldByThisProcess } from './rootLock.ts';
import { backupInProgressIn, backupsInProgress } from './backupInProgress.ts';
import { runAtOnce, type Steps } from './steppedWork.ts';
import { loadBeforeSafetyBackup, markJournals, refuseIfChangedSince, type JournalMark } from './backupJournalMark.ts';

// Making one is backupCreation.ts's; here for the many that import it with the rest.
export { createBackup, createBackupUnderLock } from './backupCreation.ts';
import { createBackupUnderLock } from './backupCreation.ts';

// The kinds are the contract's (shared/backupTypes.ts): one definition for the engine and the panel.
import type { BackupKind, SlotKind } from '../../shared/backupTypes.ts';
import { withStepNumbersKept } from './charts/stepNumbers.ts';
export type { BackupKind, SlotKind };

/** The slots of the schedule (backupSchedule.ts). */
export const SLOT_KINDS: readonly SlotKind[] = ['daily', 'weekly', 'monthly'];

/** Safety copies: kept at least SAFETY_DAYS whatever the policy says (backupRetention.ts). */
export const SAFETY_KINDS: readonly BackupKind[] = ['before-restore', 'before-recovery', 'before-upgrade'];

export interface BackupPiece {
  readonly sha256: string;
  readonly size: number;
}

export interface BackupFile {
  readonly path: string;
  readonly context: string;
  readonly role: 'context' | 'journal';
  readonly size: number;
  readonly crc32: string;
  readonly sha256: string;
  /** Format 2: the file's pieces in the shared store, in order. Format 1: absent (the file is in the backup's folder). */
  readonly chunks?: readonly BackupPiece[];
}

/** The last check of a backup against its checksums (`check.json` beside its manifest). */
export interface BackupCheckRecord {
  readonly at: string;
  readonly ok: boolean;
  readonly problems: readonly string[];
}

export interface BackupInfo {
  readonly id: string;
  readonly created: string;
  readonly reason: string;
  readonly files: readonly BackupFile[];
  /** The bytes of the files it holds. */
  readonly bytes: number;
  readonly format: number;
  readonly kind: BackupKind;
  /** The slots of the schedule this backup filled (empty for a backup made for another reason). */
  readonly kinds: readonly SlotKind[];
  /** Bytes it stored that no earlier backup had stored (the rest it shares). */
  readonly newBytes: number;
  readonly check?: BackupCheckRecord;
}

export interface BackupCheck {
  readonly id: string;
  readonly ok: boolean;
  readonly problems: readonly string[];
}

export interface BackupProgress {
  readonly phase: 'storing' | 'verifying';
  readonly done: number;
  readonly total: number;
}

export interface CreateBackupOptions {
  /** Rewrite context files behind their journal first (default true). */
  readonly flush?: boolean;
  readonly kind?: BackupKind;
  /** The schedule's slots it fills: a backup stored outside the lock claims them (backupInProgress.ts). */
  readonly kinds?: readonly SlotKind[];
  /** The backup's time (default: now). `tension backup due --now` and the tests move it. */
  readonly now?: Date;
  readonly freeBytes?: FreeSpaceProbe;
  readonly onProgress?: (progress: BackupProgress) => void;
  /**
   * createBackup only: the pause between two slices (default: the next turn of the event loop).
   * Tests hold a backup half-way with it, to act while it is stored.
   */
  readonly slicePause?: () => Promise<void>;
}

export const MANIFEST = 'manifest.json';
export const CHECK = 'check.json';
export const BACKUP_FORMAT = 2;

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
function unsafeEntries(info: BackupInfo): string[] {
  return manifestProblems(info.files, isContextName);
}

/** The kind a backup made before kinds were recorded (or by code that names only a reason) has. */
export function kindFromReason(reason: string): BackupKind {
  if (/^before restoring/i.test(reason)) return 'before-restore';
  if (/^before upgrading/i.test(reason)) return 'before-upgrade';
  if (/^before (recover|repair)/i.test(reason)) return 'before-recovery';
  return 'manual';
}

// ------------------------------------------------------------------ listing

/** A file of the folder `.backup/<name>/`, or undefined when there is none (or `<name>` is no folder). */
function readInBackupFolder(engine: Engine, name: string, file: string): Buffer | undefined {
  try {
    return readFileIfExists(engine.fs, path.join(rootPaths(engine.layout).backups, name, file));
  } catch (error) {
    if (errnoOf(error) === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** Every complete backup, newest first. An unfinished one (no manifest under its final name) is never listed. */
export function listBackups(engine: Engine): BackupInfo[] {
  const list: BackupInfo[] = [];
  for (const name of backupFolderNames(engine)) {
    if (name === OBJECTS_FOLDER || name.endsWith('.partial') || name.endsWith('.pruning')) continue;
    const manifest = readInBackupFolder(engine, name, MANIFEST);
    if (!manifest) continue;
    const info = parseManifest(manifest, name);
    if (!info) continue; // a damaged manifest: the backup is reported by verify, not listed as usable
    const check = parseCheck(readInBackupFolder(engine, name, CHECK));
    list.push(check ? { ...info, check } : info);
  }
  return list.sort(newestFirst);
}

/** The names in the backups folder (none when it does not exist yet). */
function backupFolderNames(engine: Engine): string[] {
  const { backups } = rootPaths(engine.layout);
  try {
    return engine.fs.readdirSync(backups);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return [];
    throw fromSystemError(error, 'Listing the backups', backups, 'Nothing was changed.');
  }
}

/**
 * What verifying says of each backup folder whose manifest is missing or cannot be read:
 * listBackups leaves them out (they cannot be restored from), and verify reports them, so a
 * damaged backup does not vanish unseen.
 */
export function unreadableBackupChecks(engine: Engine): { id: string; ok: false; problems: string[] }[] {
  return backupFolderNames(engine)
    .filter((name) => {
      // A backup's folder is named by its time (policy.json and schedule.json sit beside them).
      if (!BACKUP_ID.test(name)) return false;
      const manifest = readInBackupFolder(engine, name, MANIFEST);
      return !manifest || !parseManifest(manifest, name);
    })
    .map((id) => ({ id, ok: false, problems: ['its manifest.json is missing or damaged: this backup cannot be listed or restored from'] }));
}

const BACKUP_ID = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z(?:-\d+)?$/;

/** Newest first; two of the same time by id (the later suffix first). */
export function newestFirst(a: { created: string; id: string }, b: { created: string; id: string }): number {
  return a.created < b.created ? 1 : a.created > b.created ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function parseManifest(bytes: Buffer, name: string): BackupInfo | undefined {
  let document: Record<string, unknown>;
  try {
    document = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof document !== 'object' || document === null || document.id !== name || !Array.isArray(document.files)) return undefined;
  const format = typeof document.format === 'number' ? document.format : 1;
  const reason = typeof document.reason === 'string' ? document.reason : '';
  const files = document.files as BackupFile[];
  const bytes_ = typeof document.bytes === 'number' ? document.bytes : files.reduce((sum, f) => sum + (typeof f?.size === 'number' ? f.size : 0), 0);
  const kinds = Array.isArray(document.kinds) ? SLOT_KINDS.filter((k) => (document.kinds as unknown[]).includes(k)) : [];
  const knownKinds: readonly string[] = [...SLOT_KINDS, 'manual', ...SAFETY_KINDS];
  const kind = typeof document.kind === 'string' && knownKinds.includes(document.kind) ? (document.kind as BackupKind) : kindFromReason(reason);
  return {
    id: name,
    created: typeof document.created === 'string' ? document.created : '',
    reason,
    files,
    bytes: bytes_,
    format,
    kind,
    kinds,
    // A format-1 backup holds its own copy of everything.
    newBytes: typeof document.newBytes === 'number' ? document.newBytes : bytes_,
  };
}

function parseCheck(bytes: Buffer | undefined): BackupCheckRecord | undefined {
  if (!bytes) return undefined;
  try {
    const value = JSON.parse(bytes.toString('utf8')) as Partial<BackupCheckRecord>;
    if (typeof value.at !== 'string' || typeof value.ok !== 'boolean') return undefined;
    return { at: value.at, ok: value.ok, problems: Array.isArray(value.problems) ? value.problems.filter((p): p is string => typeof p === 'string') : [] };
  } catch {
    return undefined;
  }
}

export function findBackup(engine: Engine, id: string): BackupInfo {
  if (!/^[0-9A-Za-z.-]+$/.test(id)) throw new EngineError('BAD_INPUT', `Invalid backup id ${JSON.stringify(id.slice(0, 80))}.`);
  const info = listBackups(engine).find((b) => b.id === id);
  if (!info) throw new EngineError('NOT_FOUND', `No backup ${id} in ${rootPaths(engine.layout).backups}.`);
  return info;
}

// ------------------------------------------------------------------ reading and checking

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
function unreadableContext(engine: Engine, info: BackupInfo, context: string): string | undefined {
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

/**
 * The contexts a backup holds: by their file, or by their journal alone (the file was gone when
 * the backup was made: a peer deleted it; the journal holds every record).
 */
export function contextsOf(info: BackupInfo): string[] {
  return [...new Set(info.files.filter((f) => f.role === 'context' || f.role === 'journal').map((f) => f.context))].sort();
}

// ------------------------------------------------------------------ restoring

export interface RestoreResult {
  readonly restoredFrom: string;
  readonly safetyBackup: string;
  readonly contexts: { context: string; changed: number }[];
}

/** Under the lock: the backup, checked as restorable for these contexts (all of them when undefined). */
export function restorableBackup(engine: Engine, id: string, contexts: readonly string[] | undefined): { info: BackupInfo; wanted: string[] } {
  const found = findBackup(engine, id);
  const unsafe = unsafeEntries(found);
  if (unsafe.length > 0) {
    throw new EngineError('CORRUPT', `Backup ${id} cannot be restored: ${unsafe.join('; ')}. Nothing was restored or changed.`, {
      file: path.join(rootPaths(engine.layout).backups, id, MANIFEST),
      kept: 'Nothing was changed.',
    });
  }
  const names = contexts ? [...contexts] : contextsOf(found);
  for (const context of names) {
    if (!found.files.some((f) => f.context === context && (f.role === 'context' || f.role === 'journal'))) throw new EngineError('NOT_FOUND', `Backup ${id} holds no context ${context}. Nothing was changed.`, { kept: 'Nothing was changed.' });
    const problem = unreadableContext(engine, found, context);
    if (problem) throw new EngineError('CORRUPT', `Backup ${id} is damaged for context ${context}: ${problem}. Nothing was restored or changed.`, { kept: 'Nothing was changed.' });
  }
  return { info: found, wanted: names };
}

/**
 * Restores contexts as a backup holds them, after backing up what is there now. Several
 * contexts are restored as one change (intent-logged, like a move): all of them or none.
 */
export async function restoreBackup(engine: Engine, id: string, contexts?: string[], options: { now?: Date } = {}): Promise<RestoreResult> {
  contexts?.forEach(validateContextName);
  if (engine.readOnly) throw new EngineError('READ_ONLY', `Cannot restore: ${engine.readOnlyReason}.`, { kept: 'Nothing was changed.' });
  const { info, wanted, safety, marks } = await engine.withLock(() => {
    const { info: found, wanted: names } = restorableBackup(engine, id, contexts);
    loadBeforeSafetyBackup(engine, names);
    const made = createBackupUnderLock(engine, `before restoring ${id}`, { kind: 'before-restore', ...(options.now ? { now: options.now } : {}) });
    return { info: found, wanted: names, safety: made, marks: markJournals(engine, names) };
  });
  const builders = wanted.map((context, i) => {
    const build = (state: RecordSet) => {
      // Anything committed since the safety backup would be replaced, and is in no backup.
      refuseIfChangedSince(engine, marks[i] as JournalMark, safety.id, 'all');
      const parsed = readBackupContext(engine, info, context);
      if (!parsed) throw new EngineError('CORRUPT', `Backup ${id} could not be read for ${context}.`);
      const keys = new Set(parsed.map.keys());
      // Each chart's step-number mark kept as high as it is now (stepNumbers.ts).
      return { puts: withStepNumbersKept(state, [...parsed.map.values()]), deletes: [...state.keys()].filter((key) => !keys.has(key)), verbatim: true, order: parsed.map.keys() };
    };
    return [context, build] as const;
  });
  const note = `restored from backup ${id} (what it replaced is in backup ${safety.id})`;
  const results =
    builders.length === 1
      ? { [wanted[0] as string]: await engine.transact(wanted[0] as string, (state) => builders[0]![1](state), { origin: 'restore', note }) }
      : await engine.transactAcross(builders, { origin: 'restore', note });
  await takeUpRetiredNames(engine, wanted);
  const restored = wanted.map((context) => ({ context, changed: results[context]?.changed ?? 0 }));
  for (const r of restored) {
    try {
      engine.recovery.log(`restored context ${r.context} from backup ${id}: ${r.changed} records changed; the state before is in backup ${safety.id}`);
    } catch {
      // the restore is done and journaled; only its log line is missing
    }
  }
  try {
    await engine.flush();
  } catch {
    // The restore is durable in the journals; the context files are rewritten on the next try.
  }
  return { restoredFrom: id, safetyBackup: safety.id, contexts: restored };
}

/**
 * After a restore's commit: a context restored under a name retired since the backup (renamed,
 * merged or deleted away) is that context again. Its retired note goes (a file set aside
 * meanwhile taken in first): left, the next context operation would move the restored records on
 * to where the rename went. A merge not yet known to be done keeps its note. Only after the
 * commit, so that a restore that fails or stops leaves the name retired; a failure here leaves
 * the note (logged): the restore is done and saved, and is not reported as failed.
 */
export async function takeUpRetiredNames(engine: Engine, contexts: readonly string[]): Promise<void> {
  try {
    await engine.withLock(() => {
      for (const context of contexts) {
        const note = readRetiredNote(engine.fs, engine.layout, context);
        if (!note || note.pending) continue;
        takeUpRetiredName(engine, context);
      }
    });
  } catch (error) {
    try {
      engine.recovery.log(`restored ${contexts.join(', ')}, but a retired note could not be taken away (${(error as Error).message}): the next context operation may move the restored records on; restore again once the disk is fine`);
    } catch {
      // only the log line is missing
    }
  }
}

// ------------------------------------------------------------------ removing

/**
 * Under the lock: removes these backups, then every piece no remaining backup names. Each
 * backup first leaves the list at once (renamed to `<id>.pruning`, one atomic step), then its
 * folder is deleted: a crash half-way leaves a folder that is no longer listed, never a listed
 * backup with files missing. Unfinished folders left by crashes are removed too.
 */
export function removeBackupsUnderLock(engine: Engine, ids: readonly string[]): { removed: string[]; freedBytes: number } {
  const { backups } = rootPaths(engine.layout);
  const removed: string[] = [];
  const doomed: string[] = [];
  for (const id of ids) {
    if (!/^[0-9A-Za-z.-]+$/.test(id) || id.endsWith('.partial') || id.endsWith('.pruning')) continue;
    const from = path.join(backups, id);
    if (!engine.fs.existsSync(from)) continue;
    engine.fs.renameSync(from, `${from}.pruning`);
    doomed.push(`${from}.pruning`);
    removed.push(id);
  }
  if (doomed.length > 0) syncDirectory(engine.fs, backups);
  let names: string[] = [];
  try {
    names = engine.fs.readdirSync(backups);
  } catch {
    names = [];
  }
  // A `.partial` folder is another process's backup in the making if the lock was taken over
  // while this one was paused (see collectGarbage): left alone then.
  if (!lockHeldByThisProcess(engine.fs, rootPaths(engine.layout).lock)) names = [];
  for (const name of names) {
    // Another backup being stored outside the lock now (backupInProgress.ts): left alone.
    if (name.endsWith('.partial') && backupInProgressIn(engine.fs, path.join(backups, name))) continue;
    if (name.endsWith('.partial') || name.endsWith('.pruning')) {
      engine.fs.rmSync(path.join(backups, name), { recursive: true, force: true });
      if (name.endsWith('.partial')) removed.push(name);
    } else if (name.startsWith('.') && name.includes('.tmp-')) {
      // A plain copy, the policy or the schedule note being replaced when a process was killed.
      engine.fs.rmSync(path.join(backups, name), { recursive: true, force: true });
    }
  }
  return { removed, freedBytes: collectGarbage(engine) };
}

/**
 * Removes the pieces no backup names any more. Which pieces are named is read from every
 * manifest in .backup/, valid or not; if one cannot be read at all, nothing is removed
 * (a piece it may name must not go). Guarded against a backup another process made while this
 * one was stopped past the lock's stale time (removeUnreferencedObjects): it then stops, and
 * says so in the recovery log; the pieces left are removed by a later prune.
 */
function collectGarbage(engine: Engine): number {
  const { backups, lock } = rootPaths(engine.layout);
  // A backup being stored outside the lock counts on pieces no manifest names yet (the ones it
  // stored, and the ones it found stored already): none goes until it is finished.
  if (backupsInProgress(engine.fs, backups).length > 0) return 0;
  const startedAt = Date.now();
  const referenced = referencedPieces(engine);
  if (!referenced) return 0;
  const freed = removeUnreferencedObjects(engine.fs, backups, referenced, {
    startedAt,
    stillOurs: () => lockHeldByThisProcess(engine.fs, lock),
    referencedNow: () => referencedPieces(engine),
  });
  if (freed.stopped) {
    try {
      engine.recovery.log(`pruning stopped before removing every unused backup piece (the data folder's lock was taken over by another process while this one was paused, or a manifest could not be read): no piece a backup names was removed; ${freed.objects} unused pieces were, the others go at a later prune`);
    } catch {
      // only the log line is missing
    }
  }
  return freed.bytes;
}

/** Every piece a manifest in .backup/ names; undefined when a manifest cannot be read. */
function referencedPieces(engine: Engine): Set<string> | undefined {
  const referenced = new Set<string>();
  let names: string[];
  try {
    names = engine.fs.readdirSync(rootPaths(engine.layout).backups);
  } catch {
    return undefined;
  }
  for (const name of names) {
    if (name === OBJECTS_FOLDER) continue;
    const manifest = readInBackupFolder(engine, name, MANIFEST);
    if (!manifest) continue;
    let document: { files?: unknown };
    try {
      document = JSON.parse(manifest.toString('utf8')) as { files?: unknown };
    } catch {
      return undefined;
    }
    if (!Array.isArray(document.files)) return undefined;
    for (const file of document.files as { chunks?: unknown }[]) {
      if (!Array.isArray(file?.chunks)) continue;
      for (const piece of file.chunks as { sha256?: unknown }[]) if (typeof piece?.sha256 === 'string') referenced.add(piece.sha256);
    }
  }
  return referenced;
}

/**
 * Removes backups older than `maxAgeDays`, always keeping the newest `keepAtLeast`; also
 * unfinished ones. Never the newest verified backup, nor a safety copy younger than
 * SAFETY_DAYS. (The retention policy of backupRetention.ts is what the schedule uses.)
 */
export function pruneBackups(engine: Engine, options: { maxAgeDays: number; keepAtLeast: number; now?: Date }): Promise<string[]> {
  if (engine.readOnly) return Promise.reject(new EngineError('READ_ONLY', `Cannot remove backups: ${engine.readOnlyReason}.`, { kept: 'Nothing was changed.' }));
  return engine.withLock(() => {
    const now = options.now ?? new Date();
    const list = listBackupsWithLastGoodChecked(engine, now);
    const newestVerified = lastGoodBackup(list)?.id;
    // A safety copy past its days goes only once a check a day before found it so (backupSafetyExpiry.ts).
    const expirySeen = readSafetyExpiry(engine);
    const doomed = list.slice(options.keepAtLeast).filter((info) => {
      const age = now.getTime() - Date.parse(info.created);
      if (info.id === newestVerified || safetyCopyHeld(info, now, expirySeen)) return false;
      return age > options.maxAgeDays * 86_400_000;
    });
    const removed = removeBackupsUnderLock(engine, doomed.map((b) => b.id)).removed;
    writeSafetyExpiry(engine, expirySeen, safetyExpiryAfter(listBackups(engine), now, expirySeen));
    return removed;
  });
}

/**
 * The backups, newest first, where the one retention keeps as the last good backup has been
 * verified again now (its check.json may be older than damage done since): one found damaged is
 * marked so and the next is tried. Pruning removes others on the strength of that one, so a
 * stale "verified" removed the only intact copy.
 */
export function listBackupsWithLastGoodChecked(engine: Engine, now = new Date()): BackupInfo[] {
  const damaged = new Map<string, BackupCheckRecord>();
  for (;;) {
    const list = listBackups(engine).map((b) => damaged.get(b.id) ? { ...b, check: damaged.get(b.id) as BackupCheckRecord } : b);
    const good = lastGoodBackup(list);
    if (!good) return list;
    const check = verifyBackup(engine, good.id, { now });
    if (check.ok) return list;
    damaged.set(good.id, { at: now.toISOString(), ok: false, problems: check.problems });
  }
}

/** A safety copy (a backup made before a restore, a recovery or an upgrade) is kept at least this long. */
export const SAFETY_DAYS = 30;
