// A SIGKILL at every point (a spread of them in the quick run; every one with
// TENSION_TORTURE=long) of the backup schedule's work, in a real child process killed right
// before or right after its N-th call that can change the disk (backupCrashChild.ts): a
// scheduled check that prunes, backs up, writes the plain copies and prunes again, and pruning
// alone by a tighter policy. After each kill a fresh process must find:
// - every backup it lists verifies (a half-written or half-removed backup is never listed);
// - the last good backup from before (the newest verified one) is still there;
// - nothing listed that is neither from before nor the one being made; the data untouched;
// and after the same check runs again: exactly what an uninterrupted run leaves, no unfinished
// folders, and every stored piece named by some backup (nothing leaked, nothing missing).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { setEntity } from '../../electron/core/knowledgeGraph.ts';
import { createBackup, listBackups } from '../../electron/core/backups.ts';
import { readBackupFile, verifyBackup } from '../../electron/core/backupChecking.ts';
import { runDueBackups } from '../../electron/core/backupDue.ts';
import { pruneByPolicy } from '../../electron/core/backupPruning.ts';
import { writePolicyUnderLock } from '../../electron/core/backupPolicy.ts';
import { storedObjects } from '../../electron/core/backupObjects.ts';
import { utcCalendar } from '../../electron/core/backupCalendar.ts';
import { lastGoodBackup } from '../../electron/core/backupRetention.ts';
import { CRASH_CONCURRENCY, LONG, openRoot, runChildThatKillsItself, sameState, stateOf, type ChildRun } from '../charts/crashSupport.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import type { BackupCrashConfig } from './backupCrashChild.ts';

afterAll(removeTempDirs);

const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(here, 'backupCrashChild.ts');
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 2, 9); // a Monday
const NOW = T0 + 9 * DAY + 3_600_000;

interface Built {
  readonly root: string;
  readonly before: { ids: string[]; lastGood: string; states: Record<string, Record<string, string>> };
}

/** Nine days of scheduled backups and a safety copy, then a change: the next check has a new backup to take and an old one to let go. */
async function buildRoot(op: 'due' | 'prune'): Promise<Built> {
  const root = path.join(tempDir('tension-backup-crash-'), '.coaia');
  const { engine } = await openRoot(root);
  for (let day = 0; day < 9; day += 1) {
    await engine.transact('work', (s) => setEntity(s, { name: 'plan', entityType: 'note', observations: [`day ${day}`, 'x'.repeat(2000)] }));
    await engine.transact('default', (s) => setEntity(s, { name: `home_${day % 3}`, entityType: 'note', observations: [`day ${day}`] }));
    await runDueBackups(engine, { now: new Date(T0 + day * DAY), calendar: utcCalendar });
    if (day === 6) await createBackup(engine, 'before restoring something', { kind: 'before-restore', now: new Date(T0 + day * DAY + 60_000) });
  }
  await engine.transact('work', (s) => setEntity(s, { name: 'plan', entityType: 'note', observations: ['the day of the crash'] }));
  // Pruning alone has more to remove under a tighter policy.
  if (op === 'prune') await engine.withLock(() => writePolicyUnderLock(engine, { keepDaily: 1, keepWeekly: 1, keepMonthly: 0 }));
  const list = listBackups(engine);
  const states = { work: await stateOf(engine, 'work'), default: await stateOf(engine, 'default') };
  await engine.close();
  return { root, before: { ids: list.map((b) => b.id), lastGood: lastGoodBackup(list)!.id, states } };
}

function copyOf(root: string): string {
  const copy = path.join(tempDir('tension-backup-crash-run-'), '.coaia');
  fs.cpSync(root, copy, { recursive: true });
  return copy;
}

async function runOp(root: string, op: 'due' | 'prune'): Promise<void> {
  const { engine } = await openRoot(root);
  if (op === 'due') await runDueBackups(engine, { now: new Date(NOW), calendar: utcCalendar });
  else await pruneByPolicy(engine, { now: new Date(NOW), calendar: utcCalendar });
  await engine.close();
}

/** What a fresh process finds: problems as readable lines. */
async function problemsAfterKill(root: string, built: Built, expected: Set<string>, op: 'due' | 'prune'): Promise<string[]> {
  const problems: string[] = [];
  const { engine } = await openRoot(root);
  try {
    const listed = listBackups(engine);
    for (const b of listed) {
      const check = verifyBackup(engine, b.id, { record: false });
      if (!check.ok) problems.push(`backup ${b.id} is listed but does not verify: ${check.problems.join('; ')}`);
    }
    if (!listed.some((b) => b.id === built.before.lastGood)) problems.push(`the last good backup ${built.before.lastGood} is gone`);
    const allowed = new Set([...built.before.ids, ...expected]);
    for (const b of listed) if (!allowed.has(b.id)) problems.push(`backup ${b.id} is neither from before nor the one being made`);
    if (op === 'prune') for (const id of expected) if (!listed.some((b) => b.id === id)) problems.push(`backup ${id}, which the policy keeps, is gone`);
    for (const context of ['work', 'default']) {
      if (!sameState(await stateOf(engine, context), built.before.states[context]!)) problems.push(`context ${context} changed`);
    }
  } finally {
    await engine.close();
  }
  return problems;
}

