// Optimistic editing through the handler table: every edit may name the version of the part the
// person saw (`ifVersion`, from charts.tree). When another process changed that part since, the
// edit is refused with CONFLICT and nothing on disk changes; an edit of another part, or one
// naming the current version, goes through and answers the part's new version, which a fresh
// read gives too (what an undo names). Another process here is a second engine on the same
// folder, as the CLI or an MCP server is.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandlerTable, type SenderInfo } from '../../electron/ipc/handlerTable.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import type { ChannelInput, ChannelName, IpcResult } from '../../shared/contract.ts';
import type { ChartTree } from '../../shared/domain.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

const own: SenderInfo = { id: 1, url: 'app://tension/index.html' };

async function setup() {
  const layout = tempLayout();
  const engine = await openEngine(layout, { origin: 'app' });
  const other = await openEngine(layout, { origin: 'cli' });
  const table = createHandlerTable({ engine, isOwnSender: (s) => s.id === own.id });
  const call = <C extends ChannelName>(channel: C, input: ChannelInput<C>) => table.handle(channel, input, own) as Promise<IpcResult<Record<string, unknown>>>;
  const value = async <C extends ChannelName>(channel: C, input: ChannelInput<C>) => {
    const result = await call(channel, input);
    if (!result.ok) throw new Error(`${channel}: ${result.error.message}`);
    return result.value;
  };
  const tree = async (id: string) => (await value('charts.tree', { context: 'work', id })) as unknown as ChartTree;
  const { id } = (await value('charts.create', { context: 'work', outcome: 'Ship billing', reality: ['Pilot only'], dueDate: '2027-06-01', steps: [{ title: 'Automate invoices' }, { title: 'Migrate customers' }] })) as { id: string };
  const journal = path.join(layout.root, '.history', 'charts-work.journal.jsonl');
  const close = async () => {
    await other.close();
    await engine.close();
  };
  return { engine, cli: new ChartService(other), call, value, tree, id, journal, close };
}

