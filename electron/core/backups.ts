// Backups: a dated folder in .backup/ with a manifest of every context file and journal, their
// sizes and checksums. Since format 2 the files' bytes are pieces in the shared store
// (backupObjects.ts, cut by backupChunks.ts): a piece already stored by an earlier backup is
// not stored again, so backups of data that did not change cost almost nothing. A backup is
// made in `<id>.partial/`, read back and checked, and only then renamed to `<id>/`
// (backupCreation.ts): a folder under its final name is always complete and verified. A restore
// is itself a change, journaled like any other, and it first backs up what it replaces.
// This file holds what a backup is (its manifest's shapes and the constants the others share)
// and the listing of them. Reading a backup back and checking it is backupChecking.ts, restoring
// from one backupRestoring.ts, removing them backupRemoval.ts.
import path from 'node:path';
import type { Engine } from './engine.ts';
import { EngineError, errnoOf, fromSystemError } from './errors.ts';
import { rootPaths } from './dataRoot.ts';
import { readFileIfExists } from './fileSystem.ts';
import { OBJECTS_FOLDER } from './backupObjects.ts';
import type { FreeSpaceProbe } from './freeSpace.ts';

// Making one is backupCreation.ts's; here for the many that import it with the rest.
export { createBackup, createBackupUnderLock } from './backupCreation.ts';

// The kinds are the contract's (shared/backupTypes.ts): one definition for the engine and the panel.
import type { BackupKind, SlotKind } from '../../shared/backupTypes.ts';
export type { BackupKind, SlotKind };

/** The slots of the schedule (backupSchedule.ts). */
export const SLOT_KINDS: readonly SlotKind[] = ['daily', 'weekly', 'monthly'];

/** Safety copies: kept at least SAFETY_DAYS whatever the policy says (backupRetention.ts). */
export const SAFETY_KINDS: readonly BackupKind[] = ['before-restore', 'before-recovery', 'before-upgrade'];

/** A safety copy (a backup made before a restore, a recovery or an upgrade) is kept at least this long. */
export const SAFETY_DAYS = 30;

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

/** The kind a backup made before kinds were recorded (or by code that names only a reason) has. */
export function kindFromReason(reason: string): BackupKind {
  if (/^before restoring/i.test(reason)) return 'before-restore';
  if (/^before upgrading/i.test(reason)) return 'before-upgrade';
  if (/^before (recover|repair)/i.test(reason)) return 'before-recovery';
  return 'manual';
}

// ------------------------------------------------------------------ listing

/** A file of the folder `.backup/<name>/`, or undefined when there is none (or `<name>` is no folder). */
export function readInBackupFolder(engine: Engine, name: string, file: string): Buffer | undefined {
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

/**
 * The contexts a backup holds: by their file, or by their journal alone (the file was gone when
 * the backup was made: a peer deleted it; the journal holds every record).
 */
export function contextsOf(info: BackupInfo): string[] {
  return [...new Set(info.files.filter((f) => f.role === 'context' || f.role === 'journal').map((f) => f.context))].sort();
}
