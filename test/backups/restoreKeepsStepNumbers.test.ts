// A restore from a backup puts the chart entity back as the backup holds it, with the mark of
// the highest step number given in that chart (FORMAT.md: raised, never lowered). Put back as
// it was, it lowered the mark: the next step took the name of one added after the backup and
// removed by the restore, which then could not come back ("exists again") and whose history
// mixed with the new one's (found by review). Fresh CLI processes, as a person runs them.
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cliOk, runCli } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

interface DeletedList {
  readonly deleted: readonly { readonly id: string; readonly kind: string; readonly name?: string }[];
}

it.each([
  ['the context', (backup: string) => ['backup', 'restore', backup]],
  ['the chart', (backup: string, chart: string) => ['backup', 'restore', backup, '--chart', chart]],
])('after restoring %s, a new step takes a name never given, and the step the restore removed comes back', (_, restore) => {
  const data = path.join(tempDir(), '.coaia');
  const chart = cliOk(['chart', 'create', '--outcome', 'Ship it', '--reality', 'r', '--step', 'First'], data);
  const backup = (runCli(['backup', 'create', '--data', data, '--json']).json() as { id: string }).id;
  expect(cliOk(['step', 'add', chart, '--title', 'Important step'], data)).toBe(`${chart}_action_2`);
  cliOk(restore(backup, chart), data);
  expect(cliOk(['chart', 'show', chart], data)).not.toContain('Important step');
  // The next step: a number never given in this chart.
  expect(cliOk(['step', 'add', chart, '--title', 'Unrelated new'], data)).toBe(`${chart}_action_3`);
  // The step the restore removed is among what was deleted, and comes back under its name.
  const removed = (runCli(['deleted', '--data', data, '--json']).json() as DeletedList).deleted.find((d) => d.kind === 'step');
  expect(removed).toBeDefined();
  const back = runCli(['restore-deleted', removed?.id ?? '', '--data', data]);
  expect(back.status, back.stderr).toBe(0);
  const shown = cliOk(['chart', 'show', chart], data);
  expect(shown).toContain('Important step');
  expect(shown).toContain('Unrelated new');
});
