// One scheduled check run with the clock set far ahead (a wrong system clock, a scheduler's wrong
// `now`) takes a backup dated in the future. Once the clock is right again, that backup stayed
// "the newest" of its slot until its date came, and the plain daily copy
// (.backup/charts-work-backup-daily.jsonl, the one any tool can open) stayed its content: changes
// made since never reached the copy. Fresh CLI processes, as a person (or the app's timer) runs them.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cliOk } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

const DAY = 86_400_000;

it('after a check dated 40 days ahead, the next check at the right time makes the plain daily copy from its own backup', () => {
  const data = path.join(tempDir(), '.coaia');
  cliOk(['entity', 'set', '--context', 'work', '--name', 'a', '--type', 'x', '--obs', 'v1'], data);
  cliOk(['backup', 'due', '--now', new Date(Date.now() + 40 * DAY).toISOString()], data);
  const copy = path.join(data, '.backup', 'charts-work-backup-daily.jsonl');
  expect(fs.readFileSync(copy, 'utf8')).toContain('"name":"a"');
  expect(fs.readFileSync(copy, 'utf8')).not.toContain('"name":"c"');

  cliOk(['entity', 'set', '--context', 'work', '--name', 'c', '--type', 'x', '--obs', 'after the clock is right again'], data);
  cliOk(['backup', 'due', '--now', new Date(Date.now() + DAY).toISOString()], data);
  expect(fs.readFileSync(copy, 'utf8')).toContain('"name":"c"');
});
