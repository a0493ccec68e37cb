// Undoing the making of a chart removes the chart with all it holds, sub-charts at any depth:
// it must refuse (nothing changed, a clear message) whenever anything it would remove was
// changed by another program since, even after the window's own edits to the chart (undone
// before, so the chart shows what it showed), and even when the change is only a note or a
// time, or sits in a sub-chart. The other program is the real CLI, in a child process.
import { afterEach, describe, expect, it } from 'vitest';
import type { IpcResult } from '../../shared/contract.ts';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { cliOk } from '../helpers/runCli.ts';
import { realHarness } from './realTransport.ts';

afterEach(removeTempDirs);

const refusal = (result: IpcResult<unknown> | undefined) => (result && !result.ok ? `${result.error.message} ${result.error.kept ?? ''}` : 'not refused');

/** The window made a chart, set its due date and undid that (its own edit, taken back): the chart shows what it showed as made. */
async function madeAndEditedBack() {
  const h = await realHarness();
  const data = h.engine.layout.root;
  const made = await h.stores.editor.createChart({ context: 'work', outcome: 'Launch post', reality: ['Nothing written'], steps: [{ title: 'Draft' }] });
  if (!made.ok) throw new Error(JSON.stringify(made.error));
  const id = made.value.id;
  await h.stores.selection.getState().select({ context: 'work', id });
  const chart = () => h.stores.selection.getState().tree!.chart;
  expect((await h.stores.editor.setDue(chart(), '2027-02-01')).ok).toBe(true);
  expect((await h.stores.editor.undo())?.result.ok).toBe(true);
  const other = (...args: string[]) => cliOk([...args, '--context', 'work'], data);
  const ids = async () => (await h.charts.list('work')).map((c) => c.id);
  return { ...h, id, other, ids };
}

describe('undo of making a chart, after the window’s own edits (undone) and another program’s change', () => {
  it('a note another program added to the chart refuses the undo, and the chart keeps it', async () => {
    const { engine, stores, charts, id, other, ids } = await madeAndEditedBack();
    other('entity', 'set', '--name', `${id}_chart`, '--type', 'structural_tension_chart', '--obs', 'Reviewed with finance on Tuesday');
    const undone = await stores.editor.undo();
    expect(refusal(undone?.result)).toMatch(/new chart was changed by someone else since.*Nothing was changed/);
    expect(await ids()).toContain(id);
    expect((await charts.show('work', id)).notes).toContain('Reviewed with finance on Tuesday');
    await engine.close();
  });

  it('a time another program wrote on the chart refuses the undo', async () => {
    const { engine, stores, id, other, ids } = await madeAndEditedBack();
    other('entity', 'set', '--name', `${id}_chart`, '--type', 'structural_tension_chart', '--meta', JSON.stringify({ updatedAt: '2026-12-24T09:00:00.000Z' }));
    expect(refusal((await stores.editor.undo())?.result)).toMatch(/new chart was changed by someone else since/);
    expect(await ids()).toContain(id);
    await engine.close();
  });

  it('a sub-chart another program hung under the chart (no step of its own, as coaia-narrative does) refuses the undo, even with no edit of the window', async () => {
    const h = await realHarness();
    const made = await h.stores.editor.createChart({ context: 'work', outcome: 'Launch post', reality: ['Nothing written'] });
    if (!made.ok) throw new Error(JSON.stringify(made.error));
    const id = made.value.id;
    const sub = 'chart_1700000000000';
    const other = (...args: string[]) => cliOk([...args, '--context', 'work'], h.engine.layout.root);
    other('entity', 'set', '--name', `${sub}_chart`, '--type', 'structural_tension_chart', '--meta', JSON.stringify({ chartId: sub, parentChart: id, level: 1 }));
    other('entity', 'set', '--name', `${sub}_desired_outcome`, '--type', 'desired_outcome', '--obs', 'Find a reviewer');
    expect((await h.charts.tree('work', id)).children.map((c) => c.chart.id)).toEqual([sub]);
    expect(refusal((await h.stores.editor.undo())?.result)).toMatch(/new chart was changed by someone else since/);
    expect((await h.charts.list('work')).map((c) => c.id).sort()).toEqual([id, sub].sort());
    await h.engine.close();
  });

  it('a note another program added to a sub-chart the window telescoped refuses the undo of the chart’s creation', async () => {
    const { engine, stores, charts, id, other, ids } = await madeAndEditedBack();
    const chart = () => stores.selection.getState().tree!.chart;
    const telescoped = await stores.editor.telescope(chart(), chart().steps[0]!);
    if (!telescoped.ok) throw new Error(JSON.stringify(telescoped.error));
    const sub = telescoped.value.id;
    // The window's own write to the sub-chart, then another program's note on it.
    await stores.selection.getState().select({ context: 'work', id: sub });
    expect((await stores.editor.setDue(chart(), '2027-03-01')).ok).toBe(true);
    other('entity', 'set', '--name', `${sub}_chart`, '--type', 'structural_tension_chart', '--obs', 'Asked Dana to review');
    expect((await stores.editor.undo())?.result.ok).toBe(true); // the due date: its own part, unchanged by anyone else
    expect(refusal((await stores.editor.undo())?.result)).toMatch(/sub-chart of “Draft” was changed by someone else since/);
    expect(refusal((await stores.editor.undo())?.result)).toMatch(/new chart was changed by someone else since/);
    expect(await ids()).toEqual(expect.arrayContaining([id, sub]));
    expect((await charts.show('work', sub)).notes).toContain('Asked Dana to review');
    await engine.close();
  });

  it('with nobody else’s change, the window’s own sub-chart and edits undone one by one, the creation is undone', async () => {
    const { engine, stores, id, ids } = await madeAndEditedBack();
    const chart = () => stores.selection.getState().tree!.chart;
    const telescoped = await stores.editor.telescope(chart(), chart().steps[0]!);
    if (!telescoped.ok) throw new Error(JSON.stringify(telescoped.error));
    await stores.selection.getState().select({ context: 'work', id: telescoped.value.id });
    expect((await stores.editor.addReality(chart(), 'Outline agreed')).ok).toBe(true);
    for (let i = 0; i < 3; i += 1) {
      const undone = await stores.editor.undo();
      expect(undone?.result.ok, JSON.stringify(undone?.result)).toBe(true);
    }
    expect(await ids()).not.toContain(id);
    await engine.close();
  });
});
