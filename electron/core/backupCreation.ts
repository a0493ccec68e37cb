// Making a backup, in three parts: begun under the data folder's lock (every context file and
// journal opened as it is then, the folder `<id>.partial/` made), its pieces stored and read back
// (backupObjects.ts), then finished under the lock (manifest and check written, the folder
// renamed to its final name: a folder under its final name is always complete and verified).
// - createBackupUnderLock does all three at once: the safety copies taken inside another locked
//   operation (a restore, a recovery, an upgrade).
// - createBackup (the app's "back up now", the CLI's and MCP's), and the schedule's backups
//   (beginBackupOutsideLock, finishBegunBackup: backupDue.ts), store and read back a slice at
//   a time between two locked steps: at 100k charts that is 570 MB to read, cut, hash and read
//   back, seconds in which the engine's thread answers a window's requests and other processes
//   commit. Still the data as it was when the backup began: the files were opened (small ones
//   read) under the lock; a journal is stored up to its last complete entry, before which nothing
//   ever changes (a torn tail after it is cut and written over by the next writer); a context
//   file is replaced by a rename, so the open descriptor reads the version that was there. The
//   one exception: a context file another program wrote in place meanwhile is stored again,
//   whole, under the lock as the backup finishes (newer than the journal stored, as any file a
//   peer has just written). A prune meanwhile leaves the unfinished backup and every piece
//   alone (backupInProgress.ts).
import path from 'node:path';
import zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import type { Engine } from './engine.ts';
import { EngineError, fromSystemError } from './errors.ts';
import { contextPaths, rootPaths } from './dataRoot.ts';
import { readAt, readFileIfExists, syncDirectory, writeAll } from './fileSystem.ts';
import { completeEndOf } from './journalFile.ts';
import { chunkEndAfter, chunkEnds } from './backupChunks.ts';
import { ObjectWriter, objectPath, sha256Hex } from './backupObjects.ts';
import { freeBytesOnDisk, formatBytes, type FreeSpaceProbe } from './freeSpace.ts';
import { endBackupInProgress, noteBackupInProgress } from './backupInProgress.ts';
import { nextTurn, runAtOnce, runInSlices, type Steps } from './steppedWork.ts';
import { BACKUP_FORMAT, CHECK, MANIFEST, SLOT_KINDS, kindFromReason, listBackups, type BackupFile, type BackupInfo, type BackupPiece, type CreateBackupOptions, type SlotKind, type BackupKind } from './backups.ts';
import { checkFileSteps } from './backupChecking.ts';

/** Room kept free beyond what a backup needs (its manifest, the file system's own blocks). */
const ROOM_MARGIN = 64 * 1024;
/** How long createBackup works between two pauses: a window's request waits at most about this. */
const BACKUP_SLICE_MS = 15;
/** How much of a file one step reads. */
const READ_BLOCK = 4 * 1024 * 1024;
/** A file this small is read whole as the backup begins, under the lock (a few milliseconds). */
const READ_AT_ONCE_BYTES = 1024 * 1024;
/**
 * Files kept open at once by a backup stored in slices (well under the usual limit of 1,024);
 * any more are read whole as it begins, under the lock and all in memory at once (EMFILE).
 */
const MAX_OPEN_FILES = 128;
const KEPT = 'Your data was not changed; the unfinished backup was removed and every earlier backup is kept.';

interface Source {
  readonly context: string;
  readonly role: 'context' | 'journal';
  readonly file: string;
  readonly relative: string;
}

/**
 * A file the backup stores, as it was under the lock: read there and then by path (a backup made
 * all at once under the lock), read whole as the backup began (a small file, or one past the
 * open files this process keeps), or kept open, its first `size` bytes to be read in slices.
 */
interface SourceToStore extends Source {
  readonly held: { how: 'path' } | { how: 'read'; bytes: Buffer } | { how: 'open'; fd: number; size: number; stamp: FileStamp };
}

/**
 * What fstat says of an open file: another program writing it in place changes one of these.
 * (Not its change time: our own rewrite renames the old file aside and unlinks it, which moves
 * that and leaves the bytes as they were.)
 */
interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
}

/** A backup begun under the lock. */
export interface BegunBackup {
  readonly id: string;
  readonly partial: string;
  readonly created: Date;
  readonly reason: string;
  readonly kind: BackupKind;
  readonly kinds: readonly SlotKind[];
  readonly sources: readonly SourceToStore[];
  readonly writer: ObjectWriter;
  /** Stored outside the lock: its folder says so to other processes' prunes. */
  readonly outsideLock: boolean;
}

