// The app's backup timer on a clock the test moves: the catch-up at start comes after a short
// delay and takes one backup for every missed slot kind; then slots are taken as they come (a
// daily one each day, the weekly on Mondays); a clock that jumps forward (a laptop asleep) or
// back never makes a slot be skipped or taken twice; a backup that fails is retried; a disk too
// full for one gives a clear warning, writes nothing, and the backup is taken once room is back.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { setEntity } from '../../electron/core/knowledgeGraph.ts';
import { listBackups } from '../../electron/core/backups.ts';
import { BackupScheduler, type SchedulerEvent, type SchedulerTimers } from '../../electron/core/backupScheduler.ts';
import { utcCalendar } from '../../electron/core/backupCalendar.ts';
import type { Engine } from '../../electron/core/engine.ts';
import { FaultyFileSystem } from '../faults/faultyFileSystem.ts';
import { memoryTempLayout, openEngine, removeTempDirs } from '../helpers/tempRoot.ts';
import { holdLockInChild, killLockHolders } from '../helpers/lockHolderChild.ts';

afterEach(removeTempDirs);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A wall clock and timers the test moves. Timers run on their own steady time (as Node's do),
 * so the wall clock can jump without them noticing, as when the system clock is set.
 */
class MovedTime implements SchedulerTimers {
  wall: number;
  private steady = 0;
  private queue: { at: number; run: () => void; id: number }[] = [];
  private ids = 0;

  constructor(start: number) {
    this.wall = start;
  }

  readonly clock = () => new Date(this.wall);

  set(run: () => void, ms: number): unknown {
    this.ids += 1;
    this.queue.push({ at: this.steady + ms, run, id: this.ids });
    return this.ids;
  }

  clear(handle: unknown): void {
    this.queue = this.queue.filter((t) => t.id !== handle);
  }

  /** Lets `ms` pass on both clocks, running each timer when its time comes (and the work it starts). */
  async pass(ms: number, scheduler: BackupScheduler): Promise<void> {
    const end = this.steady + ms;
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at);
      const next = this.queue[0];
      if (!next || next.at > end) break;
      this.queue.shift();
      this.wall += next.at - this.steady;
      this.steady = next.at;
      next.run();
      await scheduler.idle();
    }
    this.wall += end - this.steady;
    this.steady = end;
  }

  /** The wall clock jumps; the timers' steady time does not. */
  jump(ms: number): void {
    this.wall += ms;
  }
}

async function setUp(start: number, options: { fs?: FaultyFileSystem; freeBytes?: () => number; recheckMs?: number; lockTimeoutMs?: number } = {}) {
  const layout = memoryTempLayout();
  const engine = await openEngine(layout, { ...(options.fs ? { fs: options.fs } : {}), ...(options.lockTimeoutMs ? { lockTimeoutMs: options.lockTimeoutMs } : {}) });
  await engine.transact('work', (s) => setEntity(s, { name: 'plan', entityType: 'note', observations: ['kept safe'] }));
  const time = new MovedTime(start);
  const events: SchedulerEvent[] = [];
  const scheduler = new BackupScheduler(engine, {
    clock: time.clock,
    timers: time,
    calendar: utcCalendar,
    startDelayMs: 30_000,
    recheckMs: options.recheckMs ?? 10 * MINUTE,
    retryMs: 5 * MINUTE,
    ...(options.freeBytes ? { freeBytes: options.freeBytes } : {}),
    onEvent: (event) => events.push(event),
  });
  return { layout, engine, time, events, scheduler };
}

const taken = (engine: Engine) => listBackups(engine).map((b) => `${b.created.slice(0, 16)} ${b.kinds.join('+')}`).reverse();

