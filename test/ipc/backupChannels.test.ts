// The backups panel, Recently deleted and the recovery wizard through the real handler table on
// a real data folder: a chart restored from a backup (previewed first, the backup's version
// beside today's) and the restore undone; a whole context restored and undone; the policy
// previewed without being saved, then saved; a deleted chart listed and put back; a damaged
// context analyzed, repaired after a backup of the damaged state, its bytes set aside and
// readable; verify-all reporting progress; and a request naming what is not there refused with
// nothing changed.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandlerTable, type SenderInfo } from '../../electron/ipc/handlerTable.ts';
import type { ChannelInput, ChannelName, ChannelOutput, EventName, Events, IpcResult } from '../../shared/contract.ts';
import type { Engine } from '../../electron/core/engine.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { damageFile, recordsOf } from '../helpers/damage.ts';
import { folderSnapshot } from '../helpers/folderSnapshot.ts';

afterEach(removeTempDirs);
const OWN: SenderInfo = { id: 1, url: 'app://tension/index.html' };

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

async function rig() {
  engine = await openEngine(tempLayout());
  const events: { event: EventName; payload: unknown }[] = [];
  const table = createHandlerTable({ engine, isOwnSender: (s) => s.id === OWN.id, emit: <E extends EventName>(event: E, payload: Events[E]) => void events.push({ event, payload }) });
  const raw = <C extends ChannelName>(channel: C, input: ChannelInput<C>) => table.handle(channel, input, OWN) as Promise<IpcResult<ChannelOutput<C>>>;
  const call = async <C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> => {
    const result = await raw(channel, input);
    if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
    return result.value;
  };
  const { id: billing } = await call('charts.create', { context: 'work', outcome: 'Ship billing', reality: ['3 pilots'], steps: [{ title: 'Automate invoices' }] });
  const { id: garden } = await call('charts.create', { context: 'work', outcome: 'A tidy garden', reality: ['Weeds'] });
  await engine.flush();
  return { engine, events, raw, call, billing, garden, file: path.join(engine.layout.root, 'charts-work.jsonl') };
}

const outcomes = async (call: Awaited<ReturnType<typeof rig>>['call']) => (await call('charts.list', { context: 'work' })).map((c) => c.desiredOutcome).sort();

