// The app's own check of its data, on timers the test moves: a short while after start every
// context is verified; damage the journal can make good is repaired on its own and reported
// afterwards with what was found; damage that needs the person is told once (not every hour)
// and left for the wizard; another program's change is checked a moment after it settles;
// each hourly round also checks the newest backup, so "last verified" stays current.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { renameContext } from '../../electron/core/contexts/contextRename.ts';
import { createBackup, listBackups } from '../../electron/core/backups.ts';
import { applyRecoveryChoice } from '../../electron/core/recoveryChoice.ts';
import { ScheduledVerification, type AutomaticRepairRecord, type HealthVerdict } from '../../electron/core/scheduledVerification.ts';
import type { SchedulerTimers } from '../../electron/core/backupScheduler.ts';
import type { Engine } from '../../electron/core/engine.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { healthMonitorOf } from '../../electron/core/health/healthMonitor.ts';
import { damageFile, recordsOf, type DamageKind } from '../helpers/damage.ts';

afterEach(removeTempDirs);

const HOUR = 3_600_000;

/** Timers the test runs by hand, in order of when they are due. */
class HandTimers implements SchedulerTimers {
  now = 0;
  private queue: { at: number; run: () => void; id: number }[] = [];
  private ids = 0;
  readonly clock = () => new Date(Date.UTC(2027, 0, 4, 9) + this.now);
  set(run: () => void, ms: number): unknown {
    this.ids += 1;
    this.queue.push({ at: this.now + ms, run, id: this.ids });
    return this.ids;
  }
  clear(handle: unknown): void {
    this.queue = this.queue.filter((t) => t.id !== handle);
  }
  pending(): number[] {
    return this.queue.map((t) => t.at - this.now).sort((a, b) => a - b);
  }
  async pass(ms: number, verification: ScheduledVerification): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at);
      const next = this.queue[0];
      if (!next || next.at > end) break;
      this.queue.shift();
      this.now = next.at;
      next.run();
      await verification.idle();
      // The round's own re-arming runs after it settles.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.now = end;
  }
}

async function setUp(options: { repairOnItsOwn?: boolean } = {}) {
  const engine = await openEngine(tempLayout());
  const charts = new ChartService(engine);
  await charts.create('work', { outcome: 'Ship billing to all customers', reality: ['3 pilot customers'], steps: ['Automate invoices', 'Migrate customers'] });
  await charts.create('home', { outcome: 'A tidy garden', reality: ['Weeds'] });
  await engine.flush();
  const time = new HandTimers();
  const health: HealthVerdict[] = [];
  const repaired: AutomaticRepairRecord[] = [];
  const errors: unknown[] = [];
  const verification = new ScheduledVerification(engine, {
    clock: time.clock,
    timers: time,
    startDelayMs: 5_000,
    afterChangeMs: 1_500,
    ...options,
    onHealth: (v) => health.push(v),
    onRepaired: (r) => repaired.push(r),
    onError: (e) => errors.push(e),
  });
  const file = path.join(engine.layout.root, 'charts-work.jsonl');
  return { engine, time, verification, health, repaired, errors, file };
}

let open: Engine | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

