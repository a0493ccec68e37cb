// A step edit that changes nothing writes nothing: steps.edit with neither a title nor a due date
// was accepted and written (changed: 2), and so was an edit to the title the step already had;
// each moved the step's and the chart's versions, so another window's edit made at the versions
// it saw was refused as a conflict for nothing. Now an edit naming neither is refused by the
// contract (BAD_INPUT, nothing changed), and one giving the values the step has answers
// changed 0 with nothing written, as other edits that find nothing to change do.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import type { ChartTree } from '../../shared/domain.ts';
import { cliOk } from '../helpers/runCli.ts';
import { folderSnapshot } from '../helpers/folderSnapshot.ts';
import { openEngine, removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { ownWindowTable } from '../helpers/ownWindowTable.ts';
import type { ChannelInput } from '../../shared/contract.ts';

afterEach(removeTempDirs);

async function setup() {
  const { layout, engine, typed: call } = await ownWindowTable({ origin: 'app' });
  const created = await call('charts.create', { context: 'work', outcome: 'Ship billing', reality: ['Pilot only'], steps: [{ title: 'Automate invoices', dueDate: '2027-01-31' }, { title: 'Migrate customers' }] });
  const id = (created.ok ? created.value.id : '') as string;
  const tree = async () => {
    const read = await call('charts.tree', { context: 'work', id });
    return (read.ok ? read.value : undefined) as unknown as ChartTree;
  };
  const journal = path.join(layout.root, '.history', 'charts-work.journal.jsonl');
  return { engine, call, tree, id, journal };
}

describe('a step edit that changes nothing', () => {
  it('naming neither a title nor a due date is refused by the contract, nothing written', async () => {
    const { engine, call, tree, id, journal } = await setup();
    const before = await tree();
    const bytes = fs.readFileSync(journal);
    const refused = await call('steps.edit', { context: 'work', name: `${id}_action_1` } as ChannelInput<'steps.edit'>);
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', kept: 'Nothing was changed.' } });
    if (!refused.ok) expect(refused.error.message).toContain('give a new title or a due date');
    // The chart service refuses it too, for a caller that does not go through the contract.
    await expect(new ChartService(engine).editStep('work', `${id}_action_1`, {})).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('nothing was changed') as unknown });
    expect(fs.readFileSync(journal).equals(bytes)).toBe(true);
    expect((await tree()).chart.versions).toEqual(before.chart.versions);
    await engine.close();
  });

  it("the step's own title, due date or lack of one: changed 0, the versions unchanged, so another window's edit at those versions goes through", async () => {
    const { engine, call, tree, id, journal } = await setup();
    const seen = (await tree()).chart;
    const bytes = fs.readFileSync(journal);
    const [first, second] = [`${id}_action_1`, `${id}_action_2`];
    for (const edit of [{ name: first, title: 'Automate invoices' }, { name: first, title: '  Automate invoices ' }, { name: first, dueDate: '2027-01-31' }, { name: first, title: 'Automate invoices', dueDate: '2027-01-31' }, { name: second, dueDate: null }]) {
      expect(await call('steps.edit', { context: 'work', ...edit }), JSON.stringify(edit)).toMatchObject({ ok: true, value: { changed: 0 } });
    }
    expect(fs.readFileSync(journal).equals(bytes), 'the journal grew for edits that changed nothing').toBe(true);
    expect((await tree()).chart.versions).toEqual(seen.versions);
    expect(await call('steps.add', { context: 'work', chartId: id, title: 'Tell the customers', ifVersion: seen.versions!.chart })).toMatchObject({ ok: true });
    expect(await call('steps.edit', { context: 'work', name: first, title: 'Automate all invoices', ifVersion: seen.steps[0]!.version! })).toMatchObject({ ok: true, value: { changed: 2 } });
    await engine.close();
  });

  it('the same from the CLI, a fresh process: the data folder is as it was', async () => {
    const data = path.join(tempDir(), '.coaia');
    const engine = await openEngine(resolveLayout({ data }));
    const { id } = await new ChartService(engine).create('default', { outcome: 'Ship billing', reality: ['Pilot only'], steps: [{ title: 'Automate invoices', dueDate: '2027-01-31' }] });
    await engine.close();
    cliOk(['chart', 'show', id], data); // a first open may tidy the folder; the edit's is what counts
    const before = folderSnapshot(data);
    cliOk(['step', 'edit', `${id}_action_1`, '--title', 'Automate invoices', '--due', '2027-01-31'], data);
    expect(folderSnapshot(data)).toEqual(before);
    cliOk(['step', 'edit', `${id}_action_1`, '--title', 'Automate all invoices'], data);
    expect(folderSnapshot(data)).not.toEqual(before);
  });
});
