// Two review findings about recovery's edges. Fresh CLI processes.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cliOk, runCli } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

it('recover repair of a context that does not exist (a typo) is refused, exit 3: no backup taken, nothing logged', () => {
  const data = path.join(tempDir(), '.coaia');
  cliOk(['chart', 'create', '--context', 'work', '--outcome', 'Ship it', '--reality', 'r'], data);
  for (const extra of [[], ['--leave'], ['--no-backup']]) {
    const run = runCli(['recover', 'repair', '--context', 'wrok', ...extra, '--data', data]);
    expect(run.status, extra.join(' ')).toBe(3);
    expect(run.stderr).toContain('There is no context wrok to repair');
  }
  expect(fs.existsSync(path.join(data, '.backup'))).toBe(false);
  expect(fs.existsSync(path.join(data, '.recovery'))).toBe(false);
});

it('a folder where the checkpoint belongs (a cache) does not stop reading, verify or recover; recover sets it aside, whatever it holds kept', () => {
  const data = path.join(tempDir(), '.coaia');
  const chart = cliOk(['chart', 'create', '--outcome', 'Ship it', '--reality', 'r'], data);
  const checkpoint = path.join(data, '.history', 'charts.checkpoint.json');
  fs.rmSync(checkpoint, { force: true });
  fs.mkdirSync(checkpoint);
  fs.writeFileSync(path.join(checkpoint, 'someone-elses.txt'), 'kept');
  expect(runCli(['verify', '--data', data]).status).toBe(0);
  expect(cliOk(['chart', 'list'], data)).toContain(chart);
  const recover = runCli(['recover', '--data', data]);
  expect(recover.status, recover.stderr).toBe(0);
  const aside = fs.readdirSync(path.join(data, '.history')).find((name) => name.startsWith('charts.checkpoint.json.a-folder-set-aside-'));
  expect(aside).toBeDefined();
  expect(fs.readFileSync(path.join(data, '.history', aside as string, 'someone-elses.txt'), 'utf8')).toBe('kept');
  cliOk(['reality', 'add', chart, '--text', 'after'], data);
  expect(cliOk(['chart', 'show', chart], data)).toContain('after');
});
