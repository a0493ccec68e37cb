// Undo of a move under a new id, from the window's stores on the real handlers: the chart's id
// was taken in the target, so it arrived as <id>_2; Undo brings it back where it was under its
// own id, with its records as they were before the move (no previousChartId left behind), the
// lines that belong to it with it, and the open chart followed there.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { contextPaths } from '../../electron/core/dataRoot.ts';
import { parseImport } from '../../electron/core/knowledgeGraph.ts';
import { realHarness } from './realTransport.ts';

afterEach(removeTempDirs);

const records = (engine: Awaited<ReturnType<typeof realHarness>>['engine'], context: string) => engine.read(context, (state) => [...state.values()].map((r) => r.raw));

describe('undoing a move under a new id', () => {
  it('brings the chart back under its own id, exactly as it was, with its narrative beat, and follows it when it was open', async () => {
    const { engine, stores, charts } = await realHarness();
    const { id } = await charts.create('ideas', { outcome: 'Write a novel', reality: ['An outline'], steps: ['Draft chapter one'] });
    await charts.telescope('ideas', `${id}_action_1`, { reality: 'A blank page' });
    const beat = JSON.stringify({ type: 'narrative_beat', name: 'beat_1', observations: ['Why the novel'], metadata: { chartId: id } });
    await engine.transact('ideas', () => ({ puts: parseImport(beat, 'peer'), deletes: [] }));
    // The same chart id in personal, with other content: a collision.
    const lines = (await records(engine, 'ideas')).filter((raw) => raw.includes(`"${id}_desired_outcome"`) && raw.includes('"entity"')).map((raw) => raw.replace('Write a novel', 'Learn the cello'));
    await engine.transact('personal', () => ({ puts: parseImport(lines.join('\n'), 't'), deletes: [] }));
    const ideasBefore = await records(engine, 'ideas');
    const personalBefore = await records(engine, 'personal');

    expect(await stores.moves.getState().move('ideas', [id], 'personal')).toBeNull();
    expect((await stores.moves.getState().resolve({ [id]: 'new-id' }))?.ok).toBe(true);
    // The moved chart, under a new id (its sub-chart came under its own).
    const newId = (await charts.list('personal')).find((c) => c.id !== id && c.parentChart === undefined)?.id as string;
    expect((await charts.show('personal', newId)).desiredOutcome).toBe('Write a novel');
    await stores.selection.getState().select({ context: 'personal', id: newId });

    expect((await stores.editor.undo())?.result.ok).toBe(true);
    expect(await records(engine, 'ideas')).toEqual(ideasBefore);
    expect(await records(engine, 'personal')).toEqual(personalBefore);
    await engine.flush();
    expect(fs.readFileSync(contextPaths(engine.layout, 'ideas').file, 'utf8')).toContain(beat);
    for (let i = 0; i < 50 && stores.selection.getState().open?.context !== 'ideas'; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stores.selection.getState().open).toMatchObject({ context: 'ideas', id });
    await engine.close();
  });

  it('is refused, changing nothing, when the id was taken in the meantime', async () => {
    const { engine, stores, charts } = await realHarness();
    const { id } = await charts.create('ideas', { outcome: 'Write a novel', reality: ['An outline'] });
    const lines = (await records(engine, 'ideas')).filter((raw) => raw.includes(`"${id}_desired_outcome"`) && raw.includes('"entity"')).map((raw) => raw.replace('Write a novel', 'Learn the cello'));
    await engine.transact('personal', () => ({ puts: parseImport(lines.join('\n'), 't'), deletes: [] }));
    expect(await stores.moves.getState().move('ideas', [id], 'personal')).toBeNull();
    expect((await stores.moves.getState().resolve({ [id]: 'new-id' }))?.ok).toBe(true);
    await engine.transact('ideas', () => ({ puts: parseImport(lines.join('\n'), 't'), deletes: [] }));
    const before = [await records(engine, 'ideas'), await records(engine, 'personal')];
    const undone = await stores.editor.undo();
    expect(undone?.result).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining(`cannot take back its id ${id}`) } });
    expect([await records(engine, 'ideas'), await records(engine, 'personal')]).toEqual(before);
    await engine.close();
  });
});