/** Under the lock. Stores every context file and journal as a new backup, verified before it is listed. */
export function createBackupUnderLock(engine: Engine, reason: string, options: CreateBackupOptions = {}): BackupInfo {
  const begun = beginBackupUnderLock(engine, reason, options, false);
  try {
    const files = runAtOnce(storeSteps(engine, begun, options));
    throwIfBadReadBack(runAtOnce(checkFileSteps(engine, begun.partial, files, (verified) => options.onProgress?.({ phase: 'verifying', done: verified, total: bytesOf(files) }))), begun.partial);
    return finishBackupUnderLock(engine, begun, files);
  } catch (error) {
    throw giveUp(engine, begun, error);
  } finally {
    closeSources(engine, begun.sources);
  }
}

/**
 * Stores every context file and journal as a new backup, verified before it is listed, with the
 * storing and reading back done a slice at a time outside the lock and the engine's queue.
 */
export function createBackup(engine: Engine, reason = 'manual', options: CreateBackupOptions = {}): Promise<BackupInfo> {
  return oneAtATime(engine, async () => finishInSlices(engine, await engine.withLock(() => beginBackupUnderLock(engine, reason, options, true)), options));
}

/**
 * Under the lock: a backup begun, to be stored outside it (finishInSlices). Its folder's note
 * claims the schedule's slots it fills, so another process checking meanwhile does not take
 * them too (backupInProgress.ts).
 */
export function beginBackupOutsideLock(engine: Engine, reason: string, options: CreateBackupOptions = {}): BegunBackup {
  return beginBackupUnderLock(engine, reason, options, true);
}

/** A backup begun by beginBackupOutsideLock, stored, read back and finished (the lock taken for the last step only). */
export function finishBegunBackup(engine: Engine, begun: BegunBackup, options: CreateBackupOptions = {}): Promise<BackupInfo> {
  return oneAtATime(engine, () => finishInSlices(engine, begun, options));
}

async function finishInSlices(engine: Engine, begun: BegunBackup, options: CreateBackupOptions): Promise<BackupInfo> {
  try {
    const slicing = { sliceMs: engine.sliceMs ?? BACKUP_SLICE_MS, pause: options.slicePause ?? nextTurn, current: () => !engine.stopping };
    const stopped = () => new EngineError('BAD_INPUT', `The storage engine is closing; the backup was not finished. ${KEPT}`, { kept: KEPT });
    const files = await runInSlices(storeSteps(engine, begun, options), slicing, stopped);
    const problems = await runInSlices(checkFileSteps(engine, begun.partial, files, (verified) => options.onProgress?.({ phase: 'verifying', done: verified, total: bytesOf(files) })), slicing, stopped);
    throwIfBadReadBack(problems, begun.partial);
    return await engine.withLock(() => finishBackupUnderLock(engine, begun, files));
  } catch (error) {
    throw giveUp(engine, begun, error);
  } finally {
    closeSources(engine, begun.sources);
  }
}

/** In-process: one backup stored at a time (each would read and store the same files). */
const backupChains = new WeakMap<Engine, Promise<unknown>>();

function oneAtATime<T>(engine: Engine, run: () => Promise<T>): Promise<T> {
  const result = (backupChains.get(engine) ?? Promise.resolve()).then(run, run);
  backupChains.set(engine, result.catch(() => undefined));
  return result;
}

