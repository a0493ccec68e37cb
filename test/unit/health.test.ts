// The health of a data root, from journals and files built for the purpose: changes per day by
// origin and outside rewrites equal what was written, journal growth equals the bytes appended
// each day, free space and the days until full follow the probe's figure, damage is told once
// and in plain words, the timings count what the engine did (failures too), and freeing space
// removes exactly what the retention policy no longer keeps.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthMonitor } from '../../electron/core/health/healthMonitor.ts';
import { contextPaths } from '../../electron/core/dataRoot.ts';
import { EngineError } from '../../electron/core/errors.ts';
import { createBackup, listBackups } from '../../electron/core/backups.ts';
import { writePolicyUnderLock } from '../../electron/core/backupPolicy.ts';
import { recoverAll } from '../../electron/core/recover.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { JournalBuilder, chartRecords, realityEntity, set, stepEntity } from '../helpers/builtJournal.ts';
import type { DataLayout } from '../../electron/core/dataRoot.ts';

afterEach(removeTempDirs);

const NOW = new Date('2026-03-27T12:00:00.000Z');
const GIB = 1024 ** 3;
const pointAt = (points: readonly { date: string; value: number }[], date: string) => points.find((p) => p.date === date)?.value;

/** Two weeks of changes by every kind of writer, and the context file written from the journal. */
async function builtRoot(): Promise<{ layout: DataLayout; journal: JournalBuilder }> {
  const layout = tempLayout();
  const journal = new JournalBuilder(layout, 'work', '2026-03-10T00:00:00.000Z');
  journal.commit('2026-03-10T09:00:00.000Z', 'app', chartRecords('A', 2).map(set));
  journal.commit('2026-03-10T09:05:00.000Z', 'app', [set(stepEntity('A', 1, { completionStatus: true }))]);
  journal.commit('2026-03-12T15:00:00.000Z', 'cli', chartRecords('B', 1).map(set));
  journal.commit('2026-03-20T08:00:00.000Z', 'mcp', [set(realityEntity('B', ['asked an assistant']))], { note: 'MCP client claude-code 2.1.0' });
  journal.commit('2026-03-20T08:01:00.000Z', 'mcp', [set(realityEntity('A', ['and again']))], { note: 'MCP client cursor 1.0' });
  journal.commit('2026-03-20T08:02:00.000Z', 'mcp', [set(realityEntity('A', ['and once more']))], { note: 'MCP client claude-code 2.1.0' });
  journal.commit('2026-03-21T10:00:00.000Z', 'external', [set(realityEntity('B', ['a peer wrote this']))], { fileDiffers: [] });
  journal.commit('2026-03-21T11:00:00.000Z', 'external', [set(realityEntity('B', ['and this']))], { fileDiffers: [] });
  journal.commit('2026-03-24T10:00:00.000Z', 'external', [set(realityEntity('A', ['a third rewrite']))], { fileDiffers: [] });
  // The context file, as Tension Desk would write it from that journal.
  const engine = await openEngine(layout);
  await engine.read('work', () => undefined);
  await engine.flush();
  await engine.close();
  return { layout, journal };
}

async function monitorOf(layout: DataLayout, free: number | undefined = 100 * GIB, clock = () => NOW) {
  const engine = await openEngine(layout);
  return { engine, monitor: new HealthMonitor(engine, { clock, freeBytes: () => free }) };
}

