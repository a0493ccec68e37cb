// A repair never undoes what was acknowledged: a record the journal deleted stays deleted when
// its stale line in the context file is found damaged, and a record whose newest version only
// a damaged journal entry held comes back as that version (from a backup that holds it) or is
// reported lost, never quietly as an older one. Each command is a fresh CLI process, as a
// person runs them; a crash between a journal write and the context file's rewrite is made by
// hand (the file as it was before, the journal without its last snapshot line).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cliOk, runCli } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

interface Analysis {
  contexts: { needsChoice: boolean; damagedLines: { affected: { label: string; source: { from: string; backup?: string } }[] }[] }[];
}

const graph = (data: string) => (JSON.parse(cliOk(['graph', '--json'], data)) as { entities: { name: string; observations: string[] }[] }).entities.map((e) => `${e.name}: ${e.observations.join(', ')}`).sort();
const files = (data: string) => ({ file: path.join(data, 'charts.jsonl'), journal: path.join(data, '.history', 'charts.journal.jsonl'), checkpoint: path.join(data, '.history', 'charts.checkpoint.json') });

/** Another program (or the disk) breaks the line of `name` in the context file: its observations list opened with a stray quote. */
function damageLineOf(data: string, name: string): void {
  const { file } = files(data);
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const at = lines.findIndex((line) => line.includes(`"name":"${name}"`));
  expect(at).toBeGreaterThanOrEqual(0);
  lines[at] = (lines[at] as string).replace('"observations":[', '"observations":[\'');
  fs.writeFileSync(file, lines.join('\n'));
}

it('a record deleted (acknowledged) while the context file was left behind stays deleted when its stale line is damaged', () => {
  const data = path.join(tempDir(), '.coaia');
  cliOk(['entity', 'set', '--name', 'X', '--type', 'thing', '--obs', 'x1'], data);
  cliOk(['entity', 'set', '--name', 'Y', '--type', 'thing', '--obs', 'y1'], data);
  cliOk(['backup', 'create'], data);
  const { file, journal, checkpoint } = files(data);
  const before = fs.readFileSync(file);
  cliOk(['entity', 'delete', '--name', 'X'], data);
  // A crash after the deletion's journal entry, before the rewrite: the file still holds X.
  fs.writeFileSync(file, before);
  const lines = fs.readFileSync(journal, 'utf8').split('\n').filter((line) => line !== '');
  expect(lines.at(-1)).toContain('"kind":"snapshot"');
  fs.writeFileSync(journal, `${lines.slice(0, -1).join('\n')}\n`);
  fs.rmSync(checkpoint, { force: true });
  expect(graph(data)).toEqual(['Y: y1']);
  damageLineOf(data, 'X');

  const analysis = runCli(['recover', 'analyze', '--json', '--data', data]).json<Analysis>();
  expect(analysis.contexts[0]?.damagedLines[0]?.affected).toEqual([{ key: 'e\u0000X', label: 'X (deleted since; stays deleted)', source: { from: 'journal' } }]);
  expect(analysis.contexts[0]?.needsChoice).toBe(false);

  const recover = cliOk(['recover'], data);
  expect(recover).not.toContain('from the newest backup');
  expect(recover).toContain('1 of them held records deleted since, which stay deleted');
  expect(graph(data)).toEqual(['Y: y1']);
  cliOk(['verify'], data);
});
