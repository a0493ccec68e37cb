// A commit over 4 MiB (an import) is journaled as consecutive lines, part 1..N. One part
// damaged: the others are "part of a commit whose other parts are missing". recover took them
// out with no bytes (an empty .bad file: what they held was read from nothing, and records only
// they held were lost without a word, though a backup held them) and, the bad list being out of
// file order, put every byte back when it cut them (recover said it removed them, verify still
// failed, and each recover journaled the file again). Found by review. Fresh CLI processes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { cliOk, runCli } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

// Over 4 MiB of journal in one import (each record about 960 bytes): two parts.
const RECORDS = 4_700;

/** A folder with a 2-part import and a backup of it, made once; each test damages a copy. */
let made: string;

beforeAll(() => {
  made = fs.mkdtempSync(path.join(os.tmpdir(), 'tension-multipart-'));
  const data = path.join(made, '.coaia');
  let text = '';
  for (let i = 0; i < RECORDS; i += 1) text += `${JSON.stringify({ type: 'entity', name: `big_${i}`, entityType: 'note', observations: [`${'x'.repeat(900)}${i}`] })}\n`;
  fs.writeFileSync(path.join(made, 'big.jsonl'), text);
  cliOk(['import', path.join(made, 'big.jsonl')], data);
  cliOk(['backup', 'create'], data);
}, 60_000);

afterAll(() => fs.rmSync(made, { recursive: true, force: true }));

/** A copy of that folder with a byte flipped inside part `part` of the import's commit. */
function importedInTwoParts(part: 1 | 2): string {
  const data = path.join(tempDir(), '.coaia');
  fs.cpSync(path.join(made, '.coaia'), data, { recursive: true });
  const journal = path.join(data, '.history', 'charts.journal.jsonl');
  const bytes = fs.readFileSync(journal);
  expect(bytes.indexOf('"part":2,"parts":2')).toBeGreaterThan(0);
  const at = bytes.indexOf(`"part":${part},"parts":2`);
  expect(at).toBeGreaterThan(0);
  bytes[at + 100_000] = bytes[at + 100_000] === 0x58 ? 0x59 : 0x58; // inside that part's line
  fs.writeFileSync(journal, bytes);
  return data;
}

/** The records the context holds (what an open reads: the file, then the journal after it), and that the last of them is there. */
function bigRecords(data: string): number {
  expect(cliOk(['search', `big_${RECORDS - 1}`], data)).toContain(`big_${RECORDS - 1}`);
  return (runCli(['contexts', '--json', '--data', data]).json() as { contexts: { records: number }[] }).contexts[0]?.records ?? 0;
}
const badCopies = (data: string) => fs.readdirSync(path.join(data, '.recovery')).filter((f) => f.endsWith('.bad')).map((f) => fs.statSync(path.join(data, '.recovery', f)).size);

it('part 1 damaged and the context file lost: every record comes back (the backup holds them), both parts saved whole', () => {
  const data = importedInTwoParts(1);
  fs.rmSync(path.join(data, 'charts.jsonl'));
  const recover = runCli(['recover', '--data', data]);
  expect(recover.status, recover.stderr).toBe(0);
  expect(bigRecords(data)).toBe(RECORDS);
  const copies = badCopies(data);
  expect(copies).toHaveLength(2);
  expect(copies.every((size) => size > 100_000)).toBe(true);
  expect(runCli(['verify', '--data', data]).status).toBe(0);
});

it('part 2 damaged: one recover cuts both parts out, and verify is clean after it', () => {
  const data = importedInTwoParts(2);
  expect(runCli(['verify', '--data', data]).status).toBe(1);
  const recover = runCli(['recover', '--data', data]);
  expect(recover.status, recover.stderr).toBe(0);
  expect(recover.stdout).toContain('removed 2 damaged journal entries');
  expect(runCli(['verify', '--data', data]).status).toBe(0);
  expect(runCli(['recover', '--data', data]).stdout).toContain('nothing to recover');
  expect(bigRecords(data)).toBe(RECORDS);
  expect(badCopies(data).every((size) => size > 100_000)).toBe(true);
});