describe('the backup timer', () => {
  it('catches up once after a short delay, then takes each slot as it comes, a week long', async () => {
    // Saturday 7 March 2026, 08:00 UTC: the app starts.
    // Checks every 3 hours between midnights (10 minutes by default): the days are what is tested here.
    const { engine, time, scheduler } = await setUp(Date.UTC(2026, 2, 7, 8), { recheckMs: 3 * HOUR });
    scheduler.start();
    await time.pass(29_000, scheduler);
    expect(taken(engine), 'a backup before the start-up delay').toEqual([]);
    await time.pass(1_000, scheduler);
    expect(taken(engine)).toEqual(['2026-03-07T08:00 daily+weekly+monthly']);
    await time.pass(7 * DAY, scheduler);
    // Eight backups taken; the policy (7 daily, 5 weekly, 12 monthly) keeps the newest of each
    // of the last 7 days, of each week (Sunday the 8th for the first) and of the month: the
    // catch-up of Saturday the 7th is no longer any period's newest, and went.
    expect(taken(engine)).toEqual([
      '2026-03-08T00:00 daily',
      '2026-03-09T00:00 daily+weekly', // Monday
      '2026-03-10T00:00 daily',
      '2026-03-11T00:00 daily',
      '2026-03-12T00:00 daily',
      '2026-03-13T00:00 daily',
      '2026-03-14T00:00 daily',
    ]);
    expect(scheduler.status()).toMatchObject({ running: true, failures: 0 });
    scheduler.stop();
    await engine.close();
  });

  it('survives the clock jumping: forward (asleep for days) takes one catch-up; back never takes a slot twice', async () => {
    const { engine, time, scheduler } = await setUp(Date.UTC(2026, 2, 9, 12));
    scheduler.start();
    await time.pass(HOUR, scheduler);
    expect(taken(engine)).toEqual(['2026-03-09T12:00 daily+weekly+monthly']);
    // Asleep until Thursday afternoon: the timer had planned for midnight; one check after waking catches up once.
    time.jump(3 * DAY + 3 * HOUR);
    await time.pass(10 * MINUTE, scheduler);
    expect(taken(engine)).toEqual(['2026-03-09T12:00 daily+weekly+monthly', '2026-03-12T16:00 daily']);
    // The clock is set back a day (to Wednesday, which has no backup) and then forward again.
    time.jump(-DAY);
    await time.pass(10 * MINUTE, scheduler);
    time.jump(DAY);
    await time.pass(30 * MINUTE, scheduler);
    const list = taken(engine);
    expect(list.filter((b) => b.startsWith('2026-03-12')), 'Thursday taken twice').toHaveLength(1);
    expect(list.filter((b) => b.startsWith('2026-03-11'))).toHaveLength(1);
    scheduler.stop();
    await engine.close();
  });

  it('a backup that fails is retried, sooner at first, and taken once the cause is gone', async () => {
    const fsys = new FaultyFileSystem();
    const { layout, engine, time, events, scheduler } = await setUp(Date.UTC(2026, 2, 9, 12), { fs: fsys });
    // Every write into the backups folder fails: an I/O error that persists.
    fsys.arm({ ops: ['openSync'], path: /\.backup/, when: (call) => call.mutates, nth: 1, mode: 'persist', effect: { kind: 'errno', errno: 'EIO' } });
    scheduler.start();
    await time.pass(30_000, scheduler);
    await time.pass(5 * MINUTE, scheduler);
    const failures = events.filter((e): e is Extract<SchedulerEvent, { type: 'backup-failed' }> => e.type === 'backup-failed');
    expect(failures.map((f) => f.failures)).toEqual([1, 2]);
    expect(failures[0]).toMatchObject({ lowDisk: false, error: { code: 'IO_ERROR' } });
    expect(Date.parse(failures[1]!.retryAt) - Date.parse(failures[1]!.at)).toBe(10 * MINUTE);
    expect(listBackups(engine)).toEqual([]);
    expect(fs.readdirSync(path.join(layout.root, '.backup')).filter((n) => n.endsWith('.partial'))).toEqual([]);
    fsys.disarm();
    await time.pass(10 * MINUTE, scheduler);
    expect(taken(engine)).toEqual(['2026-03-09T12:15 daily+weekly+monthly']);
    expect(scheduler.status()).toMatchObject({ failures: 0, lastError: undefined });
    scheduler.stop();
    await engine.close();
  });

  it('another process holding the lock past the wait puts the backup off quietly a minute at a time, five times, then it is a failure; once the lock is free it is taken', async () => {
    const { layout, engine, time, events, scheduler } = await setUp(Date.UTC(2026, 2, 9, 12), { lockTimeoutMs: 300 });
    const holder = await holdLockInChild(layout); // a real process, alive, keeping its lock fresh
    try {
      scheduler.start();
      await time.pass(30_000, scheduler);
      for (let i = 0; i < 4; i += 1) await time.pass(MINUTE, scheduler);
      const postponed = events.filter((e): e is Extract<SchedulerEvent, { type: 'backup-postponed' }> => e.type === 'backup-postponed');
      expect(postponed).toHaveLength(5);
      expect(postponed[0]?.reason).toMatch(/Another Tension Desk process has held/);
      expect(Date.parse(postponed[0]!.retryAt) - Date.parse(postponed[0]!.at)).toBe(MINUTE);
      expect(events.filter((e) => e.type === 'backup-failed'), 'not a failure yet').toEqual([]);
      expect(scheduler.status()).toMatchObject({ failures: 0 });
      await time.pass(MINUTE, scheduler);
      const failed = events.filter((e): e is Extract<SchedulerEvent, { type: 'backup-failed' }> => e.type === 'backup-failed');
      expect(failed.map((f) => [f.failures, f.error.code])).toEqual([[1, 'BUSY']]);
    } finally {
      killLockHolders(); // SIGKILL: its lock is left behind, stale; the next check reclaims it
    }
    expect(holder.pid).toBeGreaterThan(0);
    await time.pass(5 * MINUTE, scheduler);
    expect(taken(engine)).toEqual(['2026-03-09T12:10 daily+weekly+monthly']); // the failure at 12:05:30, retried 5 minutes later
    expect(scheduler.status()).toMatchObject({ failures: 0, lastError: undefined });
    scheduler.stop();
    await engine.close();
  });

  it('a disk too full for a backup gives a clear warning, writes nothing, and the backup is taken when room is back', async () => {
    let free = 1_000;
    const { layout, engine, time, events, scheduler } = await setUp(Date.UTC(2026, 2, 9, 12), { freeBytes: () => free });
    scheduler.start();
    await time.pass(30_000, scheduler);
    const warning = events.find((e): e is Extract<SchedulerEvent, { type: 'backup-failed' }> => e.type === 'backup-failed');
    expect(warning).toMatchObject({ lowDisk: true, error: { code: 'DISK_FULL', message: expect.stringMatching(/^Not enough free space for a backup: it needs about .*, and only 1000 bytes is free on the disk of .*\.backup\. Nothing was written; there is no earlier backup yet\./) } });
    expect(fs.existsSync(path.join(layout.root, '.backup'))).toBe(false);
    free = 10 ** 9;
    await time.pass(5 * MINUTE, scheduler);
    expect(taken(engine)).toEqual(['2026-03-09T12:05 daily+weekly+monthly']);
    scheduler.stop();
    await engine.close();
  });
});
