// A backup stored outside the data folder's lock (backupCreation.ts) says so in its unfinished
// folder, `<id>.partial/in-progress.json` ({"pid","started","kinds"}), written under the lock as
// the backup begins. `kinds`: the schedule's slots it fills; while it is stored, another process
// checking the schedule does not take them too (backupDue.ts). While its process lives, a prune in any process leaves that folder
// alone and removes no piece at all: the pieces the backup has stored (or found already stored
// and counts on) are named by no manifest until it finishes. A folder whose process is gone,
// or whose note is older than a day, is an unfinished backup like any other: removed by a prune.
import path from 'node:path';
import type { FileSystem } from './fileSystem.ts';
import { readFileIfExists, writeAll } from './fileSystem.ts';
import { isProcessAlive } from './rootLock.ts';
import type { SlotKind } from '../../shared/backupTypes.ts';

const NOTE = 'in-progress.json';
/** Past this a note is not believed (a process id taken over by another program). */
const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/** The unfinished folders this process is storing a backup in now. */
const ours = new Set<string>();

/** Under the lock, in the just-made `partial` folder: this process is storing a backup there. */
export function noteBackupInProgress(fsys: FileSystem, partial: string, kinds: readonly SlotKind[], now = Date.now()): void {
  const fd = fsys.openSync(path.join(partial, NOTE), 'wx', 0o644);
  try {
    writeAll(fsys, fd, Buffer.from(JSON.stringify({ pid: process.pid, started: new Date(now).toISOString(), kinds })));
  } finally {
    fsys.closeSync(fd);
  }
  ours.add(partial);
}

/** The backup in `partial` is finished or given up: its note goes (before the folder is renamed or removed). */
export function endBackupInProgress(fsys: FileSystem, partial: string): void {
  ours.delete(partial);
  try {
    fsys.unlinkSync(path.join(partial, NOTE));
  } catch {
    // gone with its folder, or never written
  }
}

/** Whether the unfinished folder `partial` is a backup being stored now, by this process or another live one. */
export function backupInProgressIn(fsys: FileSystem, partial: string, now = Date.now()): boolean {
  return liveNote(fsys, partial, now) !== undefined;
}

/** The note of the unfinished folder `partial`, if a backup is being stored there now. */
function liveNote(fsys: FileSystem, partial: string, now: number): { kinds: SlotKind[] } | undefined {
  let note: { pid?: unknown; started?: unknown; kinds?: unknown };
  try {
    const bytes = readFileIfExists(fsys, path.join(partial, NOTE));
    if (!bytes) return ours.has(partial) ? { kinds: [] } : undefined;
    note = JSON.parse(bytes.toString('utf8')) as typeof note;
  } catch {
    return ours.has(partial) ? { kinds: [] } : undefined;
  }
  const kinds = Array.isArray(note.kinds) ? (note.kinds.filter((k) => k === 'daily' || k === 'weekly' || k === 'monthly') as SlotKind[]) : [];
  if (ours.has(partial)) return { kinds };
  const started = typeof note.started === 'string' ? Date.parse(note.started) : NaN;
  if (!Number.isInteger(note.pid) || !Number.isFinite(started) || now - started > STALE_AFTER_MS) return undefined;
  // This process's own note, not in `ours`: left by a backup of ours that could not remove it.
  if (note.pid === process.pid) return undefined;
  return isProcessAlive(note.pid as number) ? { kinds } : undefined;
}

/** The schedule's slots that backups being stored now will fill. */
export function slotsBeingTaken(fsys: FileSystem, backups: string, now = Date.now()): Set<SlotKind> {
  const slots = new Set<SlotKind>();
  for (const name of backupsInProgress(fsys, backups, now)) for (const kind of liveNote(fsys, path.join(backups, name), now)?.kinds ?? []) slots.add(kind);
  return slots;
}

/** The unfinished folders in `backups` that hold a backup being stored now. */
export function backupsInProgress(fsys: FileSystem, backups: string, now = Date.now()): string[] {
  let names: string[];
  try {
    names = fsys.readdirSync(backups);
  } catch {
    return [];
  }
  return names.filter((name) => name.endsWith('.partial') && backupInProgressIn(fsys, path.join(backups, name), now));
}
