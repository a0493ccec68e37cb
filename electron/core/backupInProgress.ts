// A backup stored outside the data folder's lock (backupCreation.ts) says so in its unfinished
// folder, `<id>.partial/in-progress.json` ({"pid","host","started","slots"}), written under the lock as
// the backup begins. `slots`: the schedule's slots it fills, each with its period (`{"daily":
// "2026-03-10"}`); while it is stored, another process checking the schedule at a moment of the
// same period does not take that slot too (backupDue.ts). While its process lives, a prune in any process leaves that folder
// alone and removes no piece at all: the pieces the backup has stored (or found already stored
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

/** The schedule's slots a backup fills, each with the period it is for (backupCalendar.ts). */
export type SlotPeriods = Partial<Record<SlotKind, string>>;

const NOTE = 'in-progress.json';
/** Past this a note is not believed (a process id taken over by another program). */
const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/** The unfinished folders this process is storing a backup in now. */
const ours = new Set<string>();

/** Under the lock, in the just-made `partial` folder: this process is storing a backup there. */
export function noteBackupInProgress(fsys: FileSystem, partial: string, slots: SlotPeriods, now = Date.now()): void {
  const fd = fsys.openSync(path.join(partial, NOTE), 'wx', 0o644);
  try {
    writeAll(fsys, fd, Buffer.from(JSON.stringify({ pid: process.pid, host: os.hostname(), started: new Date(now).toISOString(), slots })));
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
function liveNote(fsys: FileSystem, partial: string, now: number): { slots: SlotPeriods } | undefined {
  let note: { pid?: unknown; host?: unknown; started?: unknown; slots?: unknown };
  try {
    const bytes = readFileIfExists(fsys, path.join(partial, NOTE));
    if (!bytes) return ours.has(partial) ? { slots: {} } : undefined;
    note = JSON.parse(bytes.toString('utf8')) as typeof note;
  } catch {
    return ours.has(partial) ? { slots: {} } : undefined;
  }
  const slots: SlotPeriods = {};
  if (typeof note.slots === 'object' && note.slots !== null) {
    for (const kind of ['daily', 'weekly', 'monthly'] as const) {
      const period = (note.slots as Record<string, unknown>)[kind];
      if (typeof period === 'string') slots[kind] = period;
    }
  }
  if (ours.has(partial)) return { slots };
  const started = typeof note.started === 'string' ? Date.parse(note.started) : NaN;
  if (!Number.isInteger(note.pid) || !Number.isFinite(started) || now - started > STALE_AFTER_MS) return undefined;
  if (typeof note.host === 'string' && note.host !== os.hostname()) return { slots };
  // This process's own note, not in `ours`: left by a backup of ours that could not remove it.
  if (note.pid === process.pid) return undefined;
  return isProcessAlive(note.pid as number) ? { slots } : undefined;
}

/** The schedule's slots that backups being stored now will fill, each with the periods they fill it for. */
export function slotsBeingTaken(fsys: FileSystem, backups: string, now = Date.now()): Map<SlotKind, Set<string>> {
  const taken = new Map<SlotKind, Set<string>>();
  for (const name of backupsInProgress(fsys, backups, now)) {
    for (const [kind, period] of Object.entries(liveNote(fsys, path.join(backups, name), now)?.slots ?? {}) as [SlotKind, string][]) {
      let periods = taken.get(kind);
      if (!periods) taken.set(kind, (periods = new Set()));
      periods.add(period);
    }
  }
  return taken;
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