function beginBackupUnderLock(engine: Engine, reason: string, options: CreateBackupOptions, outsideLock: boolean): BegunBackup {
  if (engine.readOnly) throw new EngineError('READ_ONLY', `Cannot create a backup: ${engine.readOnlyReason}.`);
  if (options.flush !== false) {
    try {
      engine.flushForLockedWork();
    } catch {
      // A context file behind its journal is still backed up with the journal, which holds everything.
    }
  }
  const { backups } = rootPaths(engine.layout);
  const created = options.now ?? new Date();
  const kinds = SLOT_KINDS.filter((k) => options.kinds?.includes(k));
  const kind = options.kind ?? (kinds.length > 0 ? kindOfSlots(kinds) : kindFromReason(reason));
  const sources = sourcesOf(engine);
  checkRoom(engine, sources, options.freeBytes ?? freeBytesOnDisk);
  const stamp = idStamp(created);
  let id = stamp;
  for (let n = 2; engine.fs.existsSync(path.join(backups, id)) || engine.fs.existsSync(path.join(backups, `${id}.partial`)); n += 1) id = `${stamp}-${n}`;
  const partial = path.join(backups, `${id}.partial`);
  const held: SourceToStore[] = [];
  try {
    makeBackupsFolder(engine, backups);
    engine.fs.mkdirSync(partial);
    if (outsideLock) noteBackupInProgress(engine.fs, partial, { kinds, created: created.getTime() });
    for (const source of sources) {
      if (!outsideLock) {
        held.push({ ...source, held: { how: 'path' } });
        continue;
      }
      const opened = holdSource(engine, source, held.filter((s) => s.held.how === 'open').length < MAX_OPEN_FILES);
      if (opened) held.push(opened);
    }
  } catch (error) {
    closeSources(engine, held);
    throw giveUp(engine, { partial }, error);
  }
  return { id, partial, created, reason, kind, kinds, sources: held, writer: new ObjectWriter(engine.fs, backups), outsideLock };
}

/**
 * Under the lock, for a backup stored outside it: the file opened, its size now (a journal's up
 * to its last complete entry: a torn tail after it is cut and written over by the next writer),
 * and read whole at once if it is small or `keepOpen` is false; undefined when there is no file.
 */
