// Undoing moves under new ids one after another, newest first, as the window's Undo does: a
// chart moved a -> b under chart_x_2, then b -> c under chart_x_2_2, goes back to b as
// chart_x_2 still knowing it was chart_x, then back to a as chart_x, every byte as it was. On
// the real handler table, real files.
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { ownWindowTable, recordsOf } from '../helpers/ownWindowTable.ts';
import { smallChartRecords, writeContextFile } from '../helpers/contextFiles.ts';

afterEach(removeTempDirs);

interface MoveDone { moved: string[]; renamed: Record<string, string> }

/** The window's Undo of a move: the charts that arrived go back, those given a new id taking their own back. */
const undoOf = (from: string, to: string, done: MoveDone) => ({ from: to, to: from, ids: done.moved, takeBack: Object.values(done.renamed) });

describe('stacked undos of moves under new ids', () => {
  it('two moves under new ids, undone newest first, leave every context as it was', async () => {
    const { layout, engine, value } = await ownWindowTable();
    writeContextFile(layout, 'a', smallChartRecords('chart_x', 'a', 'A outcome'));
    writeContextFile(layout, 'b', smallChartRecords('chart_x', 'b', 'B outcome'));
    writeContextFile(layout, 'c', smallChartRecords('chart_x_2', 'c', 'C outcome'));
    const all = async () => Promise.all(['a', 'b', 'c'].map((context) => recordsOf(engine, context)));
    const original = await all();
    const first = await value<MoveDone>('charts.moveMany', { from: 'a', to: 'b', ids: ['chart_x'], resolutions: [{ id: 'chart_x', choice: 'new-id' }] });
    expect(first.renamed).toEqual({ chart_x: 'chart_x_2' });
    const afterFirst = await all();
    const second = await value<MoveDone>('charts.moveMany', { from: 'b', to: 'c', ids: ['chart_x_2'], resolutions: [{ id: 'chart_x_2', choice: 'new-id' }] });
    expect(second.renamed).toEqual({ chart_x_2: 'chart_x_2_2' });

    await value('charts.moveMany', undoOf('b', 'c', second));
    expect(await all()).toEqual(afterFirst);
    await value('charts.moveMany', undoOf('a', 'b', first));
    expect(await all()).toEqual(original);
    await engine.close();
  });
});
