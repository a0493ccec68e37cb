// Moving charts between contexts from the window (charts.moveMany, its preview, and the Undo
// the window keeps), on the real handler table and real files: a sub-chart never leaves its
// parent, a chart moved under a new id comes back under its own, and the lines that belong to a
// chart (a legacy narrative_beat naming it) go and come back with it.
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { ownWindowTable, recordsOf } from '../helpers/ownWindowTable.ts';

afterEach(removeTempDirs);

interface Tree { chart: { steps: { name: string; title: string; telescopedInto?: string }[] } }

describe('moving charts between contexts', () => {
  it('a sub-chart alone is refused (preview and move) as charts.move refuses it, changing nothing; with its top chart it goes along', async () => {
    const { engine, value } = await ownWindowTable();
    const { id } = await value<{ id: string }>('charts.create', { context: 'work', outcome: 'Ship', reality: ['Pilot only'], steps: [{ title: 'Automate invoices' }] });
    const step = (await value<Tree>('charts.tree', { context: 'work', id })).chart.steps[0]?.name as string;
    const sub = (await value<{ id: string }>('steps.telescope', { context: 'work', name: step })).id;
    const before = [await recordsOf(engine, 'work'), await recordsOf(engine, 'home')];
    const refusal = new RegExp(`BAD_INPUT Chart ${sub} is a sub-chart of ${id}: move the top chart`);
    await expect(value('charts.moveMany', { from: 'work', to: 'home', ids: [sub] })).rejects.toThrow(refusal);
    await expect(value('charts.movePreview', { from: 'work', to: 'home', ids: [sub] })).rejects.toThrow(refusal);
    expect([await recordsOf(engine, 'work'), await recordsOf(engine, 'home')]).toEqual(before);
    expect((await value<Tree>('charts.tree', { context: 'work', id })).chart.steps[0]?.telescopedInto).toBe(sub);

    const moved = await value<{ moved: string[] }>('charts.moveMany', { from: 'work', to: 'home', ids: [sub, id] });
    expect(moved.moved).toEqual([id]);
    expect((await value<Tree>('charts.tree', { context: 'home', id })).chart.steps[0]?.telescopedInto).toBe(sub);
    expect(await recordsOf(engine, 'work')).toEqual([]);
    await engine.close();
  });
});
