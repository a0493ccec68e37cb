// Which backups the policy keeps, as restic's `forget --keep-daily/--keep-weekly/--keep-monthly`
// decides: each rule, on its own, walks the backups from the newest and keeps the newest one of
// each day (week, month) that has any, until it has kept its count. Days without a backup are
// skipped, not counted: after a month away, "keep 7 daily" still keeps seven backups. A backup
// kept by any rule is kept. On top of the rules, two backups are never removed:
// - the newest one whose last check verified (or, when none did, the newest not found damaged):
//   the last good copy survives any policy, even "keep 0";
// - a safety copy (made before a restore, a recovery or an upgrade) younger than SAFETY_DAYS,
//   and one past them that no check a day or more before this one found past them already
//   (backupSafetyExpiry.ts: a clock set ahead for one check does not take it).
// Pure: the same list, policy and time give the same answer, so a preview shows exactly what
// pruning will do.
import { SAFETY_DAYS, SAFETY_KINDS, newestFirst, type BackupKind, type SlotKind } from './backups.ts';
import type { BackupPolicy } from './backupPolicy.ts';
import type { RetentionVerdict } from '../../shared/backupTypes.ts';
import type { Calendar } from './backupCalendar.ts';
import { SAFETY_EXPIRY_CONFIRMED_MS } from './backupSafetyExpiry.ts';

export interface RetentionCandidate {
  readonly id: string;
  readonly created: string;
  readonly kind: BackupKind;
  readonly check?: { readonly ok: boolean } | undefined;
}

/** What the policy does with one backup: the contract's type (shared/backupTypes.ts). */
export type { RetentionVerdict };

const RULES: readonly [SlotKind, keyof BackupPolicy][] = [
  ['daily', 'keepDaily'],
  ['weekly', 'keepWeekly'],
  ['monthly', 'keepMonthly'],
];

/** The backup no policy may remove: the newest verified one, or when none verified, the newest not found damaged. */
export function lastGoodBackup<T extends RetentionCandidate>(backups: readonly T[]): T | undefined {
  const sorted = [...backups].sort(newestFirst);
  return sorted.find((b) => b.check?.ok === true) ?? sorted.find((b) => b.check === undefined);
}

/**
 * The verdict on every backup, newest first. `expirySeen`: when a check first found each safety
 * copy past its days (backupSafetyExpiry.ts); none given, none was.
 */
export function planRetention(
  backups: readonly RetentionCandidate[],
  policy: BackupPolicy,
  now: Date,
  calendar: Calendar,
  expirySeen: ReadonlyMap<string, number> = new Map(),
): RetentionVerdict[] {
  const sorted = [...backups].sort(newestFirst);
  const reasons = new Map<string, string[]>(sorted.map((b) => [b.id, []]));
  const why = (id: string, reason: string) => reasons.get(id)?.push(reason);
  for (const [kind, field] of RULES) {
    const wanted = policy[field];
    let kept = 0;
    let last: string | undefined;
    for (const backup of sorted) {
      if (kept >= wanted) break;
      const time = Date.parse(backup.created);
      if (Number.isNaN(time)) continue;
      const period = calendar.period(kind, time);
      if (period === last) continue;
      last = period;
      kept += 1;
      why(backup.id, `${kind} ${kept}`);
    }
  }
  const good = lastGoodBackup(sorted);
  if (good) why(good.id, good.check?.ok === true ? 'the newest verified backup' : 'the newest backup not found damaged');
  for (const backup of sorted) {
    const time = Date.parse(backup.created);
    // A backup whose time cannot be read cannot be placed in any period: it is kept and reported, never guessed at.
    if (Number.isNaN(time)) why(backup.id, 'its time cannot be read');
    else {
      const held = safetyCopyHeld(backup, now, expirySeen);
      if (held) why(backup.id, held);
    }
  }
  return sorted.map((b) => {
    const list = reasons.get(b.id) ?? [];
    return { id: b.id, created: b.created, kind: b.kind, keep: list.length > 0, reasons: list };
  });
}

/**
 * Why a safety copy (a `before-*` backup) is kept at `now`, or undefined when it is not one or
 * may go: within its SAFETY_DAYS, or past them with no check a day or more before this one
 * having found it so (backupSafetyExpiry.ts). The policy's prune and `backup prune --days` both ask.
 */
export function safetyCopyHeld(backup: RetentionCandidate, now: Date, expirySeen: ReadonlyMap<string, number>): string | undefined {
  if (!SAFETY_KINDS.includes(backup.kind)) return undefined;
  const time = Date.parse(backup.created);
  if (Number.isNaN(time)) return 'its time cannot be read';
  const until = time + SAFETY_DAYS * 86_400_000;
  if (now.getTime() < until) return `a safety copy (${backup.kind}), kept until ${new Date(until).toISOString()}`;
  const seen = expirySeen.get(backup.id);
  if (seen === undefined || seen > now.getTime() || now.getTime() - seen < SAFETY_EXPIRY_CONFIRMED_MS) {
    return `a safety copy (${backup.kind}) past its ${SAFETY_DAYS} days by this check's clock only: removed by a check a day or more after the first that found it so`;
  }
  return undefined;
}

/**
 * The marks after a check at `now`: a safety copy past its days keeps its first mark, or gets
 * one now; one within its days (the clock was set back right) and one no longer listed lose it.
 */
export function safetyExpiryAfter(backups: readonly RetentionCandidate[], now: Date, expirySeen: ReadonlyMap<string, number>): Map<string, number> {
  const marks = new Map<string, number>();
  for (const backup of backups) {
    const time = Date.parse(backup.created);
    if (!SAFETY_KINDS.includes(backup.kind) || Number.isNaN(time) || now.getTime() < time + SAFETY_DAYS * 86_400_000) continue;
    const seen = expirySeen.get(backup.id);
    marks.set(backup.id, seen !== undefined && seen <= now.getTime() ? seen : now.getTime());
  }
  return marks;
}