describe('the scheduled check of the data', () => {
  it("takes in a write found in a renamed context's file left set aside, and moves it where the context went (the set-aside file as a killed process, or a late in-place writer, leaves it)", async () => {
    const rig = await setUp();
    open = rig.engine;
    await renameContext(rig.engine, 'work', 'job');
    const aside = path.join(rig.engine.layout.root, '.history', 'charts-work.retiring-999999.tmp');
    fs.writeFileSync(aside, JSON.stringify({ type: 'entity', name: 'WrittenLate', entityType: 'note', observations: ['by a program writing in place'] }));
    rig.verification.start();
    await rig.time.pass(5_000, rig.verification);
    expect(await rig.engine.read('job', (state) => [...state.values()].map((r) => r.name))).toContain('WrittenLate');
    expect(fs.existsSync(aside)).toBe(false);
    expect(rig.errors).toEqual([]);
    rig.verification.stop();
  });

  it("tells the health view each context was verified by the schedule, and when (the app's monitor)", async () => {
    const rig = await setUp();
    open = rig.engine;
    const monitor = healthMonitorOf(rig.engine, { clock: rig.time.clock, persist: false });
    rig.verification.start();
    await rig.time.pass(5_000, rig.verification);
    const report = await monitor.report({ now: rig.time.clock() });
    const verified = Object.fromEntries(report.contexts.map((c) => [c.context, c.integrity.lastVerified]));
    expect(verified).toEqual({ home: { at: rig.time.clock().toISOString(), by: 'schedule' }, work: { at: rig.time.clock().toISOString(), by: 'schedule' } });
    rig.verification.stop();
  });

  for (const kind of ['flipped', 'cut', 'deleted'] as DamageKind[]) {
    it(`${kind}: damage the journal makes good is repaired on its own a short while after start, and what was found is kept to show`, async () => {
      const rig = await setUp();
      open = rig.engine;
      const before = recordsOf(rig.file);
      damageFile(rig.file, kind);
      rig.verification.start();
      await rig.time.pass(4_999, rig.verification);
      expect(rig.repaired, 'nothing before the start delay').toEqual([]);
      await rig.time.pass(1, rig.verification);
      expect(rig.repaired.map((r) => r.context)).toEqual(['work']);
      const [repair] = rig.repaired;
      expect(repair?.found.needsChoice).toBe(false);
      if (kind === 'deleted') expect(repair?.found.missingFile).toBe(true);
      else expect(repair?.found.damagedLines.length).toBeGreaterThan(0);
      expect(repair?.outcome.verified.ok).toBe(true);
      await rig.engine.flush();
      expect(recordsOf(rig.file), 'every record is back').toEqual(before);
      expect(rig.health, 'the context is sound again: no alarm left').toEqual([]);
      expect(rig.verification.automaticRepairs()).toHaveLength(1);
      expect(rig.errors).toEqual([]);
      rig.verification.stop();
    });
  }

  it('damage the engine already put right when it read the file is still shown, with the bytes it set aside, and the badge clears', async () => {
    const rig = await setUp();
    open = rig.engine;
    const before = recordsOf(rig.file);
    damageFile(rig.file, 'flipped');
    // The app reads the changed file (the watcher does this), restores the line from the journal and rewrites the file.
    await rig.engine.read('work', () => undefined);
    await rig.engine.flush();
    expect(recordsOf(rig.file)).toEqual(before);
    expect((await rig.engine.listContexts()).find((c) => c.context === 'work')?.health, 'the read left its finding').toBe('damaged');
    await rig.verification.checkNow();
    expect(rig.repaired.map((r) => r.context)).toEqual(['work']);
    const [spot] = rig.repaired[0]?.found.damagedLines ?? [];
    expect(spot?.offset).toBeGreaterThan(0);
    expect(spot?.text.length, 'the damaged bytes, from .recovery/').toBeGreaterThan(10);
    expect(spot?.affected[0]?.source).toEqual({ from: 'journal' });
    expect((await rig.engine.listContexts()).find((c) => c.context === 'work')?.health).toBe('ok');
    await rig.verification.checkNow();
    expect(rig.repaired, 'shown once').toHaveLength(1);
  });

  it('garbage appended needs the person: told once, left for the wizard, and told again when it is sound', async () => {
    const rig = await setUp();
    open = rig.engine;
    damageFile(rig.file, 'garbage');
    rig.verification.start();
    await rig.time.pass(5_000, rig.verification);
    expect(rig.repaired).toEqual([]);
    expect(rig.health).toHaveLength(1);
    expect(rig.health[0]).toMatchObject({ context: 'work', health: 'damaged' });
    expect(rig.health[0]?.findings.join(' ')).toMatch(/charts-work\.jsonl/);
    expect(fs.readFileSync(rig.file).includes(Buffer.from([0xfe, 0xff])), 'the damaged bytes are still there for the wizard').toBe(true);

    await rig.time.pass(HOUR, rig.verification);
    expect(rig.health, 'the hourly round does not repeat what it told').toHaveLength(1);

    await applyRecoveryChoice(rig.engine, 'work', { action: 'repair' });
    await rig.time.pass(HOUR, rig.verification);
    expect(rig.health.at(-1)).toMatchObject({ context: 'work', health: 'ok' });
    rig.verification.stop();
  });

  it("another program's change is checked once it settles, only that context", async () => {
    const rig = await setUp();
    open = rig.engine;
    rig.verification.start();
    await rig.time.pass(5_000, rig.verification);
    expect(rig.verification.status().lastRunAt).toBeDefined();
    const lastFullRound = rig.verification.status().lastRunAt;
    damageFile(rig.file, 'garbage');
    rig.verification.outsideChange('work');
    await rig.time.pass(1_000, rig.verification);
    rig.verification.outsideChange('work');
    await rig.time.pass(1_499, rig.verification);
    expect(rig.health, 'not before the change settled').toEqual([]);
    await rig.time.pass(1, rig.verification);
    expect(rig.health.map((h) => `${h.context}:${h.health}`)).toEqual(['work:damaged']);
    expect(rig.verification.status().lastRunAt, 'a check of one context is not the full round').toBe(lastFullRound);
    rig.verification.stop();
  });

  it('rounds come every hour and check the newest backup; stop leaves no timer', async () => {
    const rig = await setUp();
    open = rig.engine;
    const backup = await createBackup(rig.engine, 'manual');
    const checkedAt = () => listBackups(rig.engine).find((b) => b.id === backup.id)?.check?.at;
    const first = checkedAt();
    rig.verification.start();
    await rig.time.pass(5_000, rig.verification);
    expect(rig.time.pending()).toEqual([HOUR]);
    expect(checkedAt()).not.toBe(first);
    expect(rig.verification.status().nextRunAt).toBe(new Date(rig.time.clock().getTime() + HOUR).toISOString());
    const second = checkedAt();
    await rig.time.pass(HOUR, rig.verification);
    expect(checkedAt()).not.toBe(second);
    rig.verification.stop();
    expect(rig.time.pending()).toEqual([]);
  });

  it('with repairing on its own turned off, damage the journal holds is only told', async () => {
    const rig = await setUp({ repairOnItsOwn: false });
    open = rig.engine;
    damageFile(rig.file, 'flipped');
    rig.verification.start();
    await rig.time.pass(5_000, rig.verification);
    expect(rig.repaired).toEqual([]);
    expect(rig.health.map((h) => h.health)).toEqual(['damaged']);
    rig.verification.stop();
  });
});
