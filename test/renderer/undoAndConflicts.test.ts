// Undo you can trust, on the real handlers: every edit is taken back, telescoping and creating a
// chart included; a removed step comes back with its whole telescoped subtree as it was; and an
// undo never overwrites what another program changed since (it says so, and changes nothing).
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { realHarness } from './realTransport.ts';

afterEach(removeTempDirs);

async function seeded() {
  const h = await realHarness();
  const { id } = await h.charts.create('work', { outcome: 'Ship billing', reality: ['Pilot only'], steps: ['Automate invoices', 'Migrate customers'] });
  await h.stores.selection.getState().select({ context: 'work', id });
  const chart = () => h.stores.selection.getState().tree!.chart;
  return { ...h, id, chart };
}

describe('undo', () => {
  it('takes back a telescope (the sub-chart goes) and the creation of a chart (it goes; its history stays)', async () => {
    const { engine, stores, charts, chart, id } = await seeded();
    const telescoped = await stores.editor.telescope(chart(), chart().steps[0]!);
    expect(telescoped.ok).toBe(true);
    expect(stores.selection.getState().tree!.children).toHaveLength(1);
    expect((await stores.editor.undo())?.result.ok).toBe(true);
    expect(stores.selection.getState().tree!.children).toEqual([]);
    expect(chart().steps[0]!.telescopedInto).toBeUndefined();

    const created = await stores.editor.createChart({ context: 'work', outcome: 'A chart made by mistake', reality: ['Typed too fast'], steps: [{ title: 'Oops' }] });
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    // Editing it and undoing that edit leaves the creation undoable.
    await stores.selection.getState().select({ context: 'work', id: created.value.id });
    await stores.editor.renameStep(chart(), chart().steps[0]!, 'Oops, renamed');
    await stores.editor.undo();
    const undone = await stores.editor.undo();
    expect(undone?.result.ok, JSON.stringify(undone?.result)).toBe(true);
    expect((await charts.list('work')).map((c) => c.id)).toEqual([id]);
    expect((await charts.history('work', created.value.id)).some((e) => e.action === 'delete')).toBe(true);
    await engine.close();
  });

  it('brings back a removed step with its whole telescoped subtree, exactly as it was', async () => {
    const { engine, stores, charts, chart, id } = await seeded();
    const sub = await charts.telescope('work', `${id}_action_1`, { reality: 'Invoices are typed by hand', steps: ['Pick a service', 'Connect the bank'] });
    const deeper = await charts.telescope('work', `${sub.id}_action_1`, {});
    await charts.completeStep('work', `${id}_action_1`);
    await stores.selection.getState().reload();
    const before = JSON.stringify(stores.selection.getState().tree);
    const removed = await stores.editor.removeStep(chart(), chart().steps.find((s) => s.name === `${id}_action_1`)!);
    expect(removed.ok).toBe(true);
    expect(stores.selection.getState().tree!.children).toEqual([]);
    expect(chart().currentReality).not.toContain('Completed: Automate invoices');
    expect((await stores.editor.undo())?.result.ok).toBe(true);
    const after = stores.selection.getState().tree!;
    expect(after.children.map((c) => c.chart.id)).toEqual([sub.id]);
    expect(after.children[0]!.children.map((c) => c.chart.id)).toEqual([deeper.id]);
    expect(after.chart.currentReality).toContain('Completed: Automate invoices');
    // Everything but the chart's own last-change stamp is as it was.
    const strip = (json: string) => json.replace(/"(version|chart)":"[0-9a-f]{8}"/g, '');
    expect(strip(JSON.stringify(after.children))).toBe(strip(JSON.stringify(JSON.parse(before).children)));
    await engine.close();
  });

  it('is refused, with nothing changed, when another program changed the part since; undoing an untouched edit still works', async () => {
    const { engine, stores, charts, chart, id } = await seeded();
    await stores.editor.setOutcome(chart(), 'Ship billing to everyone');
    await stores.editor.renameStep(chart(), chart().steps[1]!, 'Migrate all customers');
    // Another program renames the same step afterwards.
    await charts.editStep('work', `${id}_action_2`, { title: 'Migrate the first ten customers' });
    await stores.selection.getState().reload();
    const refused = await stores.editor.undo();
    expect(refused?.result).toMatchObject({ ok: false, error: { code: 'CONFLICT', kept: 'Nothing was changed.' } });
    expect(refused?.result.ok === false && refused.result.error.message).toMatch(/changed by someone else since/);
    expect(chart().steps[1]!.title).toBe('Migrate the first ten customers');
    // The outcome nobody else touched: its undo applies.
    expect((await stores.editor.undo())?.result.ok).toBe(true);
    expect(chart().desiredOutcome).toBe('Ship billing');
    await engine.close();
  });
});

describe('editing against a version', () => {
  it('an edit sent with the version the person saw is refused when another program changed that part since, and the draft is kept', async () => {
    const { engine, stores, charts, chart, id } = await seeded();
    const seen = chart();
    await charts.setOutcome('work', id, 'Ship billing, says the CLI');
    const refused = await stores.editor.setOutcome(seen, 'Ship billing, says the person', { ifVersion: seen.versions!.outcome });
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(stores.undo.getState().entries).toEqual([]);
    await stores.selection.getState().reload();
    expect(chart().desiredOutcome).toBe('Ship billing, says the CLI');
    // Keep mine: sent again against the version now shown.
    expect((await stores.editor.setOutcome(chart(), 'Ship billing, says the person', { ifVersion: chart().versions!.outcome })).ok).toBe(true);
    expect(chart().desiredOutcome).toBe('Ship billing, says the person');
    await engine.close();
  });

  it('a request sent twice with one operation id makes one chart', async () => {
    const { engine, stores, charts } = await seeded();
    const input = { context: 'work', outcome: 'Write the launch post', reality: ['Nothing written'] };
    const results = await Promise.all([1, 2, 3].map(() => stores.editor.createChart(input, { op: 'app:charts.create:one-form' })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect((await charts.list('work')).filter((s) => s.desiredOutcome === 'Write the launch post')).toHaveLength(1);
    expect(stores.undo.getState().entries.filter((e) => e.label.includes('Write the launch post'))).toHaveLength(1);
    await engine.close();
  });
});
