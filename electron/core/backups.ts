// Backups: a dated folder in .backup/ holding every context file and its journal, with a
// manifest of sizes and checksums written last (a folder without a manifest is an unfinished
// backup). A restore is itself a change, journaled like any other, and it first backs up
// what it replaces. Rotation removes backups by age but always keeps the newest few.
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Engine } from './engine.ts';
import { EngineError, fromSystemError } from './errors.ts';
import { contextPaths, rootPaths, validateContextName } from './dataRoot.ts';
import { readFileIfExists, syncDirectory, writeAll } from './fileSystem.ts';
import { crc32Hex } from './journalFormat.ts';
import { parseContextBytes } from './contextFile.ts';
import type { RecordSet } from './recordSet.ts';
import { manifestProblems, readBackupEntry } from './backupManifest.ts';

export interface BackupFile {
  readonly path: string;
  readonly context: string;
  readonly role: 'context' | 'journal';
  readonly size: number;
  readonly crc32: string;
  readonly sha256: string;
}

export interface BackupInfo {
  readonly id: string;
  readonly created: string;
  readonly reason: string;
  readonly files: readonly BackupFile[];
  readonly bytes: number;
}

export interface BackupCheck {
  readonly id: string;
  readonly ok: boolean;
  readonly problems: readonly string[];
}

const MANIFEST = 'manifest.json';
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

/** Under the lock. Copies every context file and journal into a new dated backup folder. */
export function createBackupUnderLock(engine: Engine, reason: string, options: { flush: boolean } = { flush: true }): BackupInfo {
  if (engine.readOnly) throw new EngineError('READ_ONLY', `Cannot create a backup: ${engine.readOnlyReason}.`);
  if (options.flush) {
    try {
      engine.flushForLockedWork();
    } catch {
      // A context file behind its journal is still backed up with the journal, which holds everything.
    }
  }
  const { backups } = rootPaths(engine.layout);
  const created = new Date();
  let id = created.toISOString().replace(/:/g, '-').replace('.', '-');
  for (let n = 2; engine.fs.existsSync(path.join(backups, id)); n += 1) id = `${created.toISOString().replace(/:/g, '-').replace('.', '-')}-${n}`;
  const partial = path.join(backups, `${id}.partial`);
  const files: BackupFile[] = [];
  let info: BackupInfo;
  try {
    engine.fs.mkdirSync(path.join(partial, '.history'), { recursive: true });
    for (const context of engine.listContextNames()) {
      const paths = contextPaths(engine.layout, context);
      for (const [role, source] of [['context', paths.file], ['journal', paths.journal]] as const) {
        const bytes = readFileIfExists(engine.fs, source);
        if (!bytes) continue;
        const relative = path.relative(engine.layout.root, source);
        copyDurably(engine, bytes, path.join(partial, relative));
        files.push({ path: relative, context, role, size: bytes.length, crc32: crc32Hex(bytes), sha256: sha256(bytes) });
      }
    }
    info = { id, created: created.toISOString(), reason, files, bytes: files.reduce((sum, f) => sum + f.size, 0) };
    copyDurably(engine, Buffer.from(JSON.stringify({ format: 1, ...info }, null, 2)), path.join(partial, MANIFEST));
    syncDirectory(engine.fs, path.join(partial, '.history'));
    syncDirectory(engine.fs, partial);
    engine.fs.renameSync(partial, path.join(backups, id));
  } catch (error) {
    try {
      engine.fs.rmSync(partial, { recursive: true, force: true });
    } catch {
      // an unfinished backup folder has no manifest and is ignored; rotation removes it
    }
    throw fromSystemError(error, 'Creating a backup', partial, 'Your data was not changed; the unfinished backup was removed.');
  }
  try {
    syncDirectory(engine.fs, backups);
  } catch {
    // The backup is complete and listed; only the folder entry's durability is in doubt.
  }
  return info;
}

function copyDurably(engine: Engine, bytes: Uint8Array, target: string): void {
  const fd = engine.fs.openSync(target, 'wx', 0o644);
  try {
    writeAll(engine.fs, fd, bytes);
    engine.fs.fsyncSync(fd);
  } finally {
    engine.fs.closeSync(fd);
  }
}

export function createBackup(engine: Engine, reason = 'manual'): Promise<BackupInfo> {
  return engine.withLock(() => createBackupUnderLock(engine, reason));
}

export function listBackups(engine: Engine): BackupInfo[] {
  const { backups } = rootPaths(engine.layout);
  let names: string[];
  try {
    names = engine.fs.readdirSync(backups);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw fromSystemError(error, 'Listing the backups', backups, 'Nothing was changed.');
  }
  const list: BackupInfo[] = [];
  for (const name of names) {
    const manifest = readFileIfExists(engine.fs, path.join(backups, name, MANIFEST));
    if (!manifest) continue;
    try {
      const info = JSON.parse(manifest.toString('utf8')) as BackupInfo;
      if (info.id === name && Array.isArray(info.files)) list.push(info);
    } catch {
      // a damaged manifest: the backup is reported by verify, not listed as usable
    }
  }
  return list.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : a.id < b.id ? 1 : -1));
}

function findBackup(engine: Engine, id: string): BackupInfo {
  if (!/^[0-9A-Za-z.-]+$/.test(id)) throw new EngineError('BAD_INPUT', `Invalid backup id ${JSON.stringify(id.slice(0, 80))}.`);
  const info = listBackups(engine).find((b) => b.id === id);
  if (!info) throw new EngineError('NOT_FOUND', `No backup ${id} in ${rootPaths(engine.layout).backups}.`);
  return info;
}

