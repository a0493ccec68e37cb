// A telescoped step and its sub-chart complete and reopen together, whichever of the two is
// named, through the real CLI in fresh processes (the CLI completed the step alone, the MCP tool
// both, so they drifted apart). And the COAIA server's own list shows the sub-chart as we do: it
// reads the chart entity's completionStatus, which we now set with the desired outcome.
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { cliOk } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { coaiaNarrativeEntry } from '../peers/memoryServerClient.ts';

afterEach(removeTempDirs);


interface Shown {
  steps: { name: string; completed: boolean }[];
  complete: boolean;
}
const shown = (data: string, id: string) => JSON.parse(cliOk(['chart', 'show', id, '--json'], data)) as { chart: Shown; children: { chart: Shown }[] };

/** The COAIA server's command-line list (its dist/cli.js), as its users read it: the sub-chart's line under its parent. */
function peerListLine(data: string, title: string): string {
  const run = spawnSync(process.execPath, [path.join(path.dirname(coaiaNarrativeEntry), 'cli.js'), 'list', '--memory-path', path.join(data, 'charts.jsonl')], { encoding: 'utf8', timeout: 30_000 });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.split('\n').find((line) => line.includes(title) && /[⏳✅]/u.test(line)) ?? `(no line for ${title})`;
}

it('a telescoped step completes and reopens with its sub-chart, and the COAIA server lists the sub-chart as we do', () => {
  const data = path.join(tempDir(), '.coaia');
  const parent = cliOk(['chart', 'create', '--outcome', 'Ship billing', '--reality', '3 pilots', '--due', '2026-12-31', '--step', 'Automate invoices', '--step', 'Migrate'], data);
  const step = `${parent}_action_1`;
  const sub = cliOk(['telescope', step, '--reality', 'Invoices are typed by hand', '--step', 'Pick a library'], data);
  const state = () => {
    const tree = shown(data, parent);
    return { step: tree.chart.steps.find((s) => s.name === step)?.completed, sub: tree.children[0]?.chart.complete, peer: peerListLine(data, 'Automate invoices').includes('✅') };
  };
  expect(state()).toEqual({ step: false, sub: false, peer: false });

  cliOk(['step', 'complete', step], data);
  expect(state()).toEqual({ step: true, sub: true, peer: true });
  cliOk(['step', 'reopen', step], data);
  expect(state()).toEqual({ step: false, sub: false, peer: false });
  cliOk(['outcome', 'complete', sub], data);
  expect(state()).toEqual({ step: true, sub: true, peer: true });
  cliOk(['outcome', 'reopen', sub], data);
  expect(state()).toEqual({ step: false, sub: false, peer: false });
});
