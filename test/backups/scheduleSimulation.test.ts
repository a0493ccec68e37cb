// 400 days of a machine that is on some days and off for up to two weeks at a time, on a clock
// the test moves: after every check (`runDueBackups`, what `tension backup due` and the app's
// timer run) the backups on disk must be exactly the ones the retention policy keeps, as this
// file's own, independently written reading of the policy says; a check after a gap takes one
// backup filling every missed slot kind (never one per missed day); and the newest verified
// backup is never removed, even by a policy that keeps nothing, and even when newer backups
// were found damaged.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { setEntity } from '../../electron/core/knowledgeGraph.ts';
import { createBackup, listBackups, type BackupKind, type SlotKind } from '../../electron/core/backups.ts';
import { verifyBackup } from '../../electron/core/backupChecking.ts';
import { runDueBackups } from '../../electron/core/backupDue.ts';
import { writePolicyUnderLock, type BackupPolicy } from '../../electron/core/backupPolicy.ts';
import { utcCalendar } from '../../electron/core/backupCalendar.ts';
import { memoryTempLayout, openEngine, removeTempDirs } from '../helpers/tempRoot.ts';
import { seededRandom } from '../helpers/seededRandom.ts';

afterEach(removeTempDirs);

const LONG = process.env.TENSION_TORTURE === 'long';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Modelled {
  readonly id: string;
  readonly created: number;
  readonly kind: BackupKind;
  verified: boolean;
}

// ------------------------------------------------------------------ the policy, read independently

const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);
const monthOf = (t: number) => new Date(t).toISOString().slice(0, 7);
/** The Monday (UTC) of the ISO week holding t: weeks compared by their first day. */
const weekOf = (t: number) => dayOf(t - ((new Date(t).getUTCDay() + 6) % 7) * DAY);
const periodOf: Record<SlotKind, (t: number) => string> = { daily: dayOf, weekly: weekOf, monthly: monthOf };

/** What the policy keeps: per rule, the newest backup of each of the N most recent periods that have one; plus the two protections. */
function expectedKept(backups: readonly Modelled[], policy: BackupPolicy, now: number, expirySeen: ReadonlyMap<string, number> = new Map()): Set<string> {
  const keep = new Set<string>();
  const rules: [SlotKind, number][] = [['daily', policy.keepDaily], ['weekly', policy.keepWeekly], ['monthly', policy.keepMonthly]];
  for (const [kind, count] of rules) {
    const newestOfPeriod = new Map<string, Modelled>();
    for (const b of backups) {
      const period = periodOf[kind](b.created);
      const held = newestOfPeriod.get(period);
      if (!held || b.created > held.created || (b.created === held.created && b.id > held.id)) newestOfPeriod.set(period, b);
    }
    const periods = [...newestOfPeriod.keys()].sort().reverse().slice(0, count);
    for (const period of periods) keep.add(newestOfPeriod.get(period)!.id);
  }
  const byTime = [...backups].sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1));
  const newestVerified = byTime.find((b) => b.verified);
  if (newestVerified) keep.add(newestVerified.id);
  // A safety copy: within its 30 days, or past them but first found so by a check less than a day ago.
  for (const b of backups) {
    if (!SAFETY.includes(b.kind)) continue;
    const seen = expirySeen.get(b.id) ?? now;
    if (now - b.created < 30 * DAY || now - seen < DAY) keep.add(b.id);
  }
  return keep;
}

const SAFETY: readonly string[] = ['before-restore', 'before-recovery', 'before-upgrade'];

/** When a check first found each safety copy past its 30 days (kept until a check a day later). */
function expiryMarksAfter(backups: readonly Modelled[], now: number, expirySeen: ReadonlyMap<string, number>): Map<string, number> {
  const marks = new Map<string, number>();
  for (const b of backups) if (SAFETY.includes(b.kind) && now - b.created >= 30 * DAY) marks.set(b.id, expirySeen.get(b.id) ?? now);
  return marks;
}

// ------------------------------------------------------------------ the simulation

