// Moving charts between contexts from the window (charts.moveMany, its preview, and the Undo
// the window keeps), on the real handler table and real files: a sub-chart never leaves its
// parent, a chart moved under a new id comes back under its own, and the lines that belong to a
// chart (a legacy narrative_beat naming it) go and come back with it.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { contextPaths } from '../../electron/core/dataRoot.ts';
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

  it('a legacy narrative_beat line naming a chart moved under a new id names the new id, so it does not join the other chart of that id in the target', async () => {
    const { layout, engine, value } = await ownWindowTable();
    const id = 'chart_work_q4';
    const chart = (context: string, outcome: string) => [
      { type: 'entity', name: `${id}_chart`, entityType: 'structural_tension_chart', observations: ['Q4'], metadata: { chartId: id, level: 0, context } },
      { type: 'entity', name: `${id}_desired_outcome`, entityType: 'desired_outcome', observations: [outcome], metadata: { chartId: id } },
      { type: 'entity', name: `${id}_current_reality`, entityType: 'current_reality', observations: ['r'], metadata: { chartId: id } },
      { type: 'relation', from: `${id}_chart`, to: `${id}_desired_outcome`, relationType: 'contains' },
    ];
    const beat = { type: 'narrative_beat', name: 'beat_1', observations: ['Kickoff story of the WORK chart'], metadata: { chartId: id, act: 1, context: 'work' } };
    const lines = (records: object[]) => `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;
    fs.mkdirSync(layout.root, { recursive: true });
    fs.writeFileSync(contextPaths(layout, 'work').file, lines([...chart('work', 'Work Q4'), beat]));
    fs.writeFileSync(contextPaths(layout, 'home').file, lines(chart('home', 'Home Q4')));
    const moved = await value<{ moved: string[] }>('charts.moveMany', { from: 'work', to: 'home', ids: [id], resolutions: [{ id, choice: 'new-id' }] });
    expect(moved.moved).toEqual([`${id}_2`]);
    await engine.flush();
    const beatLines = (context: string) => fs.readFileSync(contextPaths(layout, context).file, 'utf8').split('\n').filter((line) => line.includes('narrative_beat'));
    // Every other byte of the line kept: only the chart it names and its context changed.
    expect(beatLines('home')).toEqual([JSON.stringify({ ...beat, metadata: { chartId: `${id}_2`, act: 1, context: 'home' } })]);
    expect(beatLines('work')).toEqual([]);
    // Home's own chart of that id keeps to itself: moved away, it leaves the beat behind.
    await value('charts.moveMany', { from: 'home', to: 'elsewhere', ids: [id] });
    await engine.flush();
    expect(beatLines('home')).toHaveLength(1);
    expect(beatLines('elsewhere')).toEqual([]);
    await engine.close();
  });
});
