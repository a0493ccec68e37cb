// What the main process runs while the app is open, and what the windows are told: the
// scheduled backup (its progress, then "taken" or a failure in words, a full disk said as such),
// damage found by the scheduled check (health.changed), a repair made on its own
// (recovery.repaired, with what was found); a folder opened read-only runs no backup timer.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBackgroundWork, backupStatusOf, type BackgroundWork } from '../../electron/app/backgroundWork.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { listBackups } from '../../electron/core/backups.ts';
import { EngineError } from '../../electron/core/errors.ts';
import type { Engine } from '../../electron/core/engine.ts';
import type { EventName, Events } from '../../shared/contract.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { damageFile } from '../helpers/damage.ts';

afterEach(removeTempDirs);

let engine: Engine | undefined;
let work: BackgroundWork | undefined;
afterEach(async () => {
  await work?.stop();
  await engine?.close();
  work = undefined;
  engine = undefined;
});

let seen: unknown[] = [];
async function until(what: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error(`timed out; the last events: ${JSON.stringify(seen).slice(-600)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the background work of the app', () => {
  it('finds damage a moment after start and tells the windows; repairs what needs no choice and shows it; a scheduled backup is told with its progress', async () => {
    engine = await openEngine(tempLayout());
    const charts = new ChartService(engine);
    await charts.create('work', { outcome: 'Ship billing', reality: ['3 pilots'], steps: ['Automate invoices'] });
    await charts.create('home', { outcome: 'A tidy garden', reality: ['Weeds'] });
    await engine.flush();
    damageFile(path.join(engine.layout.root, 'charts-home.jsonl'), 'garbage');
    damageFile(path.join(engine.layout.root, 'charts-work.jsonl'), 'flipped');
    const events: { event: EventName; payload: unknown }[] = [];
    const logged: string[] = [];
    seen = events;
    work = startBackgroundWork(engine, <E extends EventName>(event: E, payload: Events[E]) => void events.push({ event, payload }), (m) => logged.push(m), {
      // The check first (a backup flushes the contexts, and a rewrite sets damaged bytes aside on
      // its own); the backup's own start delay is tested in backupScheduler.test.ts.
      scheduler: { startDelayMs: 600_000 },
      verification: { startDelayMs: 30 },
    });
    await until(() => events.some((e) => e.event === 'health.changed') && events.some((e) => e.event === 'recovery.repaired'));
    await work.verification.idle();
    await work.scheduler?.checkNow();
    await work.scheduler?.idle();
    await work.verification.idle();

    const status = events.find((e) => e.event === 'backup.status')?.payload as Events['backup.status'];
    expect(status.outcome).toBe('taken');
    expect(status.message).toMatch(/^Took the daily, weekly, monthly backup/);
    expect(listBackups(engine).map((b) => b.id)).toContain(status.backup);
    expect(events.some((e) => e.event === 'backup.progress')).toBe(true);

    const health = events.filter((e) => e.event === 'health.changed').map((e) => e.payload as Events['health.changed']);
    expect(health.map((h) => `${h.context}:${h.health}`)).toEqual(['home:damaged']);
    const repaired = events.filter((e) => e.event === 'recovery.repaired').map((e) => e.payload as Events['recovery.repaired']);
    expect(repaired.map((r) => r.context)).toEqual(['work']);
    expect(repaired[0]?.found.damagedLines.length).toBeGreaterThan(0);
    expect(repaired[0]?.outcome.verified.ok).toBe(true);
    expect(work.verification.automaticRepairs()).toHaveLength(1);
    expect(logged).toEqual([]);
  });

  it('a failed scheduled backup is said in words, a full disk as such, with when it is tried again', () => {
    const failed = backupStatusOf({
      type: 'backup-failed',
      at: '2027-01-04T09:00:00.000Z',
      error: new EngineError('DISK_FULL', 'Only 2 MB free on /home; the backup needs 40 MB.').toJSON(),
      lowDisk: true,
      retryAt: '2027-01-04T09:05:00.000Z',
      failures: 1,
    });
    expect(failed).toEqual({
      at: '2027-01-04T09:00:00.000Z',
      outcome: 'failed',
      message: 'The disk is too full for the scheduled backup: Only 2 MB free on /home; the backup needs 40 MB. Every earlier backup is kept; it is tried again at 2027-01-04T09:05:00.000Z.',
      lowDisk: true,
      retryAt: '2027-01-04T09:05:00.000Z',
    });
    expect(backupStatusOf({ type: 'progress', progress: { phase: 'storing', done: 1, total: 2 } })).toBeUndefined();
  });

  it('a data folder opened read-only runs the check but no backup timer', async () => {
    const layout = tempLayout();
    const first = await openEngine(layout);
    await new ChartService(first).create('work', { outcome: 'Ship billing', reality: ['3 pilots'] });
    await first.close();
    engine = await openEngine(layout, { readOnly: true });
    work = startBackgroundWork(engine, () => undefined, () => undefined, { verification: { startDelayMs: 10 } });
    expect(work.scheduler).toBeUndefined();
    const round = await work.verification.checkNow();
    expect(round.verdicts.map((v) => v.health)).toEqual(['ok']);
  });
});
