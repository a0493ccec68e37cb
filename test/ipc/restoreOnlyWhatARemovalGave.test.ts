// steps.restore (the window's undo of a removal) puts back only what a removal gives: it took
// any entity and relation lines, and wrote a step titled with 200,000 characters. Now each
// entity must be a part of a chart, each relation must touch what is put back with it, and each
// text must be one a removal could have taken (no NUL, at most 100,000 characters); anything else
// is refused (BAD_INPUT, nothing written). A real removal, a step with its telescoped sub-chart
// and a completed step of it titled near the longest an edit takes, still comes back as it was.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChartTree } from '../../shared/domain.ts';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { ownWindowTable } from '../helpers/ownWindowTable.ts';

afterEach(removeTempDirs);

async function setup() {
  const { layout, engine, typed: call } = await ownWindowTable({ origin: 'app' });
  const created = await call('charts.create', { context: 'work', outcome: 'Ship billing', reality: ['Pilot only'], steps: [{ title: 'Automate invoices' }, { title: 'Migrate customers' }] });
  const id = (created.ok ? created.value.id : '') as string;
  const tree = async () => {
    const read = await call('charts.tree', { context: 'work', id });
    return (read.ok ? read.value : undefined) as unknown as ChartTree;
  };
  const journal = path.join(layout.root, '.history', 'charts-work.journal.jsonl');
  return { engine, call, tree, id, journal };
}

const stepLines = (id: string, name: string, title: unknown) => [
  JSON.stringify({ type: 'entity', name, entityType: 'action_step', observations: [title], metadata: { chartId: id, completionStatus: false } }),
  JSON.stringify({ type: 'relation', from: `${id}_chart`, to: name, relationType: 'contains' }),
];

describe('steps.restore puts back only what a removal gives', () => {
  it('refuses a text no removal could have taken (too long, a NUL, not text), a name too long, an entity of no chart, a link to nothing put back: BAD_INPUT, nothing written', async () => {
    const { engine, call, tree, id, journal } = await setup();
    const before = await tree();
    const bytes = fs.readFileSync(journal);
    const cases: [string, string[], RegExp][] = [
      ['a 200,000-character title', stepLines(id, `${id}_action_7`, 'x'.repeat(200_000)), /Line 1 .*too long \(200000 characters; at most 100000\)/],
      ['a NUL, after a good step', [...stepLines(id, `${id}_action_9`, 'Fine'), ...stepLines(id, `${id}_action_11`, 'a\u0000b')], /Line 3 .*NUL/],
      ['a title that is not text', stepLines(id, `${id}_action_12`, 42), /Line 1 /],
      ['a name of 5,000 characters', stepLines(id, `${id}_${'x'.repeat(5_000)}_action_1`, 'Fine'), /at most 1000/],
      ['an entity of no chart', [JSON.stringify({ type: 'entity', name: 'alice', entityType: 'person', observations: ['likes tea'] })], /no part of a chart/],
      ['a link between things that are there', [JSON.stringify({ type: 'relation', from: `${id}_action_1`, to: `${id}_action_2`, relationType: 'depends_on' })], /links nothing that is put back/],
    ];
    for (const [what, records, message] of cases) {
      const refused = await call('steps.restore', { context: 'work', records });
      expect(refused, what).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', kept: 'Nothing was changed.' } });
      if (!refused.ok) expect(refused.error.message, what).toMatch(message);
      if (!refused.ok) expect(refused.error.message, what).toContain('nothing was put back');
    }
    expect(fs.readFileSync(journal).equals(bytes), 'the journal grew for a refused restore').toBe(true);
    expect(await tree()).toEqual(before);
    await engine.close();
  });

  it('a step removed with its telescoped sub-chart and a completed step of it (titled near the longest an edit takes: its note is longer) still comes back as it was', async () => {
    const { engine, call, tree, id } = await setup();
    const telescoped = await call('steps.telescope', { context: 'work', name: `${id}_action_2`, reality: 'None migrated' });
    const sub = (telescoped.ok ? telescoped.value.id : '') as string;
    await call('steps.add', { context: 'work', chartId: sub, title: `Pick the first ten ${'x'.repeat(9_975)}` });
    await call('steps.complete', { context: 'work', name: `${sub}_action_1` });
    const before = await tree();
    const removed = await call('steps.remove', { context: 'work', name: `${id}_action_2` });
    const lines = (removed.ok ? removed.value.removed : []) as string[];
    expect(lines.length).toBeGreaterThan(5);
    expect(await call('steps.restore', { context: 'work', records: lines })).toMatchObject({ ok: true });
    const after = await tree();
    expect(after.children.map((c) => [c.chart.id, c.chart.steps.map((s) => [s.title, s.completed])])).toEqual(before.children.map((c) => [c.chart.id, c.chart.steps.map((s) => [s.title, s.completed])]));
    expect(after.chart.steps.map((s) => s.name)).toEqual(before.chart.steps.map((s) => s.name));
    await engine.close();
  });
});
