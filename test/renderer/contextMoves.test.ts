// Moving charts and managing contexts from the window's stores, on the real handlers: a move
// with a collision waits for the person's choice and then moves under a new id; Undo moves it
// back; a merge whose preview has no collision happens at once and Undo brings its charts back;
// a deleted context comes back with Undo; an import is previewed, applied, and undone exactly.
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { realHarness } from './realTransport.ts';

afterEach(removeTempDirs);

describe('moving charts and managing contexts from the window', () => {
  it('a colliding move waits for the choice, moves under a new id, and Undo moves it back', async () => {
    const { engine, stores, charts } = await realHarness();
    const { id } = await charts.create('ideas', { outcome: 'Write a novel', reality: ['An outline'] });
    const lines = await engine.read('ideas', (state) => [...state.values()].filter((r) => r.raw.includes(id)).map((r) => r.raw.replace('Write a novel', 'Learn the cello')));
    const { parseImport } = await import('../../electron/core/knowledgeGraph.ts');
    await engine.transact('personal', () => ({ puts: parseImport(lines.join('\n'), 't'), deletes: [] }));
    const moves = stores.moves.getState();
    expect(await moves.move('ideas', [id], 'personal')).toBeNull();
    expect(stores.moves.getState().collisions?.preview.unresolved).toEqual([id]);
    expect((await charts.list('ideas')).map((c) => c.id)).toEqual([id]);
    const resolved = await stores.moves.getState().resolve({ [id]: 'new-id' });
    expect(resolved?.ok).toBe(true);
    expect(stores.moves.getState().collisions).toBeNull();
    // A new id of the shape the COAIA servers' tools accept (chart_<digits>), so an assistant can still add steps to it.
    const newId = (await charts.list('personal')).map((c) => c.id).find((other) => other !== id) as string;
    expect(newId).toMatch(/^chart_\d+$/);
    expect((await charts.show('personal', newId)).desiredOutcome).toBe('Write a novel');
    expect(stores.undo.getState().entries.at(-1)?.label).toBe('Move 1 chart to personal');
    expect((await stores.editor.undo())?.result.ok).toBe(true);
    expect((await charts.list('personal')).map((c) => c.id)).toEqual([id]);
    expect((await charts.show('ideas', id)).desiredOutcome).toBe('Write a novel'); // under its own id again
    await engine.close();
  });

  it('a merge, a rename and a deletion are each undone by Undo', async () => {
    const { engine, stores, charts } = await realHarness();
    const a = (await charts.create('garden', { outcome: 'Grow tomatoes', reality: ['Seeds'] })).id;
    await charts.create('personal', { outcome: 'Run', reality: ['5 km'] });
    const merged = await stores.moves.getState().merge('garden', 'personal');
    expect(merged?.ok).toBe(true);
    expect((await engine.listContexts()).map((c) => c.context)).toEqual(['personal']);
    expect((await stores.editor.undo())?.result.ok).toBe(true);
    expect((await charts.list('garden')).map((c) => c.id)).toEqual([a]);

    expect((await stores.moves.getState().rename('garden', 'yard')).ok).toBe(true);
    expect((await engine.listContexts()).map((c) => c.context)).toEqual(['personal', 'yard']);
    expect((await stores.editor.undo())?.result.ok).toBe(true);
    expect((await engine.listContexts()).map((c) => c.context)).toEqual(['garden', 'personal']);

    expect((await stores.moves.getState().remove('garden')).ok).toBe(true);
    expect((await engine.listContexts()).map((c) => c.context)).toEqual(['personal']);
    expect((await stores.editor.undo())?.result.ok).toBe(true);
    expect((await charts.list('garden')).map((c) => c.id)).toEqual([a]);
    await engine.close();
  });

  it('an import is previewed (what is new, what cannot be read), applied in one change and undone exactly', async () => {
    const { engine, stores } = await realHarness();
    const text = '{"type":"entity","name":"peer_note","entityType":"note","observations":["x"]}\n{"broken';
    const preview = await stores.moves.getState().previewImport('work', 'peer.jsonl', text);
    expect(preview.ok && preview.value).toMatchObject({ newRecords: 1, unreadable: [{ where: 'line 2' }] });
    expect(await engine.read('work', (state) => state.size)).toBe(0);
    expect((await stores.moves.getState().applyImport())?.ok).toBe(true);
    expect(await engine.read('work', (state) => state.has('e\u0000peer_note'))).toBe(true);
    expect((await stores.editor.undo())?.result.ok).toBe(true);
    expect(await engine.read('work', (state) => state.size)).toBe(0);
    await engine.close();
  });
});
