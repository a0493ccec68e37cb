// A backup stored outside the data folder's lock (backupCreation.ts) says so in its unfinished
// folder, `<id>.partial/in-progress.json` ({"pid","host","started","created","kinds"}), written
// under the lock as the backup begins. `kinds`: the schedule's slots it fills, for the periods
// its `created` time falls in (each reader works them out with its own calendar, as it does for
// a finished backup's); while it is stored, another process checking the schedule in the same
// period does not take that slot too (backupDue.ts). While its process lives, a prune in any
// process leaves that folder alone and removes no piece at all: the pieces the backup has stored (or found already stored
// and counts on) are named by no manifest until it finishes. A folder whose process is gone,
// or whose note is older than a day, is an unfinished backup like any other: removed by a prune.
// A note written on another machine (a folder shared by two) is believed for its day: whether
// its process lives cannot be told from here (as the lock's owner note, rootLock.ts).
import os from 'node:os';
import path from 'node:path';
import type { FileSystem } from './fileSystem.ts';
import { readFileIfExists, writeAll } from './fileSystem.ts';
import { isProcessAlive } from './rootLock.ts';
import type { SlotKind } from '../../shared/backupTypes.ts';

/** The schedule's slots a backup being stored fills, and its time (the periods are the reader's to work out). */
export interface SlotClaim {
  readonly kinds: readonly SlotKind[];
  readonly created: number;
}

const NOTE = 'in-progress.json';
/** Past this a note is not believed (a process id taken over by another program). */
const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/** The unfinished folders this process is storing a backup in now. */
const ours = new Set<string>();

/** Under the lock, in the just-made `partial` folder: this process is storing a backup there. */
export function noteBackupInProgress(fsys: FileSystem, partial: string, claim: SlotClaim, now = Date.now()): void {
  const fd = fsys.openSync(path.join(partial, NOTE), 'wx', 0o644);
  try {
    const note = { pid: process.pid, host: os.hostname(), started: new Date(now).toISOString(), created: new Date(claim.created).toISOString(), kinds: claim.kinds };
    writeAll(fsys, fd, Buffer.from(JSON.stringify(note)));
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
function liveNote(fsys: FileSystem, partial: string, now: number): SlotClaim | undefined {
  const none: SlotClaim = { kinds: [], created: 0 };
  let note: { pid?: unknown; host?: unknown; started?: unknown; created?: unknown; kinds?: unknown };
  try {
    const bytes = readFileIfExists(fsys, path.join(partial, NOTE));
    if (!bytes) return ours.has(partial) ? none : undefined;
    note = JSON.parse(bytes.toString('utf8')) as typeof note;
  } catch {
    return ours.has(partial) ? none : undefined;
  }
  const created = typeof note.created === 'string' ? Date.parse(note.created) : NaN;
  const kinds = Array.isArray(note.kinds) && Number.isFinite(created) ? (note.kinds.filter((k) => k === 'daily' || k === 'weekly' || k === 'monthly') as SlotKind[]) : [];
  const claim: SlotClaim = { kinds, created: Number.isFinite(created) ? created : 0 };
  if (ours.has(partial)) return claim;
  const started = typeof note.started === 'string' ? Date.parse(note.started) : NaN;
  if (!Number.isInteger(note.pid) || !Number.isFinite(started) || now - started > STALE_AFTER_MS) return undefined;
  if (typeof note.host === 'string' && note.host !== os.hostname()) return claim;
  // This process's own note, not in `ours`: left by a backup of ours that could not remove it.
  if (note.pid === process.pid) return undefined;
  return isProcessAlive(note.pid as number) ? claim : undefined;
}

/** The schedule's slots that backups being stored now will fill. */
export function slotsBeingTaken(fsys: FileSystem, backups: string, now = Date.now()): SlotClaim[] {
  return liveNotes(fsys, backups, now).flatMap(({ claim }) => (claim.kinds.length > 0 ? [claim] : []));
}

/** The unfinished folders in `backups` that hold a backup being stored now. */
export function backupsInProgress(fsys: FileSystem, backups: string, now = Date.now()): string[] {
  return liveNotes(fsys, backups, now).map(({ name }) => name);
}

/** Each unfinished folder in `backups` with a backup being stored now, and its note (each read once). */
function liveNotes(fsys: FileSystem, backups: string, now: number): { name: string; claim: SlotClaim }[] {
  let names: string[];
  try {
    names = fsys.readdirSync(backups);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const claim = name.endsWith('.partial') ? liveNote(fsys, path.join(backups, name), now) : undefined;
    return claim ? [{ name, claim }] : [];
  });
}
