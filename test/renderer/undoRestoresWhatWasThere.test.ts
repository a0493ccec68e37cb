// Undo takes back only what the edit did, on the real handlers: a line that was in current
// reality before the edit is still there after its undo. Adding a line already there changes
// nothing (and leaves nothing to undo); editing a line into another merges the two, and undoing
// that brings both back; undoing a step's completion leaves a "Completed: …" line typed before,
// and a sub-chart achieved before, as they were.
import { afterEach, describe, expect, it } from 'vitest';
import { ChangeSet } from '../../electron/core/charts/chartChangeSet.ts';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { realHarness } from './realTransport.ts';

afterEach(removeTempDirs);

async function chartWith(reality: string[], steps: string[] = []) {
  const h = await realHarness();
  const { id } = await h.charts.create('work', { outcome: 'Ship billing', reality, steps });
  await h.stores.selection.getState().select({ context: 'work', id });
  const tree = () => h.stores.selection.getState().tree!;
  const chart = () => tree().chart;
  return { ...h, id, tree, chart };
}

describe('undo of a current-reality edit', () => {
  it('adding a line that is there already changes nothing, and the next undo leaves that line', async () => {
    const { engine, stores, chart } = await chartWith(['Budget approved', 'Team of 3']);
    await stores.editor.setOutcome(chart(), 'Ship billing to everyone');
    const added = await stores.editor.addReality(chart(), 'Budget approved');
    expect(added).toMatchObject({ ok: true, value: { changed: 0 } });
    expect(chart().currentReality).toEqual(['Budget approved', 'Team of 3']);
    // Undo takes back the edit before it (the outcome), not the line that was there.
    expect(await stores.editor.undo()).toMatchObject({ label: 'Change the desired outcome', result: { ok: true } });
    expect(chart().currentReality).toEqual(['Budget approved', 'Team of 3']);
    expect(chart().desiredOutcome).toBe('Ship billing');
    await engine.close();
  });

  it('a line edited into another merges the two; undo brings both back', async () => {
    const { engine, stores, chart } = await chartWith(['Budget approved', 'Team of 3']);
    expect((await stores.editor.editReality(chart(), 'Team of 3', 'Budget approved')).ok).toBe(true);
    expect(chart().currentReality).toEqual(['Budget approved']);
    expect((await stores.editor.undo())?.result.ok).toBe(true);
    expect(chart().currentReality).toEqual(['Budget approved', 'Team of 3']);
    await engine.close();
  });

  it('a line merged from the middle comes back too (last: no channel puts a line at a place)', async () => {
    const { engine, stores, chart } = await chartWith(['Invoices by hand', 'Team of 3', 'Budget approved']);
    await stores.editor.editReality(chart(), 'Invoices by hand', 'Budget approved');
    expect((await stores.editor.undo())?.result.ok).toBe(true);
    expect(chart().currentReality).toEqual(['Team of 3', 'Budget approved', 'Invoices by hand']);
    await engine.close();
  });

  it('adds, renames and removals are still all taken back, one after the other', async () => {
    const { engine, stores, chart } = await chartWith(['Budget approved', 'Team of 3']);
    await stores.editor.addReality(chart(), 'Pilot signed');
    await stores.editor.editReality(chart(), 'Team of 3', 'Team of 4');
    await stores.editor.editReality(chart(), 'Budget approved', undefined);
    await stores.editor.addReality(chart(), 'Bank connected');
    expect(chart().currentReality).toEqual(['Team of 4', 'Pilot signed', 'Bank connected']);
    for (let i = 0; i < 4; i++) expect((await stores.editor.undo())?.result.ok).toBe(true);
    expect(chart().currentReality.toSorted()).toEqual(['Budget approved', 'Team of 3']);
    await engine.close();
  });
});