describe('an edit made against a version someone else has changed since', () => {
  it('is refused with CONFLICT and changes nothing; with the current version it goes through', async () => {
    const { cli, call, tree, id, journal, close } = await setup();
    try {
      const seen = (await tree(id)).chart;
      expect(seen.versions?.outcome).toMatch(/^[0-9a-f]{8}$/);
      await cli.setOutcome('work', id, 'Ship billing to every customer');
      const bytes = fs.readFileSync(journal);
      const refused = await call('outcome.set', { context: 'work', chartId: id, text: 'Ship billing this year', ifVersion: seen.versions!.outcome });
      expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT', kept: 'Nothing was changed.' } });
      if (!refused.ok) expect(refused.error.message).toMatch(/desired outcome .* changed by someone else/);
      expect(fs.readFileSync(journal).equals(bytes), 'the journal grew for a refused edit').toBe(true);
      const now = (await tree(id)).chart;
      expect(now.desiredOutcome).toBe('Ship billing to every customer');
      const kept = await call('outcome.set', { context: 'work', chartId: id, text: 'Ship billing this year', ifVersion: now.versions!.outcome });
      expect(kept).toMatchObject({ ok: true });
      expect((await tree(id)).chart.desiredOutcome).toBe('Ship billing this year');
    } finally {
      await close();
    }
  });

  it('every edit channel checks the version of its own part', async () => {
    const { cli, call, tree, id, close } = await setup();
    try {
      const step1 = `${id}_action_1`;
      const step2 = `${id}_action_2`;
      // Each case: the edit, the version it names (read before another process's change), and that change.
      const cases: { name: string; edit: (version: string) => Promise<IpcResult<unknown>>; version: (t: ChartTree) => string; meanwhile: () => Promise<unknown> }[] = [
        { name: 'steps.edit', edit: (v) => call('steps.edit', { context: 'work', name: step1, title: 'Mine', ifVersion: v }), version: (t) => t.chart.steps[0]!.version!, meanwhile: () => cli.editStep('work', step1, { title: 'Theirs' }) },
        { name: 'steps.complete', edit: (v) => call('steps.complete', { context: 'work', name: step1, ifVersion: v }), version: (t) => t.chart.steps[0]!.version!, meanwhile: () => cli.editStep('work', step1, { dueDate: '2027-01-01' }) },
        { name: 'steps.reopen', edit: (v) => call('steps.reopen', { context: 'work', name: step2, ifVersion: v }), version: (t) => t.chart.steps[1]!.version!, meanwhile: () => cli.completeStep('work', step2) },
        { name: 'steps.move', edit: (v) => call('steps.move', { context: 'work', name: step2, to: 1, ifVersion: v }), version: (t) => t.chart.steps[1]!.version!, meanwhile: () => cli.editStep('work', step2, { title: 'Migrate every customer' }) },
        { name: 'steps.telescope', edit: (v) => call('steps.telescope', { context: 'work', name: step1, ifVersion: v }), version: (t) => t.chart.steps[0]!.version!, meanwhile: () => cli.editStep('work', step1, { title: 'Automate invoicing' }) },
        { name: 'steps.remove', edit: (v) => call('steps.remove', { context: 'work', name: step1, ifVersion: v }), version: (t) => t.chart.steps[0]!.version!, meanwhile: () => cli.editStep('work', step1, { title: 'Automate all invoicing' }) },
        { name: 'reality.add', edit: (v) => call('reality.add', { context: 'work', chartId: id, text: 'Mine', ifVersion: v }), version: (t) => t.chart.versions!.reality, meanwhile: () => cli.addReality('work', id, 'Theirs') },
        { name: 'reality.edit', edit: (v) => call('reality.edit', { context: 'work', chartId: id, from: 'Pilot only', to: 'Mine', ifVersion: v }), version: (t) => t.chart.versions!.reality, meanwhile: () => cli.addReality('work', id, 'Theirs again') },
        { name: 'outcome.complete', edit: (v) => call('outcome.complete', { context: 'work', chartId: id, ifVersion: v }), version: (t) => t.chart.versions!.outcome, meanwhile: () => cli.setOutcome('work', id, 'Theirs') },
        { name: 'due.set', edit: (v) => call('due.set', { context: 'work', chartId: id, date: '2027-09-09', ifVersion: v }), version: (t) => t.chart.versions!.chart, meanwhile: () => cli.setDue('work', id, '2027-08-08') },
        { name: 'steps.add', edit: (v) => call('steps.add', { context: 'work', chartId: id, title: 'Mine', ifVersion: v }), version: (t) => t.chart.versions!.chart, meanwhile: () => cli.addStep('work', id, { title: 'Theirs' }) },
        { name: 'charts.archive', edit: (v) => call('charts.archive', { context: 'work', id, ifVersion: v }), version: (t) => t.chart.versions!.chart, meanwhile: () => cli.completeOutcome('work', id) },
        { name: 'charts.remove', edit: (v) => call('charts.remove', { context: 'work', id, ifVersion: v }), version: (t) => t.chart.versions!.chart, meanwhile: () => cli.addReality('work', id, 'One more fact') },
      ];
      for (const c of cases) {
        const stale = c.version(await tree(id));
        await c.meanwhile();
        const before = JSON.stringify(await tree(id));
        const refused = await c.edit(stale);
        expect(refused, c.name).toMatchObject({ ok: false, error: { code: 'CONFLICT', kept: 'Nothing was changed.' } });
        expect(JSON.stringify(await tree(id)), `${c.name}: the chart changed on a refused edit`).toBe(before);
      }
    } finally {
      await close();
    }
  });

  it('another part changing meanwhile is no conflict: editing one step while another process edits the other', async () => {
    const { cli, call, tree, id, close } = await setup();
    try {
      const seen = (await tree(id)).chart;
      await cli.editStep('work', `${id}_action_2`, { title: 'Migrate every customer' });
      await cli.addReality('work', id, 'Another fact');
      expect(await call('steps.edit', { context: 'work', name: `${id}_action_1`, title: 'Automate all invoices', ifVersion: seen.steps[0]!.version! })).toMatchObject({ ok: true });
      expect((await tree(id)).chart.steps.map((s) => s.title)).toEqual(['Automate all invoices', 'Migrate every customer']);
    } finally {
      await close();
    }
  });

  it('each edit answers the part’s new version, the one a fresh read gives (what an undo names)', async () => {
    const { value, tree, id, close } = await setup();
    try {
      const step = `${id}_action_1`;
      const stepVersion = async () => (await tree(id)).chart.steps.find((s) => s.name === step)!.version;
      expect((await value('steps.edit', { context: 'work', name: step, title: 'Automate all invoices' })).version).toBe(await stepVersion());
      expect((await value('steps.complete', { context: 'work', name: step })).version).toBe(await stepVersion());
      expect((await value('outcome.set', { context: 'work', chartId: id, text: 'Ship it' })).version).toBe((await tree(id)).chart.versions!.outcome);
      expect((await value('reality.add', { context: 'work', chartId: id, text: 'New' })).version).toBe((await tree(id)).chart.versions!.reality);
      expect((await value('due.set', { context: 'work', chartId: id, date: null })).version).toBe((await tree(id)).chart.versions!.chart);
      const added = await value('steps.add', { context: 'work', chartId: id, title: 'Tell the customers' });
      expect(added.version).toBe((await tree(id)).chart.steps.find((s) => s.name === added.name)!.version);
      const telescoped = await value('steps.telescope', { context: 'work', name: `${id}_action_2` });
      expect(telescoped.version).toBe((await tree(telescoped.id as string)).chart.versions!.chart);
      const created = await value('charts.create', { context: 'work', outcome: 'Another', reality: ['Now'], steps: [{ title: 'One' }] });
      expect(created.version).toBe((await tree(created.id as string)).chart.versions!.chart);
    } finally {
      await close();
    }
  });
});

