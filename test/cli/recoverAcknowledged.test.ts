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

/** Breaks the journal entry that holds `text` (one byte changed: its checksum no longer matches). */
function damageJournalEntryWith(data: string, text: string, replacement: string): void {
  const { journal } = files(data);
  const lines = fs.readFileSync(journal, 'utf8').split('\n');
  const at = lines.findIndex((line) => line.includes('"kind":"commit"') && line.includes(text));
  expect(at).toBeGreaterThanOrEqual(0);
  lines[at] = (lines[at] as string).replace(text, replacement);
  fs.writeFileSync(journal, lines.join('\n'));
}

/** X set twice (the second version acknowledged), Y once; a backup after both when asked. */
function xChangedTwice(withBackup: boolean): string {
  const data = path.join(tempDir(), '.coaia');
  cliOk(['entity', 'set', '--name', 'X', '--type', 'thing', '--obs', 'first'], data);
  cliOk(['entity', 'set', '--name', 'Y', '--type', 'thing', '--obs', 'y1'], data);
  cliOk(['entity', 'set', '--name', 'X', '--type', 'thing', '--obs', 'second acknowledged'], data);
  if (withBackup) cliOk(['backup', 'create'], data);
  damageJournalEntryWith(data, '"second acknowledged"', '"second acknowledgeX"');
  return data;
}

const sourcesOf = (analysis: Analysis & { contexts: { damagedJournalEntries: { affected: { label: string; source: { from: string } }[] }[] }[] }) => {
  const context = analysis.contexts[0];
  return [...(context?.damagedLines ?? []), ...(context?.damagedJournalEntries ?? [])].flatMap((spot) => spot.affected.map((a) => `${a.label}: ${a.source.from}`));
};

it("a damaged journal entry and the damaged line of the record it changed: the record comes back as the newest backup holds it, not as the journal's older version", () => {
  const data = xChangedTwice(true);
  damageLineOf(data, 'X');
  const analysis = runCli(['recover', 'analyze', '--json', '--data', data]).json<Parameters<typeof sourcesOf>[0]>();
  expect(sourcesOf(analysis)).toEqual(['X: backup', 'X: backup']);
  expect(analysis.contexts[0]?.needsChoice).toBe(true);
  expect(runCli(['recover', 'analyze', '--data', data]).stdout).not.toContain('a repair loses nothing');

  cliOk(['recover'], data);
  expect(graph(data)).toEqual(['X: first, second acknowledged', 'Y: y1']);
  cliOk(['verify'], data);
});

it('a damaged journal entry and the context file gone: the record comes from the backup, not from a "context file" that is not there', () => {
  const data = xChangedTwice(true);
  fs.rmSync(files(data).file);
  const analysis = runCli(['recover', 'analyze', '--json', '--data', data]).json<Parameters<typeof sourcesOf>[0]>();
  expect(sourcesOf(analysis)).toEqual(['X: backup']);
  cliOk(['recover'], data);
  expect(graph(data)).toEqual(['X: first, second acknowledged', 'Y: y1']);
});

it('the recovery wizard takes the newest version from the backup made before, not from its own safety backup of the damage, and matches its preview', () => {
  const data = xChangedTwice(true);
  damageLineOf(data, 'X');
  const outcome = JSON.parse(cliOk(['recover', 'repair', '--context', 'default', '--json'], data)) as { matchesPreview: boolean; unrecovered: string[] };
  expect(outcome).toMatchObject({ matchesPreview: true, unrecovered: [] });
  expect(graph(data)).toEqual(['X: first, second acknowledged', 'Y: y1']);
});

it('with no backup holding the newer version, the repair says X is not recovered (exit 1) instead of reporting nothing lost', () => {
  const data = xChangedTwice(false);
  damageLineOf(data, 'X');
  const analysis = runCli(['recover', 'analyze', '--json', '--data', data]).json<Parameters<typeof sourcesOf>[0]>();
  expect(sourcesOf(analysis)).toEqual(['X: nowhere', 'X: nowhere']);
  expect(analysis.contexts[0]?.needsChoice).toBe(true);

  const recover = runCli(['recover', '--data', data]);
  expect(recover.status).toBe(1);
  expect(recover.stdout).toMatch(/NOT RECOVERED: charts\.journal\.jsonl byte \d+: a damaged entry named X; neither the context file nor a backup made after the entry holds what it made of it, so it is kept as the journal had it before the entry/);
});

it('a damaged journal entry whose change the context file shows loses nothing (repaired at once), and a deletion it made stays made', () => {
  const data = xChangedTwice(true);
  // The file was rewritten after the entry: it holds X's newest version.
  let analysis = runCli(['recover', 'analyze', '--json', '--data', data]).json<Parameters<typeof sourcesOf>[0]>();
  expect(sourcesOf(analysis)).toEqual(['X: context-file']);
  expect(analysis.contexts[0]?.needsChoice).toBe(false);
  cliOk(['recover'], data);
  expect(graph(data)).toEqual(['X: first, second acknowledged', 'Y: y1']);

  // X deleted after the backup; the deletion's entry damaged: the file, rewritten since, shows X gone.
  cliOk(['entity', 'delete', '--name', 'X'], data);
  damageJournalEntryWith(data, '"del":["entity","X"]', '"del":["entity","X"] ');
  analysis = runCli(['recover', 'analyze', '--json', '--data', data]).json<Parameters<typeof sourcesOf>[0]>();
  expect(sourcesOf(analysis)).toEqual(['X: context-file']);
  cliOk(['recover'], data);
  expect(graph(data)).toEqual(['Y: y1']);
});

