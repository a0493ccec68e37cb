// Undoing a merge from the window (contexts.undoMerge, as the window's Undo calls it with the
// charts the merge moved), on the real handler table: the source comes back as it was before
// the merge and the target is as it was, including what is not a chart (an entity another
// program wrote, here a fresh CLI process), a chart that was in both exactly (dropped from the
// source by the merge) and a chart the merge gave a new id.
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { cliOk } from '../helpers/runCli.ts';
import { ownWindowTable, recordsOf } from '../helpers/ownWindowTable.ts';

afterEach(removeTempDirs);

interface MoveDone { moved: string[]; alreadyThere: string[]; renamed: Record<string, string> }

describe('undoing a merge', () => {
  it('leaves the source as it was before the merge and the target as it was', async () => {
    const { layout, engine, value } = await ownWindowTable();
    const arrives = (await value<{ id: string }>('charts.create', { context: 'misc', outcome: 'Misc chart', reality: ['r'] })).id;
    const same = (await value<{ id: string }>('charts.create', { context: 'misc', outcome: 'In both', reality: ['r'] })).id;
    const clash = (await value<{ id: string }>('charts.create', { context: 'misc', outcome: 'Misc version', reality: ['r'] })).id;
    await value('charts.create', { context: 'work', outcome: 'Work chart', reality: ['r'] });
    // The same chart in both exactly; a different one under one id.
    await value('charts.moveMany', { from: 'misc', to: 'work', ids: [same] });
    const copy = await value<{ text: string }>('charts.export', { context: 'work', ids: [same], format: 'jsonl' });
    await value('imports.apply', { context: 'misc', text: copy.text, source: 'copy.jsonl' });
    const other = await value<{ text: string }>('charts.export', { context: 'misc', ids: [clash], format: 'jsonl' });
    await value('imports.apply', { context: 'work', text: other.text.replaceAll('Misc version', 'Work version').replaceAll('"context":"misc"', '"context":"work"'), source: 'other.jsonl' });
    // Another program's knowledge-graph entity and relation in misc (not part of a chart).
    await engine.flush();
    cliOk(['entity', 'set', '--name', 'Alice', '--type', 'person', '--obs', 'Works on billing', '--context', 'misc'], layout.root);
    cliOk(['relation', 'add', '--from', 'Alice', '--to', `${arrives}_desired_outcome`, '--type', 'owns', '--context', 'misc'], layout.root);
    const sorted = async (context: string) => (await recordsOf(engine, context)).sort();
    const misc = await sorted('misc');
    const work = await sorted('work');
    expect(misc.some((raw) => raw.includes('"Alice"'))).toBe(true);

    const merged = await value<{ move: MoveDone }>('contexts.merge', { from: 'misc', into: 'work', onCollision: 'new-id', op: 'm1' });
    expect(merged.move.alreadyThere).toEqual([same]);
    expect(Object.keys(merged.move.renamed)).toEqual([clash]);
    expect(merged.move.renamed[clash]).toMatch(/^chart_\d+$/);
    expect(await sorted('misc')).toEqual([]);

    await value('contexts.undoMerge', { from: 'misc', into: 'work', charts: merged.move.moved, op: 'undo-m1' });
    expect(await sorted('misc')).toEqual(misc);
    expect(await sorted('work')).toEqual(work);
    expect((await value<{ context: string }[]>('contexts.list', {})).map((c) => c.context)).toEqual(['misc', 'work']);
    await engine.close();
  });
});
