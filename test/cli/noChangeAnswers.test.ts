// A change command that finds nothing to change (a line already in the current reality, a step
// reopened that is open, an outcome set to its own text, a step completed that is complete)
// says so and writes nothing: it answered "added" / "reopened" / "set" and journaled a commit
// that moved the chart's updatedAt (which the stalled-chart insights read). Fresh processes.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cliOk } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

it('each says "nothing to change" (changed 0 in JSON) and leaves the journal and the file as they were', () => {
  const data = path.join(tempDir(), '.coaia');
  const chart = cliOk(['chart', 'create', '--outcome', 'Goal', '--reality', 'CR1', '--step', 's1', '--step', 's2'], data);
  cliOk(['step', 'complete', `${chart}_action_2`], data);
  const journal = path.join(data, '.history', 'charts.journal.jsonl');
  const file = path.join(data, 'charts.jsonl');
  const before = [fs.readFileSync(journal), fs.readFileSync(file)];
  for (const run of [
    ['reality', 'add', chart, '--text', 'CR1'],
    ['step', 'reopen', `${chart}_action_1`],
    ['step', 'complete', `${chart}_action_2`],
    ['outcome', 'set', chart, '--text', 'Goal'],
    ['step', 'edit', `${chart}_action_1`, '--title', 's1'],
  ]) {
    expect(cliOk(run, data), run.join(' ')).toBe('nothing to change: it is so already');
    expect(JSON.parse(cliOk([...run, '--json'], data)), run.join(' ')).toMatchObject({ ok: true, changed: 0 });
  }
  expect(fs.readFileSync(journal).equals(before[0] as Buffer)).toBe(true);
  expect(fs.readFileSync(file).equals(before[1] as Buffer)).toBe(true);
  // A real change still says what it did, and a retry of it (the same --op) answers the same.
  expect(cliOk(['step', 'reopen', `${chart}_action_2`, '--op', 'reopen-2'], data)).toBe('reopened');
  expect(cliOk(['step', 'reopen', `${chart}_action_2`, '--op', 'reopen-2'], data)).toBe('reopened');
});