it("a rewrite made after the entry was damaged (another command ran first) is no evidence of the entry's change: the record comes from the backup", () => {
  // X changed twice (the entry damaged), or made once (its only entry damaged); X's line damaged too.
  for (const made of ['changed', 'created'] as const) {
    let data: string;
    if (made === 'changed') data = xChangedTwice(true);
    else {
      data = path.join(tempDir(), '.coaia');
      cliOk(['entity', 'set', '--name', 'Y', '--type', 'thing', '--obs', 'y1'], data);
      cliOk(['entity', 'set', '--name', 'X', '--type', 'thing', '--obs', 'second acknowledged'], data);
      cliOk(['backup', 'create'], data);
      damageJournalEntryWith(data, '"second acknowledged"', '"second acknowledgeX"');
    }
    damageLineOf(data, 'X');
    // A command before the repair rewrites the file from what it could read: X as before the
    // entry (or no X), its damaged line moved to .recovery/.
    cliOk(['entity', 'set', '--name', 'Z', '--type', 'thing', '--obs', 'z1'], data);
    expect(graph(data), made).toEqual(made === 'changed' ? ['X: first', 'Y: y1', 'Z: z1'] : ['Y: y1', 'Z: z1']);
    const recover = runCli(['recover', '--data', data]);
    expect(recover.status, `${made}: ${recover.stdout}`).toBe(0);
    expect(graph(data), made).toEqual([made === 'changed' ? 'X: first, second acknowledged' : 'X: second acknowledged', 'Y: y1', 'Z: z1']);
  }
});

it('an edit and its undo, both entries damaged, behind a rewrite made with them: X stays as the file shows it (the backup made between holds the undone version)', () => {
  const data = path.join(tempDir(), '.coaia');
  cliOk(['entity', 'set', '--name', 'Y', '--type', 'thing', '--obs', 'y1'], data);
  cliOk(['entity', 'set', '--name', 'X', '--type', 'thing', '--obs', 'x', '--meta', '{"v":"first"}'], data);
  cliOk(['entity', 'set', '--name', 'X', '--type', 'thing', '--meta', '{"v":"second"}'], data);
  cliOk(['backup', 'create'], data);
  cliOk(['entity', 'set', '--name', 'X', '--type', 'thing', '--meta', '{"v":"first"}'], data);
  const { journal } = files(data);
  const lines = fs.readFileSync(journal, 'utf8').split('\n');
  const commitsOfX = lines.flatMap((line, at) => (line.includes('"kind":"commit"') && line.includes('"name":"X"') ? [at] : []));
  for (const at of commitsOfX.slice(-2)) lines[at] = (lines[at] as string).replace('"thing"', '"thinG"');
  fs.writeFileSync(journal, lines.join('\n'));

  const recover = runCli(['recover', '--data', data]);
  expect(recover.status, recover.stdout).toBe(0);
  expect(recover.stdout).not.toContain('from the newest backup');
  const x = (JSON.parse(cliOk(['graph', '--json'], data)) as { entities: { name: string; metadata?: { v?: string } }[] }).entities.find((e) => e.name === 'X');
  expect(x?.metadata?.v).toBe('first');
});

it("a crash after an entry's journal line and before its rewrite, the entry damaged since, and another command's rewrite after: that rewrite does not show the entry; X comes back from the backup (review find)", () => {
  const data = path.join(tempDir(), '.coaia');
  cliOk(['entity', 'set', '--name', 'X', '--type', 'thing', '--obs', 'first'], data);
  cliOk(['entity', 'set', '--name', 'Y', '--type', 'thing', '--obs', 'y1'], data);
  const { file, journal, checkpoint } = files(data);
  const before = fs.readFileSync(file);
  cliOk(['entity', 'set', '--name', 'X', '--type', 'thing', '--obs', 'second acknowledged'], data);
  cliOk(['backup', 'create'], data);
  // The crash: the file as before the entry, no snapshot line after it; then the entry damaged.
  const lines = fs.readFileSync(journal, 'utf8').split('\n').filter((line) => line !== '');
  const at = lines.findIndex((line) => line.includes('"kind":"commit"') && line.includes('second acknowledged'));
  const kept = lines.filter((line, i) => i <= at || !line.includes('"kind":"snapshot"'));
  kept[at] = (kept[at] as string).replace('second acknowledged', 'second acknowledgeX');
  fs.writeFileSync(journal, `${kept.join('\n')}\n`);
  fs.writeFileSync(file, before);
  fs.rmSync(checkpoint, { force: true });
  // Another command rewrites the file from what it can read: X without the entry's change.
  cliOk(['entity', 'set', '--name', 'Z', '--type', 'thing', '--obs', 'z1'], data);

  const recover = runCli(['recover', '--data', data]);
  expect(recover.stdout).not.toMatch(/loses nothing/);
  expect(graph(data)).toEqual(['X: first, second acknowledged', 'Y: y1', 'Z: z1']);
});
