// `tension backup due` under a policy that keeps no daily, weekly or monthly backup: it said
// "every slot of this day, week and month is taken" with no backup at all.
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cliOk } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

it('backup due says scheduled backups are off under an all-zero policy', () => {
  const data = path.join(tempDir(), '.coaia');
  cliOk(['entity', 'set', '--context', 'work', '--name', 'a', '--type', 'x', '--obs', 'v1'], data);
  cliOk(['backup', 'policy', '--keep-daily', '0', '--keep-weekly', '0', '--keep-monthly', '0'], data);
  const said = cliOk(['backup', 'due'], data);
  expect(said).toMatch(/scheduled backups are off under this policy \(keep 0 daily, 0 weekly, 0 monthly\)/);
  expect(said).not.toMatch(/is taken/);
});