export function verifyBackup(engine: Engine, id: string): BackupCheck {
  const info = findBackup(engine, id);
  const dir = path.join(rootPaths(engine.layout).backups, id);
  // A manifest that names files outside the backup is reported, and none of its files is read.
  const unsafe = unsafeEntries(info);
  if (unsafe.length > 0) return { id, ok: false, problems: unsafe };
  const problems: string[] = [];
  for (const file of info.files) {
    const bytes = readBackupEntry(engine.fs, dir, file.path);
    if (typeof bytes === 'string') problems.push(bytes);
    else if (!bytes) problems.push(`${file.path} is missing`);
    else if (bytes.length !== file.size) problems.push(`${file.path} has ${bytes.length} bytes, expected ${file.size}`);
    else if (sha256(bytes) !== file.sha256) problems.push(`${file.path} does not match its checksum`);
  }
  return { id, ok: problems.length === 0, problems };
}

/** The records of a context as a backup holds them (undefined when the backup lacks it or it is damaged). */
export function readBackupContext(engine: Engine, info: BackupInfo, context: string) {
  if (unsafeEntries(info).length > 0) return undefined;
  const file = info.files.find((f) => f.context === context && f.role === 'context');
  if (!file) return undefined;
  const bytes = readBackupEntry(engine.fs, path.join(rootPaths(engine.layout).backups, info.id), file.path);
  if (!bytes || typeof bytes === 'string' || sha256(bytes) !== file.sha256) return undefined;
  return parseContextBytes(bytes);
}

export interface RestoreResult {
  readonly restoredFrom: string;
  readonly safetyBackup: string;
  readonly contexts: { context: string; changed: number }[];
}

/**
 * Restores contexts as a backup holds them, after backing up what is there now. Several
 * contexts are restored as one change (intent-logged, like a move): all of them or none.
 */
export async function restoreBackup(engine: Engine, id: string, contexts?: string[]): Promise<RestoreResult> {
  contexts?.forEach(validateContextName);
  if (engine.readOnly) throw new EngineError('READ_ONLY', `Cannot restore: ${engine.readOnlyReason}.`, { kept: 'Nothing was changed.' });
  const { info, wanted, safety } = await engine.withLock(() => {
    const found = findBackup(engine, id);
    const unsafe = unsafeEntries(found);
    if (unsafe.length > 0) {
      throw new EngineError('CORRUPT', `Backup ${id} cannot be restored: ${unsafe.join('; ')}. Nothing was restored or changed.`, {
        file: path.join(rootPaths(engine.layout).backups, id, MANIFEST),
        kept: 'Nothing was changed.',
      });
    }
    const check = verifyBackup(engine, id);
    const names = contexts ?? [...new Set(found.files.filter((f) => f.role === 'context').map((f) => f.context))];
    for (const context of names) {
      const file = found.files.find((f) => f.context === context && f.role === 'context');
      if (!file) throw new EngineError('NOT_FOUND', `Backup ${id} holds no context ${context}.`);
      if (check.problems.some((p) => p.startsWith(file.path))) {
        throw new EngineError('CORRUPT', `Backup ${id} is damaged for context ${context}: ${check.problems.join('; ')}. Nothing was changed.`);
      }
    }
    return { info: found, wanted: names, safety: createBackupUnderLock(engine, `before restoring ${id}`) };
  });
  const builders = wanted.map((context) => {
    const build = (state: RecordSet) => {
      const parsed = readBackupContext(engine, info, context);
      if (!parsed) throw new EngineError('CORRUPT', `Backup ${id} could not be read for ${context}.`);
      const keys = new Set(parsed.map.keys());
      return { puts: [...parsed.map.values()], deletes: [...state.keys()].filter((key) => !keys.has(key)), verbatim: true, order: parsed.map.keys() };
    };
    return [context, build] as const;
  });
  const note = `restored from backup ${id} (what it replaced is in backup ${safety.id})`;
  const results =
    builders.length === 1
      ? { [wanted[0] as string]: await engine.transact(wanted[0] as string, (state) => builders[0]![1](state), { origin: 'restore', note }) }
      : await engine.transactAcross(builders, { origin: 'restore', note });
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

/** Removes backups older than `maxAgeDays`, always keeping the newest `keepAtLeast`; also unfinished ones. */
export function pruneBackups(engine: Engine, options: { maxAgeDays: number; keepAtLeast: number; now?: Date }): Promise<string[]> {
  if (engine.readOnly) return Promise.reject(new EngineError('READ_ONLY', `Cannot remove backups: ${engine.readOnlyReason}.`, { kept: 'Nothing was changed.' }));
  return engine.withLock(() => {
    const { backups } = rootPaths(engine.layout);
    const now = options.now ?? new Date();
    const removed: string[] = [];
    const list = listBackups(engine);
    list.slice(options.keepAtLeast).forEach((info) => {
      if (now.getTime() - Date.parse(info.created) > options.maxAgeDays * 86_400_000) {
        engine.fs.rmSync(path.join(backups, info.id), { recursive: true, force: true });
        removed.push(info.id);
      }
    });
    let names: string[] = [];
    try {
      names = engine.fs.readdirSync(backups);
    } catch {
      names = [];
    }
    for (const name of names) {
      if (name.endsWith('.partial')) {
        engine.fs.rmSync(path.join(backups, name), { recursive: true, force: true });
        removed.push(name);
      }
    }
    return removed;
  });
}