function holdSource(engine: Engine, source: Source, keepOpen: boolean): SourceToStore | undefined {
  let fd: number;
  try {
    fd = engine.fs.openSync(source.file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let open = false;
  try {
    const stat = engine.fs.fstatSync(fd);
    const size = source.role === 'journal' ? completeEndOf(engine.fs, fd, stat.size) : stat.size;
    if (keepOpen && size > READ_AT_ONCE_BYTES) {
      open = true;
      return { ...source, held: { how: 'open', fd, size, stamp: { size: stat.size, mtimeMs: stat.mtimeMs } } };
    }
    const bytes = Buffer.allocUnsafe(size);
    return { ...source, held: { how: 'read', bytes: bytes.subarray(0, readAt(engine.fs, fd, bytes, 0)) } };
  } finally {
    if (!open) engine.fs.closeSync(fd);
  }
}

function closeSources(engine: Engine, sources: readonly SourceToStore[]): void {
  for (const source of sources) {
    if (source.held.how !== 'open') continue;
    try {
      engine.fs.closeSync(source.held.fd);
    } catch {
      // already closed
    }
  }
}

/** Each file's pieces stored (unless an intact copy is there already), with its size and checksums. */
function* storeSteps(engine: Engine, begun: Pick<BegunBackup, 'sources' | 'writer'>, options: CreateBackupOptions): Steps<BackupFile[]> {
  const files: BackupFile[] = [];
  const total = begun.sources.reduce((sum, s) => sum + (s.held.how === 'open' ? s.held.size : s.held.how === 'read' ? s.held.bytes.length : sizeOf(engine, s.file)), 0);
  let done = 0;
  for (const source of begun.sources) {
    const bytes = yield* readSteps(engine, source);
    if (!bytes) continue;
    const pieces: BackupPiece[] = [];
    const whole = createHash('sha256');
    let crc = 0;
    for (let start = 0; start < bytes.length; ) {
      const end = chunkEndAfter(bytes, start);
      const piece = bytes.subarray(start, end);
      const hash = sha256Hex(piece);
      begun.writer.put(piece, hash);
      whole.update(piece);
      crc = zlib.crc32(piece, crc);
      pieces.push({ sha256: hash, size: piece.length });
      start = end;
      yield;
    }
    files.push({ path: source.relative, context: source.context, role: source.role, size: bytes.length, crc32: crc.toString(16).padStart(8, '0'), sha256: whole.digest('hex'), chunks: pieces });
    done += bytes.length;
    options.onProgress?.({ phase: 'storing', done, total });
  }
  // Every piece durable before the manifest naming it can be.
  yield* begun.writer.syncFolderSteps();
  return files;
}

/** The bytes the backup stores of a source: its first `size` bytes, a block per step, if it is open. */
function* readSteps(engine: Engine, source: SourceToStore): Steps<Buffer | undefined> {
  const held = source.held;
  if (held.how === 'path') return readFileIfExists(engine.fs, source.file);
  if (held.how === 'read') return held.bytes;
  const bytes = Buffer.allocUnsafe(held.size);
  let at = 0;
  while (at < held.size) {
    const n = engine.fs.readSync(held.fd, bytes, at, Math.min(READ_BLOCK, held.size - at), at);
    // Shorter than when it was opened: another program writing it in place. A context file is
    // then stored again, whole, as the backup finishes (withFilesWrittenInPlaceStoredAgain); a
    // journal is never cut before the end taken at the start, by us or by any program we know.
    if (n === 0 && source.role === 'context') return bytes.subarray(0, at);
    if (n === 0) throw changedWhileRead(source);
    at += n;
    yield;
  }
  return bytes;
}

function changedWhileRead(source: Source): EngineError {
  return new EngineError('CONFLICT', `Creating a backup failed: ${source.relative} was changed by another program while it was read. ${KEPT} Back up again.`, { file: source.file, kept: KEPT });
}

/** `partial`: the unfinished backup's folder, which the error names. */
function throwIfBadReadBack(problems: readonly string[], partial: string): void {
  if (problems.length === 0) return;
  throw new EngineError('IO_ERROR', `Creating a backup failed: it read back differently from what was written (${problems.slice(0, 3).join('; ')}) in ${partial}. ${KEPT}`, { file: partial, kept: KEPT });
}

const bytesOf = (files: readonly BackupFile[]) => files.reduce((sum, f) => sum + f.size, 0);

/** Under the lock: the manifest and its check written, and the folder given its final name. */
function finishBackupUnderLock(engine: Engine, begun: BegunBackup, stored: readonly BackupFile[]): BackupInfo {
  let files = stored;
  const { backups } = rootPaths(engine.layout);
  if (begun.outsideLock) {
    files = withFilesWrittenInPlaceStoredAgain(engine, begun, files);
    // Stored outside the lock: a prune that ran meanwhile held off (backupInProgress.ts); what
    // another program may have removed is caught here rather than listed as a good backup.
    const missing = files.flatMap((f) => f.chunks ?? []).find((piece) => !engine.fs.existsSync(objectPath(backups, piece.sha256)));
    if (missing) throwIfBadReadBack([`piece ${missing.sha256.slice(0, 12)}… went missing before the backup was finished`], begun.partial);
  }
  const created = begun.created.toISOString();
  let info: BackupInfo = { id: begun.id, created, reason: begun.reason, kind: begun.kind, kinds: begun.kinds, files, bytes: bytesOf(files), format: BACKUP_FORMAT, newBytes: begun.writer.newBytes };
  // `format` first, as in every manifest since format 1.
  const { format, ...rest } = info;
  writeNewFile(engine, path.join(begun.partial, MANIFEST), JSON.stringify({ format, ...rest }, null, 1));
  info = { ...info, check: { at: created, ok: true, problems: [] } };
  writeNewFile(engine, path.join(begun.partial, CHECK), JSON.stringify(info.check));
  if (begun.outsideLock) endBackupInProgress(engine.fs, begun.partial);
  syncDirectory(engine.fs, begun.partial);
  engine.fs.renameSync(begun.partial, path.join(backups, begun.id));
  try {
    syncDirectory(engine.fs, backups);
  } catch {
    // The backup is complete and listed; only the folder entry's durability is in doubt.
  }
  return info;
}

/**
 * Under the lock, as a backup stored outside it finishes: a context file another program wrote
 * in place since the backup began (its open descriptor's size or mtime changed: a rename leaves
 * them be) may have been read half old, half new; it is stored again now, whole, as it is. (A
 * journal is only appended to after the end taken at the start.)
 */
function withFilesWrittenInPlaceStoredAgain(engine: Engine, begun: BegunBackup, files: readonly BackupFile[]): BackupFile[] {
  const again = begun.sources.filter((source) => {
    if (source.role !== 'context' || source.held.how !== 'open') return false;
    const now = engine.fs.fstatSync(source.held.fd);
    const was = source.held.stamp;
    return now.size !== was.size || now.mtimeMs !== was.mtimeMs;
  });
  if (again.length === 0) return [...files];
  const redone = runAtOnce(storeSteps(engine, { sources: again.map((source) => ({ ...source, held: { how: 'path' as const } })), writer: begun.writer }, {}));
  throwIfBadReadBack(runAtOnce(checkFileSteps(engine, begun.partial, redone)), begun.partial);
  const byPath = new Map(redone.map((file) => [file.path, file]));
  // A file gone since is no longer in the backup: its journal still is.
  const gone = new Set(again.filter((source) => !byPath.has(source.relative)).map((source) => source.relative));
  return files.filter((file) => !gone.has(file.path)).map((file) => byPath.get(file.path) ?? file);
}

/** The unfinished folder removed (a later prune removes it if this cannot), and the error as the user reads it. */
function giveUp(engine: Engine, begun: Pick<BegunBackup, 'partial'>, error: unknown): EngineError {
  endBackupInProgress(engine.fs, begun.partial);
  try {
    engine.fs.rmSync(begun.partial, { recursive: true, force: true });
  } catch {
    // an unfinished backup folder has no final name and is never listed; the next prune removes it
  }
  return fromSystemError(error, 'Creating a backup', begun.partial, KEPT);
}

function sourcesOf(engine: Engine): Source[] {
  return engine.listContextNames().flatMap((context) => {
    const paths = contextPaths(engine.layout, context);
    return (
      [
        ['context', paths.file],
        ['journal', paths.journal],
      ] as const
    ).map(([role, file]) => ({ context, role, file, relative: path.relative(engine.layout.root, file) }));
  });
}

/** The broadest slot a scheduled backup filled names its kind (monthly, else weekly, else daily). */
function kindOfSlots(kinds: readonly SlotKind[]): BackupKind {
  return kinds.includes('monthly') ? 'monthly' : kinds.includes('weekly') ? 'weekly' : 'daily';
}

/** The backup's folder name for a time: `2026-11-26T07-01-02-123Z`. */
function idStamp(time: Date): string {
  return time.toISOString().replace(/:/g, '-').replace('.', '-');
}

function sizeOf(engine: Engine, file: string): number {
  try {
    return Number(engine.fs.statSync(file, { bigint: true }).size);
  } catch {
    return 0;
  }
}

/** `.backup/` made durable in the data folder the first time (a power cut must not lose its name). */
function makeBackupsFolder(engine: Engine, backups: string): void {
  if (engine.fs.existsSync(backups)) return;
  engine.fs.mkdirSync(backups, { recursive: true });
  syncDirectory(engine.fs, path.dirname(backups));
}

/**
 * Free space is checked before anything is written. The common case costs one statfs (room
 * for every file whole); only when that is short are the files read to count the pieces not
 * stored yet, which is what the backup really needs.
 */
function checkRoom(engine: Engine, sources: readonly Source[], probe: FreeSpaceProbe): void {
  const { backups } = rootPaths(engine.layout);
  const free = probe(backups);
  if (free === undefined) return;
  const whole = sources.reduce((sum, s) => sum + sizeOf(engine, s.file), 0);
  if (free >= whole + ROOM_MARGIN) return;
  let need = ROOM_MARGIN;
  const counted = new Set<string>();
  for (const source of sources) {
    const bytes = readFileIfExists(engine.fs, source.file);
    if (!bytes) continue;
    let start = 0;
    for (const end of chunkEnds(bytes)) {
      const hash = sha256Hex(bytes.subarray(start, end));
      if (!counted.has(hash) && !engine.fs.existsSync(objectPath(backups, hash))) need += end - start;
      counted.add(hash);
      start = end;
    }
  }
  if (free >= need) return;
  let newest: BackupInfo | undefined;
  try {
    newest = listBackups(engine)[0];
  } catch {
    newest = undefined;
  }
  const kept = newest ? `the newest backup (${newest.id}) and every earlier one are kept` : 'there is no earlier backup yet';
  throw new EngineError(
    'DISK_FULL',
    `Not enough free space for a backup: it needs about ${formatBytes(need)}, and only ${formatBytes(free)} is free on the disk of ${backups}. Nothing was written; ${kept}. Free some space (or remove old backups) and back up again.`,
    { file: backups, kept: 'Nothing was written; every earlier backup is kept.' },
  );
}

function writeNewFile(engine: Engine, target: string, text: string): void {
  const fd = engine.fs.openSync(target, 'wx', 0o644);
  try {
    writeAll(engine.fs, fd, Buffer.from(text));
    engine.fs.fsyncSync(fd);
  } finally {
    engine.fs.closeSync(fd);
  }
}