describe('undo of a step completion', () => {
  it('leaves a "Completed: …" line that was in current reality before', async () => {
    const { engine, stores, chart } = await chartWith(['Completed: Draft the plan', 'Team of 3'], ['Draft the plan']);
    await stores.editor.completeStep(chart(), chart().steps[0]!);
    expect(chart().currentReality).toEqual(['Completed: Draft the plan', 'Team of 3']);
    expect((await stores.editor.undo())?.result.ok).toBe(true);
    expect(chart().steps[0]!.completed).toBe(false);
    expect(chart().currentReality).toEqual(['Completed: Draft the plan', 'Team of 3']);
    // A completion that added the line takes it away again.
    await stores.editor.editReality(chart(), 'Completed: Draft the plan', undefined);
    await stores.editor.completeStep(chart(), chart().steps[0]!);
    expect(chart().currentReality).toEqual(['Team of 3', 'Completed: Draft the plan']);
    expect((await stores.editor.undo())?.result.ok).toBe(true);
    expect(chart().currentReality).toEqual(['Team of 3']);
    await engine.close();
  });

  it('two steps of one title share one note, which goes when both are reopened, in either order', async () => {
    const { engine, stores, chart } = await chartWith(['Team of 3'], ['Run the tests', 'Run the tests']);
    for (const step of chart().steps) await stores.editor.completeStep(chart(), step);
    expect(chart().currentReality).toEqual(['Team of 3', 'Completed: Run the tests']);
    await stores.editor.reopenStep(chart(), chart().steps[0]!);
    expect(chart().currentReality).toEqual(['Team of 3', 'Completed: Run the tests']);
    await stores.editor.reopenStep(chart(), chart().steps[1]!);
    expect(chart().currentReality).toEqual(['Team of 3']);
    await engine.close();
  });

  it('a step renamed once complete takes its note, found or not, when reopened: the note followed the new title', async () => {
    const { engine, stores, chart } = await chartWith(['Completed: Draft the plan', 'Team of 3'], ['Draft the plan']);
    await stores.editor.completeStep(chart(), chart().steps[0]!);
    await stores.editor.renameStep(chart(), chart().steps[0]!, 'Draft the whole plan');
    expect(chart().currentReality).toEqual(['Completed: Draft the whole plan', 'Team of 3']);
    await stores.editor.reopenStep(chart(), chart().steps[0]!);
    expect(chart().currentReality).toEqual(['Team of 3']);
    await engine.close();
  });

  it("of a sub-chart's outcome leaves the line that was in its parent's current reality before", async () => {
    const { engine, stores, charts, tree, id } = await chartWith(['Completed: Automate invoices'], ['Automate invoices']);
    await charts.telescope('work', `${id}_action_1`, { reality: 'Typed by hand' });
    await stores.selection.getState().reload();
    await stores.editor.completeOutcome(tree().children[0]!.chart);
    expect(tree().chart.steps[0]!.completed).toBe(true);
    expect((await stores.editor.undo())?.result.ok).toBe(true);
    expect(tree().chart.steps[0]!.completed).toBe(false);
    expect(tree().children[0]!.chart.outcomeCompleted).toBe(false);
    expect(tree().chart.currentReality).toEqual(['Completed: Automate invoices']);
    await engine.close();
  });

  it('leaves a sub-chart that was achieved before achieved, and reopens one the completion achieved', async () => {
    const { engine, stores, charts, chart, tree, id } = await chartWith(['Team of 3'], ['Automate invoices', 'Migrate customers']);
    const [first, second] = [`${id}_action_1`, `${id}_action_2`];
    const done = await charts.telescope('work', first, { reality: 'Typed by hand' });
    const open = await charts.telescope('work', second, { reality: 'Nobody moved yet' });
    // Another program (the COAIA server) marked the first sub-chart's outcome achieved, not its step.
    await engine.transact('work', (state) => {
      const changes = new ChangeSet(state);
      changes.modify(`${done.id}_desired_outcome`, (_value, metadata) => (metadata.completionStatus = true));
      return changes.done();
    });
    await stores.selection.getState().reload();
    const achieved = () => Object.fromEntries(tree().children.map((child) => [child.chart.id, child.chart.outcomeCompleted]));
    expect(achieved()).toEqual({ [done.id]: true, [open.id]: false });

    for (const step of chart().steps) await stores.editor.completeStep(chart(), step);
    expect(achieved()).toEqual({ [done.id]: true, [open.id]: true });
    for (let i = 0; i < 2; i++) expect((await stores.editor.undo())?.result.ok).toBe(true);
    expect(chart().steps.map((s) => s.completed)).toEqual([false, false]);
    expect(achieved()).toEqual({ [done.id]: true, [open.id]: false });
    expect(chart().currentReality).toEqual(['Team of 3']);
    await engine.close();
  });
});
