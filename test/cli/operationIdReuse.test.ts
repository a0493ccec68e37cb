// An --op given again for another change is refused, nothing changed. A retry of a change
// (same command line, same --op) is answered as its first run; but the same id given to another
// command line was answered the same way, "completed" and exit 0, with nothing done: a script
// reusing a constant id lost its writes without a word (found by review). Each command is a
// fresh CLI process, as a script runs them, so the id and what it was given for are read back
// from the journal and the checkpoint of the run before.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cliOk, runCli } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { folderSnapshot } from '../helpers/folderSnapshot.ts';
import { decodeJournalLine, sealLine } from '../../electron/core/journalFormat.ts';

afterEach(removeTempDirs);

/** Every file of the data folder, byte for byte (the list cache a reading command may save aside). */
const snapshot = (data: string) => folderSnapshot(data, { except: [path.join(data, '.history', 'charts.summaries.cache.json')] });

it('the same --op with another command line is refused (exit 10, CONFLICT), every file as it was; a retry of the same command line is answered as its first run', () => {
  const data = path.join(tempDir(), '.coaia');
  const chart = cliOk(['chart', 'create', '--outcome', 'First', '--reality', 'r', '--step', 'One', '--op', 'K'], data);
  // A retry: the first run's answer, nothing made again.
  expect(cliOk(['chart', 'create', '--outcome', 'First', '--reality', 'r', '--step', 'One', '--op', 'K'], data)).toBe(chart);
  const before = snapshot(data);
  for (const other of [
    ['chart', 'create', '--outcome', 'Second', '--reality', 'r', '--op', 'K'],
    ['outcome', 'set', chart, '--text', 'Changed', '--op', 'K'],
    ['reality', 'add', chart, '--text', 'New', '--op', 'K'],
    ['step', 'complete', `${chart}_action_1`, '--op', 'K'],
    ['step', 'complete', `${chart}_action_99`, '--op', 'K'],
    ['entity', 'set', '--name', 'B', '--type', 't', '--op', 'K'],
  ]) {
    const run = runCli([...other, '--data', data, '--json']);
    expect(run.status, `${other.join(' ')}: ${run.stderr}`).toBe(10);
    expect(run.json<{ error: { code: string; message: string } }>().error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('was used for another change (tension chart create)') });
    expect(snapshot(data)).toEqual(before);
  }
  // Another id for the same change applies it; its retry is answered, done once.
  expect(cliOk(['outcome', 'set', chart, '--text', 'Changed', '--op', 'K2'], data)).toBe('set');
  expect(cliOk(['outcome', 'set', chart, '--text', 'Changed', '--op', 'K2'], data)).toBe('set');
  const journal = fs.readFileSync(path.join(data, '.history', 'charts.journal.jsonl'), 'utf8').split('\n').map(decodeJournalLine);
  const underK2 = journal.filter((line) => line.ok && line.entry.kind === 'commit' && line.entry.op === 'K2');
  expect(underK2).toHaveLength(1);
  expect(cliOk(['chart', 'show', chart], data)).toContain('DESIRED OUTCOME: Changed');
});

it('an id journaled before ids were kept with what they were given for is answered as a retry, as it was (an older journal is not refused), unless the answer would be empty', () => {
  const data = path.join(tempDir(), '.coaia');
  cliOk(['entity', 'set', '--name', 'A', '--type', 't', '--op', 'OLD'], data);
  const journalFile = path.join(data, '.history', 'charts.journal.jsonl');
  // The journal as an earlier version wrote it: no opFor (a sealed line is its own JSON plus a CRC; rewritten whole).
  const lines = fs.readFileSync(journalFile, 'utf8').split('\n');
  const older = lines.map((line) => {
    const decoded = decodeJournalLine(line);
    if (!decoded.ok || decoded.entry.kind !== 'commit' || decoded.entry.opFor === undefined) return line;
    const { opFor: _opFor, crc: _crc, ...rest } = JSON.parse(line) as Record<string, unknown>;
    return resealed(rest);
  });
  expect(older).not.toEqual(lines); // the id was journaled with what it was given for, and is no longer
  fs.writeFileSync(journalFile, older.join('\n'));
  fs.rmSync(path.join(data, '.history', 'charts.checkpoint.json'), { force: true });
  const run = runCli(['entity', 'set', '--name', 'B', '--type', 't', '--op', 'OLD', '--data', data]);
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toContain('already applied');
  // Where the answer would be empty (the chart such a retry made), it is refused still.
  const chart = runCli(['chart', 'create', '--outcome', 'X', '--reality', 'r', '--op', 'OLD', '--data', data]);
  expect(chart.status).toBe(10);
  expect(chart.stderr).toMatch(/used for another change, which made no chart/);
});

function resealed(body: Record<string, unknown>): string {
  return sealLine(JSON.stringify(body)).replace(/\n$/, '');
}

it('an --op longer than 200 characters is refused (as a window\'s op and an MCP operationId are), nothing made', () => {
  const data = path.join(tempDir(), '.coaia');
  const run = runCli(['entity', 'set', '--name', 'A', '--type', 't', '--op', 'x'.repeat(201), '--data', data]);
  expect(run.status).toBe(2);
  expect(run.stderr).toMatch(/--op is 201 characters long: an operation id is at most 200/);
  expect(fs.existsSync(data)).toBe(false);
  expect(runCli(['entity', 'set', '--name', 'A', '--type', 't', '--op', 'x'.repeat(200), '--data', data]).status).toBe(0);
});
