// Completing or reopening a step that is already so (another program did it first, or a
// second click) changes nothing, and leaves nothing to undo: an undo there would take back
// someone else's completion, or be refused as their change.
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { realHarness } from './realTransport.ts';

afterEach(removeTempDirs);

async function seeded() {
  const h = await realHarness();
  const { id } = await h.charts.create('work', { outcome: 'Ship billing', reality: ['Pilot only'], steps: ['Automate invoices'] });
  await h.stores.selection.getState().select({ context: 'work', id });
  const chart = () => h.stores.selection.getState().tree!.chart;
  return { ...h, id, chart };
}

describe('a step completed or reopened twice', () => {
  it('completing a step another program completed first leaves no undo, and their completion stays', async () => {
    const { engine, stores, charts, chart } = await seeded();
    const seen = chart();
    const step = seen.steps[0]!;
    await charts.completeStep('work', step.name);
    const done = await stores.editor.completeStep(seen, step);
    expect(done.ok).toBe(true);
    expect(stores.undo.getState().entries).toEqual([]);
    expect(await stores.editor.undo()).toBeNull();
    expect(chart().steps[0]!.completed).toBe(true);
    await engine.close();
  });

  it('reopening a step another program reopened first leaves no undo that would complete it again', async () => {
    const { engine, stores, charts, chart } = await seeded();
    await charts.completeStep('work', chart().steps[0]!.name);
    await stores.selection.getState().reload();
    const seen = chart();
    const step = seen.steps[0]!;
    await charts.reopenStep('work', step.name);
    expect((await stores.editor.reopenStep(seen, step)).ok).toBe(true);
    expect(stores.undo.getState().entries).toEqual([]);
    expect(chart().steps[0]!.completed).toBe(false);
    await engine.close();
  });

  it('a double click on the checkbox leaves one undo, which takes the completion back', async () => {
    const { engine, stores, chart } = await seeded();
    const seen = chart();
    await Promise.all([stores.editor.completeStep(seen, seen.steps[0]!), stores.editor.completeStep(seen, seen.steps[0]!)]);
    expect(stores.undo.getState().entries).toHaveLength(1);
    const undone = await stores.editor.undo();
    expect(undone?.result.ok).toBe(true);
    expect(chart().steps[0]!.completed).toBe(false);
    expect(await stores.editor.undo()).toBeNull();
    await engine.close();
  });
});
