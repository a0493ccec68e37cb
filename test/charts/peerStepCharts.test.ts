// Steps the COAIA server's add_action_step makes: a sub-chart hanging from the chart itself (no
// step of ours), named by its desired outcome. A chart whose own steps were all done counted as
// complete and was archived with such a step still open, which then left the server's list of
// active charts; and `step remove` did not know such a step. Real COAIA server, real CLI in
// fresh processes.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runCli, cliOk } from '../helpers/runCli.ts';
import { folderSnapshot } from '../helpers/folderSnapshot.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { MemoryServer } from '../peers/memoryServerClient.ts';

afterEach(removeTempDirs);


const chartIds = (data: string) => (JSON.parse(cliOk(['chart', 'list', '--json'], data)) as { charts: { id: string }[] }).charts.map((c) => c.id);

/** A chart with one step of ours and one the COAIA server added as a sub-chart. */
async function chartWithPeerStep(): Promise<{ data: string; parent: string; stepChart: string }> {
  const data = path.join(tempDir(), '.coaia');
  fs.mkdirSync(data, { recursive: true });
  const peer = await MemoryServer.start(path.join(data, 'charts.jsonl'), 'coaia-narrative');
  let parent = '';
  try {
    await peer.call('create_structural_tension_chart', { desiredOutcome: 'Ship billing', currentReality: '3 pilots', dueDate: '2026-12-31', actionSteps: ['Automate invoices'] });
    parent = chartIds(data)[0] as string;
    await peer.call('add_action_step', { parentChartId: parent, actionStepTitle: 'Migrate customers', currentReality: 'none migrated' });
  } finally {
    await peer.close();
  }
  return { data, parent, stepChart: chartIds(data).find((id) => id !== parent) as string };
}

it('a chart with an open step the COAIA server added as a sub-chart is not archived until that step is done', async () => {
  const { data, parent, stepChart } = await chartWithPeerStep();
  cliOk(['step', 'complete', `${parent}_action_1`], data);

  const before = folderSnapshot(data);
  const refused = runCli(['chart', 'archive', parent, '--data', data]);
  expect(refused.status).toBe(2);
  expect(refused.stderr).toContain(`its sub-chart ${stepChart} (a step added as a chart) is not complete`);
  expect(folderSnapshot(data)).toEqual(before);

  cliOk(['outcome', 'complete', stepChart], data);
  cliOk(['chart', 'archive', parent], data);
  expect(chartIds(data)).toEqual([]);
  expect(cliOk(['chart', 'list', '--json', '--context', 'completed'], data)).toContain(stepChart);
});

it('`step remove` takes a step the COAIA server added as a sub-chart, named by its desired outcome, with its "Completed" note', async () => {
  const { data, parent, stepChart } = await chartWithPeerStep();
  cliOk(['outcome', 'complete', stepChart], data);
  expect(cliOk(['chart', 'show', parent], data)).toContain('Completed: Migrate customers');

  cliOk(['step', 'remove', `${stepChart}_desired_outcome`], data);

  expect(chartIds(data)).toEqual([parent]);
  expect(cliOk(['chart', 'show', parent], data)).not.toContain('Migrate customers');
  expect(fs.readFileSync(path.join(data, 'charts.jsonl'), 'utf8')).not.toContain(stepChart);
  expect(runCli(['verify', '--data', data]).status).toBe(0);
});

it("a sub-chart we telescope from a step without a due date takes its parent's, so the COAIA server can add steps to it", async () => {
  const data = path.join(tempDir(), '.coaia');
  const parent = cliOk(['chart', 'create', '--outcome', 'Ship billing', '--reality', '3 pilots', '--due', '2026-12-31', '--step', 'Automate invoices'], data);
  const sub = cliOk(['telescope', `${parent}_action_1`, '--reality', 'typed by hand'], data);
  expect((JSON.parse(cliOk(['chart', 'show', sub, '--json'], data)) as { chart: { dueDate?: string } }).chart.dueDate).toBe('2026-12-31');
  const peer = await MemoryServer.start(path.join(data, 'charts.jsonl'), 'coaia-narrative');
  try {
    await peer.call('add_action_step', { parentChartId: sub, actionStepTitle: 'Pick a PDF library', currentReality: 'none picked' });
  } finally {
    await peer.close();
  }
  expect(chartIds(data)).toHaveLength(3);
});