async function simulate(seed: number, policy: BackupPolicy, days: number): Promise<{ checks: number; taken: number; catchUps: number; protectedByVerified: number }> {
  const random = seededRandom(seed);
  const between = (a: number, b: number) => a + Math.floor(random() * (b - a + 1));
  const layout = memoryTempLayout();
  const engine = await openEngine(layout);
  await engine.withLock(() => writePolicyUnderLock(engine, policy));
  await engine.transact('work', (s) => setEntity(s, { name: 'plan', entityType: 'note', observations: ['day 0'] }));
  await engine.transact('default', (s) => setEntity(s, { name: 'home', entityType: 'note', observations: ['kept'] }));
  let present: Modelled[] = [];
  let expirySeen = new Map<string, number>();
  const lastTaken: Partial<Record<SlotKind, string>> = {};
  let now = Date.UTC(2026, 0, 1, 8, 30);
  const end = now + days * DAY;
  const stats = { checks: 0, taken: 0, catchUps: 0, protectedByVerified: 0 };
  let step = 0;
  while (now < end) {
    step += 1;
    const gapKind = random();
    // Mostly the machine is on (a check every few hours), sometimes off for days, now and then for up to two weeks.
    const gap = gapKind < 0.6 ? between(1, 30) * HOUR : gapKind < 0.9 ? between(1, 3) * DAY + between(0, 23) * HOUR : between(3, 14) * DAY + between(0, 23) * HOUR;
    const previous = now;
    now += gap;
    const at = new Date(now);
    if (random() < 0.5) await engine.transact('work', (s) => setEntity(s, { name: 'plan', entityType: 'note', observations: [`step ${step}`] }));
    if (random() < 0.05) {
      const manual = await createBackup(engine, 'by hand', { now: new Date(now - 1000) });
      present.push({ id: manual.id, created: now - 1000, kind: 'manual', verified: true });
    }
    if (random() < 0.04) {
      const safety = await createBackup(engine, 'before restoring something', { kind: 'before-restore', now: new Date(now - 500) });
      present.push({ id: safety.id, created: now - 500, kind: 'before-restore', verified: true });
    }
    if (random() < 0.06 && present.length > 0) {
      // A later check found this backup damaged: it no longer counts as verified.
      const victim = present[between(0, present.length - 1)]!;
      fs.writeFileSync(path.join(layout.root, '.backup', victim.id, 'check.json'), JSON.stringify({ at: at.toISOString(), ok: false, problems: ['simulated damage'] }));
      victim.verified = false;
    }

    const due = (['daily', 'weekly', 'monthly'] as const).filter((k) => (k === 'daily' ? policy.keepDaily : k === 'weekly' ? policy.keepWeekly : policy.keepMonthly) > 0 && lastTaken[k] !== periodOf[k](now));
    const report = await runDueBackups(engine, { now: at, calendar: utcCalendar });
    stats.checks += 1;
    const where = `seed ${seed}, check ${stats.checks} at ${at.toISOString()} (previous ${new Date(previous).toISOString()})`;
    expect(report.due, `${where}: the slots due`).toEqual(due);
    if (due.length > 0) {
      // One backup, filling every slot kind that was missed, however long the machine was off.
      expect(report.taken, `${where}: no backup was taken`).toBeDefined();
      expect(report.taken!.kinds).toEqual(due);
      expect(report.taken!.created).toBe(at.toISOString());
      expect(report.taken!.check?.ok).toBe(true);
      present.push({ id: report.taken!.id, created: now, kind: report.taken!.kind, verified: true });
      for (const k of due) lastTaken[k] = periodOf[k](now);
      stats.taken += 1;
      if (now - previous > DAY) stats.catchUps += 1;
    } else {
      expect(report.taken, `${where}: a backup was taken with nothing due`).toBeUndefined();
    }
    const kept = expectedKept(present, policy, now, expirySeen);
    const newestVerified = [...present].sort((a, b) => b.created - a.created).find((b) => b.verified);
    present = present.filter((b) => kept.has(b.id));
    expirySeen = expiryMarksAfter(present, now, expirySeen);
    const listed = listBackups(engine);
    expect(listed.map((b) => b.id).sort(), `${where}: the backups kept`).toEqual(present.map((b) => b.id).sort());
    if (newestVerified) {
      expect(listed.some((b) => b.id === newestVerified.id), `${where}: the newest verified backup ${newestVerified.id} was removed`).toBe(true);
      const byRules = expectedKept(present.map((b) => ({ ...b, verified: false })), policy, now);
      if (!byRules.has(newestVerified.id)) stats.protectedByVerified += 1;
    }
    if (stats.checks % 25 === 0) {
      for (const b of listed) expect(verifyBackup(engine, b.id, { record: false }), `${where}: ${b.id}`).toMatchObject({ ok: true });
    }
  }
  // Nothing but the policy's backups, the pieces they need, the policy, the schedule and the plain copies.
  const names = fs.readdirSync(path.join(layout.root, '.backup')).sort();
  expect(names.filter((n) => n.endsWith('.partial') || n.endsWith('.pruning'))).toEqual([]);
  expect(names).toEqual(expect.arrayContaining(['objects', 'policy.json', 'schedule.json']));
  // The plain copies of the newest daily backup exist only where the policy takes daily backups.
  expect(names.includes('charts-work-backup-daily.jsonl')).toBe(policy.keepDaily > 0);
  await engine.close();
  return stats;
}

const cases: { name: string; policy: BackupPolicy; seed: number }[] = [
  { name: 'the default policy (7 daily, 5 weekly, 12 monthly)', policy: { keepDaily: 7, keepWeekly: 5, keepMonthly: 12 }, seed: 11 },
  { name: 'a policy that keeps nothing (only the protections hold)', policy: { keepDaily: 0, keepWeekly: 0, keepMonthly: 1 }, seed: 29 },
  ...(LONG
    ? [
        { name: 'a short policy (2 daily, 1 weekly, 1 monthly)', policy: { keepDaily: 2, keepWeekly: 1, keepMonthly: 1 }, seed: 5 },
        { name: 'weekly and monthly only', policy: { keepDaily: 0, keepWeekly: 3, keepMonthly: 6 }, seed: 77 },
        { name: 'the default policy, another year', policy: { keepDaily: 7, keepWeekly: 5, keepMonthly: 12 }, seed: 1234 },
      ]
    : []),
];

describe('the backup schedule over 400 simulated days with gaps of up to two weeks', () => {
  it.each(cases)('$name: kept backups match the policy exactly after every check; catch-up takes one backup per missed slot kind', async ({ policy, seed }) => {
    const stats = await simulate(seed, policy, 400);
    expect(stats.checks).toBeGreaterThan(150);
    if (policy.keepDaily > 0) expect(stats.catchUps, 'the simulation seldom caught up after a gap').toBeGreaterThan(20);
    if (policy.keepDaily === 0) expect(stats.protectedByVerified, 'the newest-verified protection was never exercised').toBeGreaterThan(2);
  });
});
