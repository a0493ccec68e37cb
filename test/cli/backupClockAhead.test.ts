// One scheduled check run with the clock set far ahead (a wrong system clock, a scheduler's wrong
// `now`) took away the safety copy a restore had made minutes before (past its 30 days by that
// clock), and took a backup dated in the future. Once the clock was right again, that backup
// stayed "the newest" of its slot until its date came, and the plain daily copy
// (.backup/charts-work-backup-daily.jsonl, the one any tool can open) stayed its content: changes
// made since never reached the copy. Fresh CLI processes, as a person (or the app's timer) runs them.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cliOk } from '../helpers/runCli.ts';
import { openEngine, removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { pruneBackups } from '../../electron/core/backupRemoval.ts';

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

interface Listed {
  backups: { id: string; kind: string }[];
}

it("a check dated 40 days ahead keeps a restore's safety copy; a check a day after another that found it past its days removes it", () => {
  const data = path.join(tempDir(), '.coaia');
  cliOk(['entity', 'set', '--context', 'work', '--name', 'a', '--type', 'x', '--obs', 'v1'], data);
  const first = (JSON.parse(cliOk(['backup', 'create', '--json'], data)) as { id: string }).id;
  cliOk(['entity', 'set', '--context', 'work', '--name', 'b', '--type', 'x', '--obs', 'replaced by the restore'], data);
  cliOk(['backup', 'restore', first, '--context', 'work'], data);
  const safety = () => (JSON.parse(cliOk(['backup', 'list', '--json'], data)) as Listed).backups.filter((b) => b.kind === 'before-restore').map((b) => b.id);
  const [copy] = safety();
  expect(copy).toBeDefined();

  cliOk(['backup', 'due', '--now', new Date(Date.now() + 40 * DAY).toISOString()], data);
  expect(safety(), 'taken by one check with the clock 40 days ahead').toEqual([copy]);
  cliOk(['backup', 'due', '--now', new Date(Date.now() + DAY).toISOString()], data);
  expect(safety(), 'the clock right again').toEqual([copy]);

  // Truly past its days: found so by one check, removed by one a day later (under a policy that
  // keeps only the newest day's backup, so no rule but the safety copy's keeps it).
  cliOk(['backup', 'policy', '--keep-daily', '1', '--keep-weekly', '0', '--keep-monthly', '0'], data);
  cliOk(['backup', 'due', '--now', new Date(Date.now() + 50 * DAY).toISOString()], data);
  expect(safety()).toEqual([copy]);
  cliOk(['backup', 'due', '--now', new Date(Date.now() + 51 * DAY).toISOString()], data);
  expect(safety()).toEqual([]);
});

it('backup prune --days run with the clock 40 days ahead keeps the safety copy too (review find)', async () => {
  const data = path.join(tempDir(), '.coaia');
  cliOk(['entity', 'set', '--context', 'work', '--name', 'a', '--type', 'x', '--obs', 'v1'], data);
  const first = (JSON.parse(cliOk(['backup', 'create', '--json'], data)) as { id: string }).id;
  cliOk(['backup', 'restore', first, '--context', 'work'], data);
  const safety = () => (JSON.parse(cliOk(['backup', 'list', '--json'], data)) as Listed).backups.filter((b) => b.kind === 'before-restore').length;
  expect(safety()).toBe(1);
  // A check and then `backup prune --days`, both with the clock 40 days ahead (the prune in-process: the CLI takes no --now).
  const ahead = new Date(Date.now() + 40 * DAY);
  cliOk(['backup', 'due', '--now', ahead.toISOString()], data);
  const engine = await openEngine(resolveLayout({ data }));
  try {
    await pruneBackups(engine, { maxAgeDays: 30, keepAtLeast: 1, now: ahead });
  } finally {
    await engine.close();
  }
  expect(safety()).toBe(1);
});

it('as real time comes within a day of the backup dated ahead, the plain copy does not go back to its content (review find)', () => {
  const data = path.join(tempDir(), '.coaia');
  cliOk(['entity', 'set', '--context', 'work', '--name', 'a', '--type', 'x', '--obs', 'v1'], data);
  cliOk(['backup', 'due', '--now', new Date(Date.now() + 40 * DAY).toISOString()], data);
  cliOk(['entity', 'set', '--context', 'work', '--name', 'later', '--type', 'x', '--obs', 'made after the clock was right'], data);
  cliOk(['backup', 'due', '--now', new Date(Date.now() + 38 * DAY).toISOString()], data);
  const copy = path.join(data, '.backup', 'charts-work-backup-daily.jsonl');
  expect(fs.readFileSync(copy, 'utf8')).toContain('"name":"later"');
  cliOk(['backup', 'due', '--now', new Date(Date.now() + 39.5 * DAY).toISOString()], data);
  expect(fs.readFileSync(copy, 'utf8')).toContain('"name":"later"');
});