describe('undo of removals and creations', () => {
  it('a removed step comes back with its whole telescoped subtree, every line exactly as it was', async () => {
    const { engine, value, tree, id, close } = await setup();
    try {
      const step = `${id}_action_1`;
      await value('steps.complete', { context: 'work', name: `${id}_action_2` });
      const sub = (await value('steps.telescope', { context: 'work', name: step, reality: 'Manual invoices' })).id as string;
      await value('steps.add', { context: 'work', chartId: sub, title: 'Pick a service' });
      const deeper = (await value('steps.telescope', { context: 'work', name: `${sub}_action_1` })).id as string;
      await value('steps.complete', { context: 'work', name: step });
      const lines = async () => engine.read('work', (state) => new Map([...state.values()].map((r) => [r.key, r.raw])));
      const before = await lines();
      const removed = await value('steps.remove', { context: 'work', name: step });
      expect((removed.removed as string[]).length).toBeGreaterThan(10);
      expect((await tree(id)).children).toEqual([]);
      expect((await tree(id)).chart.currentReality).not.toContain('Completed: Automate invoices');
      await value('steps.restore', { context: 'work', records: removed.removed as string[] });
      const after = await lines();
      for (const raw of removed.removed as string[]) expect([...after.values()], 'a line put back differs').toContain(raw);
      for (const [key, raw] of before) if (!key.endsWith('_chart') && !key.endsWith('_current_reality')) expect(after.get(key), key).toBe(raw);
      const back = await tree(id);
      expect(back.children.map((c) => c.chart.id)).toEqual([sub]);
      expect(back.children[0]!.children.map((c) => c.chart.id)).toEqual([deeper]);
      expect(back.chart.currentReality).toContain('Completed: Automate invoices');
      expect(back.chart.steps.map((s) => [s.name, s.completed])).toEqual([[step, true], [`${id}_action_2`, true]]);
    } finally {
      await close();
    }
  });

  it('putting back is refused, with nothing written, when a removed record has been made again since', async () => {
    const { value, call, id, journal, close } = await setup();
    try {
      const removed = await value('steps.remove', { context: 'work', name: `${id}_action_2` });
      await value('reality.add', { context: 'work', chartId: id, text: 'Later' });
      const lines = [...(removed.removed as string[]), (removed.removed as string[])[0]!];
      expect(await call('steps.restore', { context: 'work', records: lines })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
      await value('steps.restore', { context: 'work', records: removed.removed as string[] });
      const bytes = fs.readFileSync(journal);
      expect(await call('steps.restore', { context: 'work', records: removed.removed as string[] })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
      expect(fs.readFileSync(journal).equals(bytes)).toBe(true);
    } finally {
      await close();
    }
  });

  it('undoing a creation removes the chart and its sub-charts; their history stays in the journal', async () => {
    const { value, call, id, close } = await setup();
    try {
      const created = await value('charts.create', { context: 'work', outcome: 'A mistake', reality: ['Typed too fast'], steps: [{ title: 'Oops' }] });
      const other = created.id as string;
      const removed = await value('charts.remove', { context: 'work', id: other, ifVersion: created.version as string });
      expect((removed.removed as string[]).length).toBe(9); // 4 entities, 5 links
      const list = (await value('charts.list', { context: 'work' })) as unknown as { id: string }[];
      expect(list.map((c) => c.id)).toEqual([id]);
      const history = await call('charts.history', { context: 'work', id: other });
      expect(history.ok && (history.value as unknown as { action: string }[]).some((e) => e.action === 'delete')).toBe(true);
    } finally {
      await close();
    }
  });
});

describe('search', () => {
  it('counts every chart that matches, and ranks a match in the desired outcome above one in a step or an observation', async () => {
    const { value, close } = await setup();
    try {
      for (let i = 0; i < 30; i += 1) await value('charts.create', { context: 'notes', outcome: `Plan ${i}`, reality: [`Read about the marathon ${i}`], steps: [{ title: `Train for the marathon ${i}` }] });
      const { id } = (await value('charts.create', { context: 'personal', outcome: 'Run a marathon in spring', reality: ['10 km'] })) as { id: string };
      const result = (await value('charts.search', { query: 'marathon', limit: 10 })) as unknown as { hits: { chart: { id: string } }[]; total: number };
      expect(result.total).toBe(31);
      expect(result.hits).toHaveLength(10);
      expect(result.hits[0]!.chart.id).toBe(id);
    } finally {
      await close();
    }
  });
});
