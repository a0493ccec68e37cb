import { afterEach, describe, expect, it } from 'vitest';
import { createHandlerTable, type SenderInfo } from '../../electron/ipc/handlerTable.ts';
import { CHANNEL_NAMES } from '../../shared/contract.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

// Fake senders (no Electron here): the app's own window and a stranger.
const own: SenderInfo = { id: 1, url: 'app://tension/index.html' };
const stranger: SenderInfo = { id: 99, url: 'https://evil.example/' };

async function setup() {
  const engine = await openEngine(tempLayout());
  const table = createHandlerTable({ engine, isOwnSender: (s) => s.id === own.id && s.url.startsWith('app://tension/') });
  return { engine, table };
}

describe('the IPC handler table', () => {
  it('has a handler for every channel of the contract, and only those', async () => {
    const { engine, table } = await setup();
    expect([...table.channels].sort()).toEqual([...CHANNEL_NAMES].sort());
    await engine.close();
  });

  it('creates a chart with steps, telescopes a step, completes it, and reads the tree back', async () => {
    const { engine, table } = await setup();
    const created = await table.handle('charts.create', { context: 'work', outcome: 'Ship', reality: ['Pilot only'], steps: [{ title: 'Automate invoices' }] }, own);
    expect(created).toMatchObject({ ok: true, value: { id: expect.stringMatching(/^chart_\d+$/) } });
    const id = (created as unknown as { value: { id: string } }).value.id;
    const sub = await table.handle('steps.telescope', { context: 'work', name: `${id}_action_1` }, own);
    expect(sub.ok).toBe(true);
    expect((await table.handle('outcome.complete', { context: 'work', chartId: (sub as unknown as { value: { id: string } }).value.id }, own)).ok).toBe(true);
    const tree = await table.handle('charts.tree', { context: 'work', id }, own);
    expect(tree).toMatchObject({ ok: true, value: { chart: { currentReality: ['Pilot only', 'Completed: Automate invoices'], complete: true }, children: [{ chart: { level: 1 } }] } });
    await engine.close();
  });

  it('refuses a foreign sender, an unknown channel and bad input, with typed errors, changing nothing', async () => {
    const { engine, table } = await setup();
    expect(await table.handle('charts.create', { context: 'work', outcome: 'x', reality: ['y'] }, stranger)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await table.handle('fs.readFile', {}, own)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(await table.handle('__proto__', {}, own)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    const bad = await table.handle('charts.create', { context: '../etc', outcome: '', reality: [], extra: 1 }, own);
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', kept: 'Nothing was changed.' } });
    expect((bad as unknown as { error: { issues: unknown[] } }).error.issues.length).toBeGreaterThanOrEqual(3);
    expect(await table.handle('steps.complete', { context: 'work', name: 'nope' }, own)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await table.handle('contexts.list', {}, own)).toEqual({ ok: true, value: [] });
    await engine.close();
  });
});

describe('events main pushes', () => {
  it('a backup and a recovery tell the windows when they start and end (for a progress bar)', async () => {
    const engine = await openEngine(tempLayout());
    const events: [string, unknown][] = [];
    const table = createHandlerTable({ engine, isOwnSender: (s) => s.id === own.id, emit: (event, payload) => events.push([event, payload]) });
    await table.handle('charts.create', { context: 'work', outcome: 'O', reality: ['R'] }, own);
    expect((await table.handle('backups.create', {}, own)).ok).toBe(true);
    expect((await table.handle('recovery.run', {}, own)).ok).toBe(true);
    expect(events).toEqual([
      ['backup.progress', { task: 'Creating a backup', done: 0, total: 1 }],
      ['backup.progress', { task: 'Creating a backup', done: 1, total: 1 }],
      ['recovery.progress', { task: 'Repairing damaged files', done: 0, total: 1 }],
      ['recovery.progress', { task: 'Repairing damaged files', done: 1, total: 1 }],
    ]);
    await engine.close();
  });
});