/** After the check ran again: exactly the uninterrupted result, no leftovers, no leaked or missing pieces. */
async function problemsAfterRetry(root: string, expected: Set<string>): Promise<string[]> {
  const problems: string[] = [];
  const { engine } = await openRoot(root);
  try {
    const listed = listBackups(engine);
    const ids = listed.map((b) => b.id).sort();
    if (JSON.stringify(ids) !== JSON.stringify([...expected].sort())) problems.push(`after the retry the backups are ${ids.join(', ')}; an uninterrupted run leaves ${[...expected].sort().join(', ')}`);
    const backups = path.join(root, '.backup');
    const leftovers = fs.readdirSync(backups).filter((n) => n.endsWith('.partial') || n.endsWith('.pruning') || n.includes('.tmp-'));
    if (leftovers.length > 0) problems.push(`unfinished folders left: ${leftovers.join(', ')}`);
    const named = new Set(listed.flatMap((b) => b.files.flatMap((f) => (f.chunks ?? []).map((c) => c.sha256))));
    const stored = storedObjects(engine.fs, backups);
    for (const sha of stored.keys()) if (!named.has(sha)) problems.push(`piece ${sha.slice(0, 12)} is stored but no backup names it`);
    for (const sha of named) if (!stored.has(sha)) problems.push(`piece ${sha.slice(0, 12)} is named but missing`);
    for (const b of listed) if (!verifyBackup(engine, b.id, { record: false }).ok) problems.push(`backup ${b.id} does not verify after the retry`);
    // The plain daily copy is the newest daily backup's file, whole.
    const daily = listed.find((b) => b.kinds.includes('daily'));
    const copy = path.join(backups, 'charts-work-backup-daily.jsonl');
    const file = daily?.files.find((f) => f.path === 'charts-work.jsonl');
    if (daily && file && fs.existsSync(copy)) {
      const read = readBackupFile(engine, daily, file);
      if (!('bytes' in read) || !read.bytes.equals(fs.readFileSync(copy))) problems.push(`the plain daily copy is not backup ${daily.id}'s file`);
    }
  } finally {
    await engine.close();
  }
  return problems;
}

/** A spread of kill points in the quick run (the first, the last, four between); every one in the long run. */
function killPoints(last: number): number[] {
  const all = Array.from({ length: last }, (_, i) => i + 1);
  if (LONG) return all;
  const picked = new Set([1, last]);
  for (let i = 1; i <= 4; i += 1) picked.add(Math.round((i * last) / 5));
  return [...picked].filter((n) => n >= 1 && n <= last).sort((a, b) => a - b);
}

async function forEachPoint(points: [when: 'before' | 'after', n: number][], task: (when: 'before' | 'after', n: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < points.length) {
      const point = points[next++]!;
      try {
        await task(point[0], point[1]);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, CRASH_CONCURRENCY) }, worker));
  if (failure !== undefined) throw failure;
}

describe.each(['due', 'prune'] as const)('a SIGKILL during a scheduled %s', (op) => {
  it('never lists a partial backup as good, never loses the last good one, and the check run again finishes the work exactly', async () => {
    const built = await buildRoot(op);
    // The uninterrupted run: how many calls it makes, and what it leaves.
    const golden = copyOf(built.root);
    const config = (root: string, killAt: number | null, when: 'before' | 'after'): BackupCrashConfig => ({ root, op, nowMs: NOW, killAt, when });
    const clean: ChildRun = await runChildThatKillsItself(CHILD, config(golden, null, 'before'));
    expect(clean.error, clean.stderr).toBeUndefined();
    expect(clean.done).toBeDefined();
    const calls = clean.done!.calls;
    const expected = new Set(listBackups((await openRoot(golden)).engine).map((b) => b.id));
    if (op === 'due') expect([...expected].some((id) => !built.before.ids.includes(id)), 'the check took no backup').toBe(true);
    expect(built.before.ids.some((id) => !expected.has(id)), 'the check removed nothing').toBe(true);
    expect(calls).toBeGreaterThan(op === 'due' ? 40 : 10);

    const points = killPoints(calls).flatMap((n) => [['before', n], ['after', n]] as [('before' | 'after'), number][]);
    const failures: string[] = [];
    let kills = 0;
    await forEachPoint(points, async (when, n) => {
      const root = copyOf(built.root);
      const run = await runChildThatKillsItself(CHILD, config(root, n, when));
      if (run.error) throw new Error(`the child failed at ${when} ${n}: ${run.error}`);
      if (!run.kill) return;
      kills += 1;
      const where = `killed ${when} call ${n} (${run.kill.op} ${path.relative(root, run.kill.path.split(' ')[0] ?? '')})`;
      for (const p of await problemsAfterKill(root, built, expected, op)) failures.push(`${where}: ${p}`);
      await runOp(root, op);
      for (const p of await problemsAfterRetry(root, expected)) failures.push(`${where}, then run again: ${p}`);
      fs.rmSync(path.dirname(root), { recursive: true, force: true });
    });
    expect(failures).toEqual([]);
    expect(kills).toBeGreaterThanOrEqual(points.length - 2);
  });
});
