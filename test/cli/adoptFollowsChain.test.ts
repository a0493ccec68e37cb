// A peer writes to a context that was renamed and then merged away: `context adopt` moves its
// records to where the context's records are now, not one step along (into the renamed name,
// retired itself, where they waited for a second adopt: found by review). Fresh CLI processes.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cliOk, runCli } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

it('records a peer wrote to "work" after work was renamed to job and job merged into home go into home in one adopt', () => {
  const data = path.join(tempDir(), '.coaia');
  cliOk(['chart', 'create', '--context', 'work', '--outcome', 'Work plan', '--reality', 'r'], data);
  cliOk(['chart', 'create', '--context', 'home', '--outcome', 'Home plan', '--reality', 'r'], data);
  cliOk(['context', 'rename', 'work', 'job'], data);
  cliOk(['context', 'merge', 'job', '--into', 'home'], data);
  fs.writeFileSync(path.join(data, 'charts-work.jsonl'), '{"type":"entity","name":"peer_note","entityType":"note","observations":["written to work by a peer"]}\n');
  const adopt = runCli(['context', 'adopt', '--data', data]);
  expect(adopt.status, adopt.stderr).toBe(0);
  expect(adopt.stdout).toContain('work -> home: 1 record');
  expect(fs.readFileSync(path.join(data, 'charts-home.jsonl'), 'utf8')).toContain('peer_note');
  expect(fs.existsSync(path.join(data, 'charts-job.jsonl'))).toBe(false);
  expect(cliOk(['contexts'], data).split('\n').map((line) => line.split(/\s+/)[0])).toEqual(['home']);
});
