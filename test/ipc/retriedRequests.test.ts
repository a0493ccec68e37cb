// A request whose reply was lost (a reloaded window, a crashed renderer) is sent again with the
// same operation id. The contract promises it applies once; the user also needs the same
// answer back: the id of the chart it created, the name of the step it added, the number of
// records it moved. Otherwise the app cannot show what it just made, or shows an error for a
// change that succeeded.
import { afterEach, describe, expect, it } from 'vitest';
import { createHandlerTable, type SenderInfo } from '../../electron/ipc/handlerTable.ts';
import type { ChannelName } from '../../shared/contract.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

const own: SenderInfo = { id: 1, url: 'app://tension/index.html' };

async function setup() {
  const engine = await openEngine(tempLayout());
  const table = createHandlerTable({ engine, isOwnSender: (s) => s.id === own.id && s.url.startsWith('app://tension/') });
  const call = async (channel: ChannelName, input: Record<string, unknown>) => table.handle(channel, input, own);
  const tree = async (context: string) => {
    const list = await call('charts.list', { context });
    return list.ok ? list.value : list.error;
  };
  return { engine, call, tree };
}

describe('a request retried with the same operation id', () => {
  it('creating a chart twice with one operation id makes one chart, and both answers name it', async () => {
    const { engine, call, tree } = await setup();
    try {
      const input = { context: 'work', outcome: 'Ship the billing service', reality: ['Pilot only'], steps: [{ title: 'Automate invoices' }], op: 'create-billing' };
      const first = await call('charts.create', input);
      const before = await tree('work');
      const again = await call('charts.create', input);
      expect(await tree('work')).toEqual(before);
      expect(first).toMatchObject({ ok: true, value: { duplicate: false } });
      expect(again, 'the retry names the chart the first request created').toMatchObject({ ok: true, value: { duplicate: true, id: (first as { value: { id: string } }).value.id } });
    } finally {
      await engine.close();
    }
  });

  it('adding a step and telescoping it, each retried, add one step and one sub-chart, and the retries name them', async () => {
    const { engine, call, tree } = await setup();
    try {
      const created = await call('charts.create', { context: 'work', outcome: 'Ship', reality: ['Pilot'] });
      const id = (created as { value: { id: string } }).value.id;
      const add = { context: 'work', chartId: id, title: 'Automate invoices', op: 'add-step' };
      const added = await call('steps.add', add);
      const addedAgain = await call('steps.add', add);
      const telescope = { context: 'work', name: `${id}_action_1`, op: 'telescope-step' };
      const sub = await call('steps.telescope', telescope);
      const before = await tree('work');
      const subAgain = await call('steps.telescope', telescope);
      expect(await tree('work')).toEqual(before);
      expect.soft(addedAgain, 'the retried steps.add names the step').toMatchObject({ ok: true, value: { duplicate: true, name: (added as { value: { name: string } }).value.name } });
      expect.soft(subAgain, 'the retried telescope names the sub-chart').toMatchObject({ ok: true, value: { duplicate: true, id: (sub as { value: { id: string } }).value.id } });
    } finally {
      await engine.close();
    }
  });

  it('moving a chart to another context, retried, moves it once and answers as the first time (not "no such chart")', async () => {
    const { engine, call, tree } = await setup();
    try {
      const created = await call('charts.create', { context: 'work', outcome: 'Ship', reality: ['Pilot'], steps: [{ title: 'Automate invoices' }] });
      const id = (created as { value: { id: string } }).value.id;
      const move = { from: 'work', id, to: 'personal', op: 'move-billing' };
      const moved = await call('charts.move', move);
      expect(moved).toMatchObject({ ok: true, value: { moved: 9 } });
      const before = { work: await tree('work'), personal: await tree('personal') };
      const again = await call('charts.move', move);
      expect({ work: await tree('work'), personal: await tree('personal') }).toEqual(before);
      expect(again, 'the retried move answers as the first').toEqual(moved);
    } finally {
      await engine.close();
    }
  });
});
