// Undoing moves under new ids one after another, newest first, as the window's Undo does: a
// chart moved a -> b under chart_x_2, then b -> c under chart_x_2_2, goes back to b as
// chart_x_2 still knowing it was chart_x, then back to a as chart_x, every byte as it was. On
// the real handler table, real files.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { contextPaths, type DataLayout } from '../../electron/core/dataRoot.ts';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { ownWindowTable, recordsOf } from '../helpers/ownWindowTable.ts';

afterEach(removeTempDirs);

const chart = (id: string, context: string, outcome: string) => [
  { type: 'entity', name: `${id}_chart`, entityType: 'structural_tension_chart', observations: ['Q4'], metadata: { chartId: id, level: 0, context } },
  { type: 'entity', name: `${id}_desired_outcome`, entityType: 'desired_outcome', observations: [outcome], metadata: { chartId: id } },
  { type: 'entity', name: `${id}_current_reality`, entityType: 'current_reality', observations: ['r'], metadata: { chartId: id } },
  { type: 'relation', from: `${id}_chart`, to: `${id}_desired_outcome`, relationType: 'contains' },
];

function write(layout: DataLayout, context: string, records: object[]): void {
  fs.mkdirSync(layout.root, { recursive: true });
  fs.writeFileSync(contextPaths(layout, context).file, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
}

interface MoveDone { moved: string[]; renamed: Record<string, string> }

/** The window's Undo of a move: the charts that arrived go back, those given a new id taking their own back. */
const undoOf = (from: string, to: string, done: MoveDone) => ({ from: to, to: from, ids: done.moved, takeBack: Object.values(done.renamed) });

describe('stacked undos of moves under new ids', () => {
  it('two moves under new ids, undone newest first, leave every context as it was', async () => {
    const { layout, engine, value } = await ownWindowTable();
    write(layout, 'a', chart('chart_x', 'a', 'A outcome'));
    write(layout, 'b', chart('chart_x', 'b', 'B outcome'));
    write(layout, 'c', chart('chart_x_2', 'c', 'C outcome'));
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
