// Removing backups: the folders named (each leaves the list in one atomic rename before it is
// deleted), then every stored piece no remaining manifest names, and pruning by age. Never the
// last good backup: it is verified again first (listBackupsWithLastGoodChecked), as pruning
// removes the others on its strength. The retention policy's pruning (backupPruning.ts) removes
// through here too.
import path from 'node:path';
import type { Engine } from './engine.ts';
import { EngineError } from './errors.ts';
import { rootPaths } from './dataRoot.ts';
import { syncDirectory } from './fileSystem.ts';
import { OBJECTS_FOLDER, removeUnreferencedObjects } from './backupObjects.ts';
import { safetyCopyHeld, safetyExpiryAfter, lastGoodBackup } from './backupRetention.ts';
import { readSafetyExpiry, writeSafetyExpiry } from './backupSafetyExpiry.ts';
import { lockHeldByThisProcess } from './rootLock.ts';
import { backupInProgressIn, backupsInProgress } from './backupInProgress.ts';
import { MANIFEST, listBackups, readInBackupFolder, type BackupCheckRecord, type BackupInfo } from './backups.ts';
import { verifyBackup } from './backupChecking.ts';

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
