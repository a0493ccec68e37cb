// A context renamed (or merged, or deleted) since a backup was made, then restored from it: the
// restored context is that context again. Its retired note stayed, and the next context
// operation took the restored records for a rename's leftovers and moved them on to the new
// name. Each command is a fresh CLI process, as a person runs them.
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cliOk } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

const charts = (data: string, context: string) => cliOk(['chart', 'list', '--context', context], data);

it('restoring a renamed context from a backup (whole, or one chart): it stays restored through the next context operations', () => {
  const data = path.join(tempDir(), '.coaia');
  cliOk(['chart', 'create', '--context', 'work', '--outcome', 'W1', '--reality', 'R', '--step', 's1'], data);
  const second = cliOk(['chart', 'create', '--context', 'work', '--outcome', 'W2', '--reality', 'R'], data);
  const backup = (JSON.parse(cliOk(['backup', 'create', '--json'], data)) as { id: string }).id;
  cliOk(['context', 'rename', 'work', 'proj'], data);

  cliOk(['backup', 'restore', backup], data);
  for (const run of [['context', 'adopt'], ['context', 'rename', 'proj', 'office'], ['entity', 'set', '--name', 'n', '--type', 'note', '--context', 'work']]) {
    cliOk(run, data);
    expect(charts(data, 'work'), run.join(' ')).toMatch(/W1[\s\S]*W2|W2[\s\S]*W1/);
  }
  expect(cliOk(['contexts'], data)).toMatch(/^work\s/m);

  // One chart restored into a name renamed away since: the same.
  cliOk(['context', 'rename', 'work', 'later'], data);
  cliOk(['backup', 'restore', backup, '--context', 'work', '--chart', second], data);
  cliOk(['context', 'adopt'], data);
  expect(charts(data, 'work')).toContain('W2');
});
