// Which slots of the schedule are due, as anacron and systemd's `Persistent=true` decide: a slot
// (today's daily backup, this week's weekly, this month's monthly) is due when it has not been
// taken in its period. A slot missed while the machine was off is therefore taken once, at the
// next check, however many periods passed, and never repeated. What was taken is remembered in
// `.backup/schedule.json` (anacron keeps one time stamp per job the same way), and also shown by
// the backups themselves (each lists the slots it filled), so losing either one costs at most
// one extra backup.
import path from 'node:path';
import type { Engine } from './engine.ts';
import { rootPaths } from './dataRoot.ts';
import { readFileIfExists } from './fileSystem.ts';
import { replaceFileAtomically } from './atomicFile.ts';
import { SLOT_KINDS, type BackupInfo, type SlotKind } from './backups.ts';
import type { BackupPolicy } from './backupPolicy.ts';
import type { Calendar } from './backupCalendar.ts';

/**
 * The period in which each slot was last taken (`{"daily":"2026-03-09","weekly":"2026-W11",…}`),
 * and which backup the plain daily and weekly copies were last made from (backupNamedCopies.ts).
 */
export type ScheduleStamp = Partial<Record<SlotKind, string>> & { copies?: Partial<Record<'daily' | 'weekly', string>> };

const KEEP_FIELD: Record<SlotKind, keyof BackupPolicy> = { daily: 'keepDaily', weekly: 'keepWeekly', monthly: 'keepMonthly' };

export function scheduleFile(engine: Engine): string {
  return path.join(rootPaths(engine.layout).backups, 'schedule.json');
}

export function readStamp(engine: Engine): ScheduleStamp {
  try {
    const bytes = readFileIfExists(engine.fs, scheduleFile(engine));
    if (!bytes) return {};
    const value = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    const stamp: ScheduleStamp = Object.fromEntries(SLOT_KINDS.filter((k) => typeof value[k] === 'string').map((k) => [k, value[k] as string]));
    const copies = value.copies as Record<string, unknown> | undefined;
    if (typeof copies === 'object' && copies !== null) {
      stamp.copies = Object.fromEntries((['daily', 'weekly'] as const).filter((k) => typeof copies[k] === 'string').map((k) => [k, copies[k] as string]));
    }
    return stamp;
  } catch {
    // Unreadable: the backups' own slots still say what was taken.
    return {};
  }
}

/** Under the lock, after the backup filling `slots` is complete. */
export function writeStampUnderLock(engine: Engine, stamp: ScheduleStamp): void {
  replaceFileAtomically(engine.fs, scheduleFile(engine), `${JSON.stringify({ format: 1, ...stamp })}\n`);
}

/**
 * The slots due at `now`: each kind the policy keeps any of whose current period has no backup
 * for that slot, neither remembered in the stamp nor shown by a listed backup.
 */
export function dueSlots(policy: BackupPolicy, stamp: ScheduleStamp, backups: readonly Pick<BackupInfo, 'created' | 'kinds'>[], now: Date, calendar: Calendar): SlotKind[] {
  return SLOT_KINDS.filter((kind) => {
    if (policy[KEEP_FIELD[kind]] === 0) return false;
    const period = calendar.period(kind, now.getTime());
    if (stamp[kind] === period) return false;
    return !backups.some((b) => b.kinds.includes(kind) && calendar.period(kind, Date.parse(b.created)) === period);
  });
}

/** The stamp after a backup filling `slots` at `now`. */
export function stampAfter(stamp: ScheduleStamp, slots: readonly SlotKind[], now: Date, calendar: Calendar): ScheduleStamp {
  const next: ScheduleStamp = { ...stamp };
  for (const kind of slots) next[kind] = calendar.period(kind, now.getTime());
  return next;
}
