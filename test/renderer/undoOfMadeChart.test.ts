// Undoing the making of a chart (its creation, a telescope) removes the chart with all it holds:
// refused, with nothing changed, once another program has changed that chart in any way, and
// still done after the person's own edits to it, undone before.
import { afterEach, describe, expect, it } from 'vitest';
import type { IpcResult } from '../../shared/contract.ts';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { realHarness } from './realTransport.ts';

afterEach(removeTempDirs);

const refusal = (result: IpcResult<unknown> | undefined) => (result && !result.ok ? result.error.message : 'not refused');

async function seeded() {
  const h = await realHarness();
  const { id } = await h.charts.create('work', { outcome: 'Ship billing', reality: ['Pilot only'], steps: ['Automate invoices', 'Migrate customers'] });
  await h.stores.selection.getState().select({ context: 'work', id });
  const chart = () => h.stores.selection.getState().tree!.chart;
  const ids = async () => (await h.charts.list('work')).map((c) => c.id);
  return { ...h, id, chart, ids };
}

describe('undo of making a chart, after another program changed it', () => {
  it('a telescope is not undone once another program rewrote the sub-chart’s reality line and dated it', async () => {
    const { engine, stores, charts, chart, ids } = await seeded();
    const made = await stores.editor.telescope(chart(), chart().steps[0]!);
    if (!made.ok) throw new Error(JSON.stringify(made.error));
    const sub = made.value.id;
    const line = (await charts.show('work', sub)).currentReality[0]!;
    await charts.editReality('work', sub, line, 'Invoices are typed by hand, 40 a week');
    await charts.setDue('work', sub, '2027-03-01');
    const undone = await stores.editor.undo();
    expect(refusal(undone?.result)).toMatch(/sub-chart of “Automate invoices” was changed by someone else since/);
    expect(await ids()).toContain(sub);
    await engine.close();
  });

  it('a creation is not undone once another program dated the chart and its step', async () => {
    const { engine, stores, charts, ids } = await seeded();
    const made = await stores.editor.createChart({ context: 'work', outcome: 'Launch post', reality: ['Nothing written'], steps: [{ title: 'Draft' }] });
    if (!made.ok) throw new Error(JSON.stringify(made.error));
    await charts.setDue('work', made.value.id, '2027-01-15');
    await charts.editStep('work', `${made.value.id}_action_1`, { dueDate: '2026-12-20' });
    const undone = await stores.editor.undo();
    expect(refusal(undone?.result)).toMatch(/new chart was changed by someone else since/);
    expect(await ids()).toContain(made.value.id);
    await engine.close();
  });

  it('a creation is not undone once another program changed the chart and changed it back (its notes keep what it did)', async () => {
    const { engine, stores, charts, ids } = await seeded();
    const made = await stores.editor.createChart({ context: 'work', outcome: 'Launch post', reality: ['Nothing written'] });
    if (!made.ok) throw new Error(JSON.stringify(made.error));
    await charts.setDue('work', made.value.id, '2027-01-15');
    await charts.setDue('work', made.value.id, null);
    expect((await stores.editor.undo())?.result.ok).toBe(false);
    expect(await ids()).toContain(made.value.id);
    await engine.close();
  });

  it('after the person’s own edits to the new chart, undone, another program’s change still refuses the undo', async () => {
    const { engine, stores, charts, chart, ids } = await seeded();
    const made = await stores.editor.createChart({ context: 'work', outcome: 'Launch post', reality: ['Nothing written'], steps: [{ title: 'Draft' }] });
    if (!made.ok) throw new Error(JSON.stringify(made.error));
    await stores.selection.getState().select({ context: 'work', id: made.value.id });
    await stores.editor.renameStep(chart(), chart().steps[0]!, 'Draft the post');
    await stores.editor.setDue(chart(), '2027-02-01');
    await charts.editStep('work', `${made.value.id}_action_1`, { dueDate: '2026-12-20' });
    expect((await stores.editor.undo())?.result.ok).toBe(true);
    expect((await stores.editor.undo())?.result.ok).toBe(true);
    const undone = await stores.editor.undo();
    expect(refusal(undone?.result)).toMatch(/new chart was changed by someone else since/);
    expect(await ids()).toContain(made.value.id);
    await engine.close();
  });

  it('after the person’s own edits to the new chart, undone, with nobody else’s change, the creation is undone', async () => {
    const { engine, stores, chart, ids, id } = await seeded();
    const made = await stores.editor.createChart({ context: 'work', outcome: 'Launch post', reality: ['Nothing written'], steps: [{ title: 'Draft' }] });
    if (!made.ok) throw new Error(JSON.stringify(made.error));
    await stores.selection.getState().select({ context: 'work', id: made.value.id });
    await stores.editor.setDue(chart(), '2027-02-01');
    await stores.editor.completeStep(chart(), chart().steps[0]!);
    await stores.editor.undo();
    await stores.editor.undo();
    const undone = await stores.editor.undo();
    expect(undone?.result.ok, JSON.stringify(undone?.result)).toBe(true);
    expect(await ids()).toEqual([id]);
    await engine.close();
  });
});