describe('health of a data root', () => {
  it('changes per day by origin, assistants by name and outside rewrites per day equal the journal', async () => {
    const { layout } = await builtRoot();
    const { engine, monitor } = await monitorOf(layout);
    const report = await monitor.report({ days: 30 });
    expect(report.days).toEqual({ from: '2026-02-26', to: '2026-03-27' });
    const byOrigin = Object.fromEntries(report.activity.byOrigin.map((o) => [o.origin, o]));
    expect(Object.keys(byOrigin)).toEqual(['app', 'cli', 'mcp', 'external']);
    expect(byOrigin.app?.label).toBe('this app');
    expect(byOrigin.app?.total).toBe(2);
    expect(pointAt(byOrigin.app!.perDay, '2026-03-10')).toBe(2);
    expect(pointAt(byOrigin.cli!.perDay, '2026-03-12')).toBe(1);
    expect(pointAt(byOrigin.mcp!.perDay, '2026-03-20')).toBe(3);
    expect(byOrigin.app?.perDay).toHaveLength(30);
    expect(pointAt(report.activity.outsideRewritesPerDay, '2026-03-21')).toBe(2);
    expect(pointAt(report.activity.outsideRewritesPerDay, '2026-03-24')).toBe(1);
    expect(pointAt(report.activity.outsideRewritesPerDay, '2026-03-22')).toBe(0);
    expect(report.activity.outsideRewrites).toBe(3);
    expect(report.activity.lastOutsideRewrite).toBe('2026-03-24T10:00:00.000Z');
    expect(report.activity.assistants).toEqual([{ name: 'claude-code', changes: 2 }, { name: 'cursor', changes: 1 }]);
    // The same figures for the one context.
    expect(report.contexts.map((c) => c.context)).toEqual(['work']);
    expect(report.contexts[0]?.activity).toEqual(report.activity);
    await engine.close();
  });

  it('journal growth is the bytes appended each day; days until full follow the free space and the rate', async () => {
    const { layout, journal } = await builtRoot();
    const { engine, monitor } = await monitorOf(layout, 2 * GIB);
    const report = await monitor.report({ days: 30 });
    const size = fs.statSync(journal.path).size;
    const growth = report.contexts[0]!.capacity.journalGrowth;
    // The size at the end of each day: the header, and every line appended up to that day (the
    // snapshot line the flush wrote carries today's real date, after the days shown).
    const header = fs.readFileSync(journal.path, 'utf8').indexOf('\n') + 1;
    let running = header;
    for (const point of growth) {
      running += journal.bytesByDay.get(point.date) ?? 0;
      expect(point.value, point.date).toBe(running);
    }
    expect(growth.at(-1)?.value).toBeLessThan(size);
    expect(report.capacity.journalBytes).toBe(size);
    expect(report.capacity.contextFileBytes).toBe(fs.statSync(contextPaths(layout, 'work').file).size);
    const appendedInRange = [...journal.bytesByDay.values()].reduce((a, b) => a + b, 0);
    expect(report.capacity.growthPerDay).toBe(Math.round(appendedInRange / 30));
    expect(report.capacity.freeBytes).toBe(2 * GIB);
    expect(report.capacity.daysUntilFull).toBe(Math.floor((2 * GIB) / Math.round(appendedInRange / 30)));
    expect(report.capacity.low).toBe(false);
    expect(report.notices.map((n) => n.id)).toEqual(['backup-stale:none']);
    await engine.close();
  });

  it('low space says so once, names what would free room, and frees exactly that on request', async () => {
    const { layout } = await builtRoot();
    const engine = await openEngine(layout);
    await engine.withLock(() => writePolicyUnderLock(engine, { keepDaily: 1, keepWeekly: 0, keepMonthly: 0 }));
    for (const day of ['2026-03-20', '2026-03-24', '2026-03-26']) await createBackup(engine, 'daily', { kind: 'daily', kinds: ['daily'], now: new Date(`${day}T03:00:00.000Z`) });
    await engine.close();
    const { engine: e, monitor } = await monitorOf(layout, 10 * 1024 * 1024);
    const report = await monitor.report();
    expect(report.capacity.low).toBe(true);
    expect(report.backups.backups).toBe(3);
    const remedy = report.capacity.remedies[0]!;
    expect(remedy.action).toBe('prune-backups');
    expect([...remedy.backups].sort()).toEqual(listBackups(e).filter((b) => !b.id.startsWith('2026-03-26')).map((b) => b.id).sort());
    const low = report.notices.find((n) => n.id === 'low-space')!;
    expect(low.message).toContain('Only 10 MB is free');
    expect(low.action.command).toBe('tension health free-space');
    expect(monitor.freshNotices(report).map((n) => n.id)).toContain('low-space');
    expect(monitor.freshNotices(await monitor.report()).map((n) => n.id)).toEqual([]); // told once
    const freed = await monitor.freeSpace();
    expect([...freed.removed].sort()).toEqual([...remedy.backups].sort());
    expect(listBackups(e).map((b) => b.id)).toEqual([expect.stringMatching(/^2026-03-26/)]);
    expect((await monitor.report()).capacity.remedies).toEqual([]);
    await e.close();
  });

  it('damage is reported with its lines, told once, and after the repair its bytes are counted in .recovery/', async () => {
    const { layout } = await builtRoot();
    const file = contextPaths(layout, 'work').file;
    fs.appendFileSync(file, '{"type":"entity","name":"broken\n');
    const { engine, monitor } = await monitorOf(layout);
    const report = await monitor.report({ context: 'work' });
    const integrity = report.contexts[0]!.integrity;
    expect(integrity.health).toBe('damaged');
    expect(integrity.damagedLines).toBe(1);
    expect(integrity.lastVerified).toEqual({ at: NOW.toISOString(), by: 'open' });
    const notice = report.notices.find((n) => n.id.startsWith('damaged:work'))!;
    expect(notice).toMatchObject({ severity: 'error', context: 'work', title: 'Damage found in context work', action: { label: 'Repair', command: 'tension recover --context work' } });
    expect(monitor.freshNotices(report)).toContainEqual(notice);
    expect(monitor.freshNotices(await monitor.report({ context: 'work' }))).not.toContainEqual(notice);
    await recoverAll(engine);
    await engine.close();

    const again = await monitorOf(layout, 100 * GIB, () => new Date('2026-03-27T13:00:00.000Z'));
    const after = (await again.monitor.report()).contexts[0]!.integrity;
    expect(after.health).toBe('ok');
    expect(after.quarantinedFiles).toBe(1);
    expect(after.quarantinedBytes).toBe(Buffer.byteLength('{"type":"entity","name":"broken\n'));
    await again.monitor.check();
    expect((await again.monitor.report()).contexts[0]!.integrity.lastVerified).toEqual({ at: '2026-03-27T13:00:00.000Z', by: 'person' });
    await again.engine.close();
  });

  it('performance counts the operations the engine did, failures included', async () => {
    const layout = tempLayout();
    const { engine, monitor } = await monitorOf(layout);
    const charts = new ChartService(engine);
    for (let i = 0; i < 3; i += 1) await charts.create('work', { outcome: `Outcome ${i}`, reality: 'Now' });
    await expect(engine.transact('work', () => {
      throw new EngineError('BAD_INPUT', 'refused on purpose');
    })).rejects.toThrow('refused on purpose');
    await engine.flush();
    const perf = (await monitor.report()).performance;
    const write = perf.operations.find((o) => o.what === 'write')!;
    expect(write.count).toBe(4);
    expect(write.failures).toBe(1);
    expect(write.p50Ms).toBeGreaterThanOrEqual(0);
    expect(write.p99Ms!).toBeGreaterThanOrEqual(write.p50Ms!);
    const work = perf.contexts.find((c) => c.context === 'work')!;
    expect(work.rewrites).toBe(1);
    expect(work.rewriteFailures).toBe(0);
    expect(work.openMs).not.toBeNull();
    await engine.close();
  });

  it('a context that does not exist, or a name that is not one, is refused in plain words', async () => {
    const { layout } = await builtRoot();
    const { engine, monitor } = await monitorOf(layout);
    await expect(monitor.report({ context: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('there are: work') });
    await expect(monitor.report({ context: '../etc' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await engine.close();
  });
});