describe('the backups channels', () => {
  it('a deleted chart is restored from a backup after a preview of both versions, and the restore is undone', async () => {
    const { call, billing } = await rig();
    const backup = await call('backups.create', { reason: 'before cleaning up' });
    await call('charts.remove', { context: 'work', id: billing });
    expect(await outcomes(call)).toEqual(['A tidy garden']);

    const overview = await call('backups.overview', {});
    expect(overview.backups.map((b) => [b.id, b.kind, b.verified])).toEqual([[backup.id, 'manual', true]]);
    expect(overview.backups[0]?.contexts).toEqual(['work']);
    expect(overview.lastBackup?.id).toBe(backup.id);
    expect(overview.lastVerified?.id).toBe(backup.id);

    const preview = await call('backups.restorePreview', { id: backup.id, context: 'work', chartId: billing });
    expect(preview.inBackup?.chart.desiredOutcome).toBe('Ship billing');
    expect(preview.today).toBeUndefined();
    expect(preview.records.added).toBeGreaterThan(0);
    expect(await outcomes(call), 'a preview changes nothing').toEqual(['A tidy garden']);

    const done = await call('backups.restoreFrom', { id: backup.id, context: 'work', chartId: billing });
    expect(done.changed).toBeGreaterThan(0);
    expect(await outcomes(call)).toEqual(['A tidy garden', 'Ship billing']);
    const kinds = (await call('backups.overview', {})).backups.map((b) => b.kind);
    expect(kinds, 'what was there before is backed up first').toContain('before-restore');

    await call('backups.undoRestore', { safetyBackup: done.safetyBackup, context: 'work', chartId: billing });
    expect(await outcomes(call), 'undone: the chart was not there before the restore').toEqual(['A tidy garden']);
  });

  it('a whole context is restored as the backup holds it, and undone', async () => {
    const { call, garden } = await rig();
    const backup = await call('backups.create', {});
    await call('outcome.set', { context: 'work', chartId: garden, text: 'A garden with a pond' });
    const preview = await call('backups.restorePreview', { id: backup.id, context: 'work' });
    expect(preview.charts.map((c) => [c.id, c.change])).toEqual([[garden, 'changed']]);
    const done = await call('backups.restoreFrom', { id: backup.id, context: 'work' });
    expect(await outcomes(call)).toEqual(['A tidy garden', 'Ship billing']);
    await call('backups.undoRestore', { safetyBackup: done.safetyBackup, context: 'work' });
    expect(await outcomes(call)).toEqual(['A garden with a pond', 'Ship billing']);
  });

  it('a policy is previewed without being saved, then saved; the newest verified backup is always kept', async () => {
    const { call, engine } = await rig();
    await call('backups.create', {});
    const policyFile = path.join(engine.layout.root, '.backup', 'policy.json');
    const shown = await call('backups.policy', {});
    expect(shown.policy).toEqual({ keepDaily: 7, keepWeekly: 5, keepMonthly: 12 });
    expect(shown.stored).toBe(false);
    const preview = await call('backups.policyPreview', { keepDaily: 0, keepWeekly: 0, keepMonthly: 0 });
    expect(preview.saved).toBe(false);
    expect(preview.verdicts.map((v) => v.keep)).toEqual([true]);
    expect(preview.verdicts[0]?.reasons.join(' ')).toMatch(/newest verified/);
    expect(fs.existsSync(policyFile)).toBe(false);
    const saved = await call('backups.setPolicy', { keepDaily: 3, keepWeekly: 2, keepMonthly: 1 });
    expect(saved.saved).toBe(true);
    expect(JSON.parse(fs.readFileSync(policyFile, 'utf8'))).toMatchObject({ keepDaily: 3, keepWeekly: 2, keepMonthly: 1 });
    expect((await call('backups.overview', {})).policy).toEqual({ keepDaily: 3, keepWeekly: 2, keepMonthly: 1 });
  });

  it('verify now checks every backup and reports progress to the end', async () => {
    const { call, events } = await rig();
    await call('backups.create', {});
    await call('backups.create', {});
    events.length = 0;
    const result = await call('backups.verifyAll', {});
    expect(result.ok).toBe(true);
    expect(result.backups).toHaveLength(2);
    const progress = events.filter((e) => e.event === 'backup.progress').map((e) => e.payload as Events['backup.progress']);
    expect(progress.map((p) => `${p.done}/${p.total}`)).toEqual(['0/2', '1/2', '2/2', '2/2']);
  });

  it('a deleted chart is listed with who deleted it and the chart as it was, and put back', async () => {
    const { call, billing } = await rig();
    await call('charts.remove', { context: 'work', id: billing });
    const deleted = await call('deleted.list', {});
    const chart = deleted.find((d) => d.kind === 'chart');
    expect(chart).toMatchObject({ context: 'work', name: billing, by: 'this app' });
    expect(chart?.chart?.chart.desiredOutcome).toBe('Ship billing');
    await call('deleted.restore', { id: chart!.id });
    expect(await outcomes(call)).toEqual(['A tidy garden', 'Ship billing']);
    expect((await call('deleted.list', {})).filter((d) => d.kind === 'chart')).toEqual([]);
  });

  it('a damaged context is analyzed, repaired after a backup of the damaged state, and its bytes are set aside and readable', async () => {
    const { file, engine } = await rig();
    const before = recordsOf(file);
    await engine.close();
    damageFile(file, 'garbage');
    const reopened = await openEngine(engine.layout);
    const table = createHandlerTable({ engine: reopened, isOwnSender: () => true });
    const ask = async <C extends ChannelName>(channel: C, input: ChannelInput<C>) => {
      const r = (await table.handle(channel, input, OWN)) as IpcResult<ChannelOutput<C>>;
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    };
    try {
      const analysis = await ask('recovery.analyze', { context: 'work' });
      expect(analysis.needsRepair).toBe(true);
      expect(analysis.needsChoice).toBe(true);
      expect(analysis.damagedLines.map((d) => d.offset)).toEqual([fs.statSync(file).size - 12, fs.statSync(file).size - 6]);
      expect(analysis.damagedLines[0]?.text).toMatch(/\\x00|\\u0000|\\0/);
      expect(analysis.preview.records).toBe(before.length);
      const outcome = await ask('recovery.apply', { context: 'work', action: 'repair' });
      expect(outcome.safetyBackup).toBeDefined();
      expect(outcome.verified.ok).toBe(true);
      expect(outcome.matchesPreview).toBe(true);
      await reopened.flush();
      expect(recordsOf(file), 'no record lost').toEqual(before);
      const files = await ask('recovery.files', {});
      const bad = files.filter((f) => f.kind === 'damaged-bytes');
      expect(bad.length).toBeGreaterThan(0);
      const shown = await ask('recovery.readFile', { name: bad[0]!.name });
      expect(shown.bytes).toBeGreaterThan(0);
      const logs = files.filter((f) => f.kind === 'log');
      expect((await ask('recovery.readFile', { name: logs[0]!.name })).text).toMatch(/recovery wizard: repaired after backup/);
    } finally {
      await reopened.close();
    }
  });

  it('a request naming a context, a backup, a chart or a file that is not there is refused, and nothing changes', async () => {
    const { raw, call, billing, engine } = await rig();
    const backup = await call('backups.create', {});
    await engine.flush();
    const folder = folderSnapshot(engine.layout.root, { except: [path.join(engine.layout.root, ".tension.lock")] });
    const refusals = [
      await raw('recovery.analyze', { context: 'ghost' }),
      await raw('recovery.apply', { context: 'ghost', action: 'leave' }),
      await raw('backups.restorePreview', { id: 'nope', context: 'work' }),
      await raw('backups.restoreFrom', { id: backup.id, context: 'work', chartId: 'chart_ghost' }),
      await raw('backups.undoRestore', { safetyBackup: backup.id, context: 'work', chartId: 'chart_ghost' }),
      await raw('deleted.restore', { id: 'work@999.0' }),
      await raw('recovery.readFile', { name: 'nothing-here.bad' }),
      await raw('backups.setPolicy', { keepDaily: -1, keepWeekly: 1, keepMonthly: 1 }),
      await raw('recovery.apply', { context: 'work', action: 'restore' }),
    ];
    for (const r of refusals) {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).not.toBe('INTERNAL');
        expect(r.error.message.length).toBeGreaterThan(10);
      }
    }
    expect(folderSnapshot(engine.layout.root, { except: [path.join(engine.layout.root, ".tension.lock")] })).toEqual(folder);
    expect(await outcomes(call)).toEqual(['A tidy garden', 'Ship billing']);
    void billing;
  });
});
