// A chart takes back an earlier id only when the move being undone gave it the new one, and
// never an id another chart of the same move has or takes: two charts under one id would be
// the same records, and one would overwrite the other. On the real handler table, real files.
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { ownWindowTable, recordsOf } from '../helpers/ownWindowTable.ts';
import { smallChartRecords, writeContextFile } from '../helpers/contextFiles.ts';

afterEach(removeTempDirs);

/** src holds its own chart_x, and chart_x_2: another context's chart_x, moved in under a new id. */
async function srcWithAChartMovedInEarlier() {
  const table = await ownWindowTable();
  writeContextFile(table.layout, 'src', smallChartRecords('chart_x', 'src', 'S outcome'));
  writeContextFile(table.layout, 'o', smallChartRecords('chart_x', 'o', 'O outcome'));
  writeContextFile(table.layout, 'work', smallChartRecords('chart_w', 'work', 'W outcome'));
  const earlier = await table.value<{ moved: string[] }>('charts.moveMany', { from: 'o', to: 'src', ids: ['chart_x'], resolutions: [{ id: 'chart_x', choice: 'new-id' }] });
  expect(earlier.moved).toEqual(['chart_x_2']);
  return table;
}

const sorted = async (engine: Parameters<typeof recordsOf>[0], context: string) => (await recordsOf(engine, context)).sort();

describe('taking back an earlier id', () => {
  it('undoing a merge leaves a chart that an older move renamed under its id, and loses no chart of the source', async () => {
    const { engine, value } = await srcWithAChartMovedInEarlier();
    const src = await sorted(engine, 'src');
    const work = await sorted(engine, 'work');
    const merged = await value<{ move: { moved: string[]; renamed: Record<string, string> } }>('contexts.merge', { from: 'src', into: 'work', op: 'm1' });
    expect(merged.move.renamed).toEqual({});
    await value('contexts.undoMerge', { from: 'src', into: 'work', charts: merged.move.moved, op: 'u1' });
    expect(await sorted(engine, 'src')).toEqual(src);
    expect(await sorted(engine, 'work')).toEqual(work);
    expect(src.filter((raw) => raw.includes('S outcome'))).toHaveLength(1);
    await engine.close();
  });

  it('a chart moved with another that has its earlier id is refused taking it back, changing nothing', async () => {
    const { engine, value } = await srcWithAChartMovedInEarlier();
    const before = [await recordsOf(engine, 'src'), await recordsOf(engine, 'work')];
    await expect(value('charts.moveMany', { from: 'src', to: 'work', ids: ['chart_x', 'chart_x_2'], takeBack: ['chart_x_2'] })).rejects.toThrow(/CONFLICT Chart chart_x_2 cannot take back its id chart_x in context work: chart chart_x moves too/);
    await expect(value('charts.moveMany', { from: 'src', to: 'work', ids: ['chart_x_2', 'chart_x'], takeBack: ['chart_x_2'] })).rejects.toThrow(/CONFLICT Chart chart_x_2 cannot take back its id chart_x/);
    expect([await recordsOf(engine, 'src'), await recordsOf(engine, 'work')]).toEqual(before);
    await engine.close();
  });

  it('two charts of one move are refused taking back the same id, changing nothing', async () => {
    const { layout, engine, value } = await ownWindowTable();
    // Another program's copy: two charts that both say they were chart_y.
    const noted = (id: string, outcome: string) => smallChartRecords(id, 'a', outcome).map((r) => (r.type === 'entity' && r.name === `${id}_chart` ? { ...r, metadata: { ...r.metadata, previousChartId: 'chart_y' } } : r));
    writeContextFile(layout, 'a', [...noted('chart_y_2', 'First'), ...noted('chart_y_3', 'Second')]);
    const before = [await recordsOf(engine, 'a'), await recordsOf(engine, 'b')];
    await expect(value('charts.moveMany', { from: 'a', to: 'b', ids: ['chart_y_2', 'chart_y_3'], takeBack: ['chart_y_2', 'chart_y_3'] })).rejects.toThrow(/CONFLICT Chart chart_y_3 cannot take back its id chart_y in context b: chart chart_y_2 takes it/);
    expect([await recordsOf(engine, 'a'), await recordsOf(engine, 'b')]).toEqual(before);
    await engine.close();
  });
});
