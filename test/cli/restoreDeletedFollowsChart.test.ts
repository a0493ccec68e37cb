// A step removed in one context comes back into its chart where the chart is now: moved to
// another context, and that context renamed. It was refused ("its chart is gone") while the
// chart was there in the other context (found by review). Fresh CLI processes.
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cliOk, runCli } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

it('a removed step comes back into its chart after the chart was moved and its new context renamed', () => {
  const data = path.join(tempDir(), '.coaia');
  const chart = cliOk(['chart', 'create', '--context', 'a', '--outcome', 'Ship it', '--reality', 'r', '--step', 'One', '--step', 'Two'], data);
  cliOk(['step', 'remove', `${chart}_action_2`, '--context', 'a'], data);
  cliOk(['chart', 'move', chart, '--context', 'a', '--to', 'b'], data);
  cliOk(['context', 'rename', 'b', 'c'], data);
  const removed = (runCli(['deleted', '--data', data, '--json']).json() as { deleted: { id: string; kind: string }[] }).deleted.find((d) => d.kind === 'step');
  const back = runCli(['restore-deleted', removed?.id ?? '', '--data', data]);
  expect(back.status, back.stderr).toBe(0);
  expect(back.stdout).toContain('in c, where its chart is now (deleted in a)');
  const shown = cliOk(['chart', 'show', chart, '--context', 'c'], data);
  expect(shown).toContain(`Two  ${chart}_action_2`);
  expect(shown).toContain(`One  ${chart}_action_1`);
  // Put back once: a second restore finds it there.
  expect(runCli(['restore-deleted', removed?.id ?? '', '--data', data]).status).toBe(10);
});
