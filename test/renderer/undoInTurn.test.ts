// Undo pressed twice quickly takes back two edits, one after the other: the second undo reads
// the part only once the first has put it back, so it is neither refused as someone else's
// change nor lost.
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { realHarness } from './realTransport.ts';

afterEach(removeTempDirs);

describe('undo pressed twice quickly', () => {
  it('takes back both renames of a step, in order', async () => {
    const h = await realHarness();
    const { id } = await h.charts.create('work', { outcome: 'Ship billing', reality: ['Pilot only'], steps: ['Call the bank'] });
    await h.stores.selection.getState().select({ context: 'work', id });
    const chart = () => h.stores.selection.getState().tree!.chart;
    await h.stores.editor.renameStep(chart(), chart().steps[0]!, 'Call the bank on Monday', { ifVersion: chart().steps[0]!.version });
    await h.stores.editor.renameStep(chart(), chart().steps[0]!, 'Call the bank on Tuesday', { ifVersion: chart().steps[0]!.version });
    const [first, second] = await Promise.all([h.stores.editor.undo(), h.stores.editor.undo()]);
    expect(first?.result.ok, JSON.stringify(first?.result)).toBe(true);
    expect(second?.result.ok, JSON.stringify(second?.result)).toBe(true);
    expect((await h.charts.show('work', id)).steps[0]!.title).toBe('Call the bank');
    expect(h.stores.undo.getState().entries).toEqual([]);
    await h.engine.close();
  });

  it('a third press with nothing left says so, after the two undos are done', async () => {
    const h = await realHarness();
    const { id } = await h.charts.create('work', { outcome: 'Ship billing', reality: ['Pilot only'], steps: [] });
    await h.stores.selection.getState().select({ context: 'work', id });
    const chart = () => h.stores.selection.getState().tree!.chart;
    await h.stores.editor.setOutcome(chart(), 'Ship billing v2', { ifVersion: chart().versions!.outcome });
    await h.stores.editor.setOutcome(chart(), 'Ship billing v3', { ifVersion: chart().versions!.outcome });
    const answers = await Promise.all([h.stores.editor.undo(), h.stores.editor.undo(), h.stores.editor.undo()]);
    expect(answers.map((a) => a?.result.ok ?? null)).toEqual([true, true, null]);
    expect((await h.charts.show('work', id)).desiredOutcome).toBe('Ship billing');
    await h.engine.close();
  });
});
