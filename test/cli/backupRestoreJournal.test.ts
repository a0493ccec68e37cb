// A backup's context file may not hold everything the context held when the backup was made:
// the safety backup a repair takes first holds the damaged file it repairs, and a backup whose
// rewrite failed (a full disk) holds a file behind its journal. Restoring it read only the file,
// so what only the journal held was lost: undoing a repair deleted the record it had saved.
// The backup's journal says what every acknowledged commit made. Each command is a fresh CLI
// process, as a person runs them.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliOk } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { recordsFromBackedUpJournal } from '../../electron/core/backupJournalState.ts';
import { parseContextBytes } from '../../electron/core/contextFile.ts';
import { crc32Hex } from '../../electron/core/journalFormat.ts';
import { contextPaths } from '../../electron/core/dataRoot.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';

afterEach(removeTempDirs);

const entity = (name: string, observation: string) => JSON.stringify({ type: 'entity', name, entityType: 'person', observations: [observation] });
const names = (data: string) => (JSON.parse(cliOk(['graph', '--json'], data)) as { entities: { name: string; observations: string[] }[] }).entities.map((e) => `${e.name}: ${e.observations.join(', ')}`).sort();

it("undoing a repair (restoring its safety backup) keeps the record whose line the repair found damaged", () => {
  const data = path.join(tempDir(), '.coaia');
  cliOk(['entity', 'set', '--name', 'alice', '--type', 'person', '--obs', 'likes tea'], data);
  cliOk(['entity', 'set', '--name', 'bob', '--type', 'person', '--obs', 'b'], data);
  // Another program damages alice's line (its string left open).
  const file = path.join(data, 'charts.jsonl');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"likes tea"', '"likes tea'));

  const repair = JSON.parse(cliOk(['recover', 'repair', '--context', 'default', '--json'], data)) as { safetyBackup: string };
  cliOk(['entity', 'set', '--name', 'later', '--type', 'note', '--obs', 'after the repair'], data);

  const preview = JSON.parse(cliOk(['backup', 'preview', repair.safetyBackup, '--json'], data)) as { records: Record<string, number> };
  expect(preview.records).toEqual({ added: 0, changed: 0, removed: 1, unchanged: 2 });
  cliOk(['backup', 'restore', repair.safetyBackup], data);
  expect(names(data)).toEqual(['alice: likes tea', 'bob: b']);
});

it('a backup of a file behind its journal (the rewrite after the last commit never happened): its plain daily copy and a restore hold the last commit', () => {
  const data = path.join(tempDir(), '.coaia');
  const layout = resolveLayout({ data });
  cliOk(['chart', 'create', '--outcome', 'Out A', '--reality', 'Real A', '--step', 's1'], data);
  const { file, journal, checkpoint } = contextPaths(layout, 'default');
  const firstFile = fs.readFileSync(file);
  cliOk(['chart', 'create', '--outcome', 'Out B acknowledged', '--reality', 'Real B', '--step', 's2'], data);
  // As a crash between the journal's append and the file's rewrite leaves them.
  fs.writeFileSync(file, firstFile);
  const lines = fs.readFileSync(journal, 'utf8').split('\n').filter((line) => line !== '');
  expect(lines.at(-1)).toContain('"kind":"snapshot"');
  fs.writeFileSync(journal, `${lines.slice(0, -1).join('\n')}\n`);
  fs.rmSync(checkpoint, { force: true });

  cliOk(['backup', 'due'], data);
  expect(fs.readFileSync(path.join(data, '.backup', 'charts-backup-daily.jsonl'), 'utf8')).toContain('Out B acknowledged');
  const [backup] = (JSON.parse(cliOk(['backup', 'list', '--json'], data)) as { backups: { id: string }[] }).backups;
  cliOk(['entity', 'set', '--name', 'later', '--type', 'note'], data);
  cliOk(['backup', 'restore', backup?.id as string], data);
  expect(cliOk(['chart', 'list'], data)).toMatch(/Out A[\s\S]*Out B acknowledged|Out B acknowledged[\s\S]*Out A/);
});

describe('recordsFromBackedUpJournal: when the journal is read instead of the file', () => {
  // A journal as the CLI writes it: two commits, each followed by its rewrite's snapshot line.
  function journalOfTwoWrites() {
    const data = path.join(tempDir(), '.coaia');
    cliOk(['entity', 'set', '--name', 'alice', '--type', 'person', '--obs', 'a'], data);
    const file = contextPaths(resolveLayout({ data }), 'default').file;
    const firstBytes = fs.readFileSync(file);
    cliOk(['entity', 'set', '--name', 'bob', '--type', 'person', '--obs', 'b'], data);
    const secondBytes = fs.readFileSync(file);
    return { journal: fs.readFileSync(contextPaths(resolveLayout({ data }), 'default').journal), first: backedUp(firstBytes), second: backedUp(secondBytes) };
  }
  const backedUp = (bytes: Buffer) => ({ size: bytes.length, crc32: crc32Hex(bytes), records: parseContextBytes(bytes).map });
  const keys = (records: ReadonlyMap<string, unknown> | undefined) => (records ? [...records.keys()] : undefined);

  it('the file is the last rewrite, or another version: the file; an earlier rewrite, damaged or missing: the journal; a damaged journal: its good lines and the file', () => {
    const { journal, first, second } = journalOfTwoWrites();
    expect(recordsFromBackedUpJournal(journal, { ...second, damagedLines: 0 })).toBeUndefined();
    expect(keys(recordsFromBackedUpJournal(journal, { ...first, damagedLines: 0 }))).toEqual(['e\u0000alice', 'e\u0000bob']);
    expect(keys(recordsFromBackedUpJournal(journal, { ...second, damagedLines: 1 }))).toEqual(['e\u0000alice', 'e\u0000bob']);
    expect(keys(recordsFromBackedUpJournal(journal, undefined))).toEqual(['e\u0000alice', 'e\u0000bob']);
    // A version the journal never took in (another program's): it holds what the journal lacks.
    const theirs = Buffer.from(`${entity('alice', 'a')}\n${entity('bob', 'b')}\n${entity('carol', 'c')}\n`);
    expect(recordsFromBackedUpJournal(journal, { ...backedUp(theirs), damagedLines: 0 })).toBeUndefined();
    // The second rewrite failed: its commit is the journal's last line, the file the first rewrite.
    const lines = journal.toString('utf8').split('\n').filter((line) => line !== '');
    expect(lines.at(-1)).toContain('"kind":"snapshot"');
    const behind = Buffer.from(`${lines.slice(0, -1).join('\n')}\n`);
    expect(keys(recordsFromBackedUpJournal(behind, { ...first, damagedLines: 0 }))).toEqual(['e\u0000alice', 'e\u0000bob']);
    // A damaged journal line (alice's commit): the good lines, and the file's records they lack.
    const damaged = Buffer.from(journal.toString('utf8').replace('"alice"', '"alicf"'));
    expect(keys(recordsFromBackedUpJournal(damaged, { ...first, damagedLines: 0 }))).toEqual(['e\u0000bob', 'e\u0000alice']);
  });

  it('a damaged journal copy: a record a good line deleted after the file was written stays deleted', () => {
    const data = path.join(tempDir(), '.coaia');
    cliOk(['entity', 'set', '--name', 'alice', '--type', 'person', '--obs', 'a'], data);
    cliOk(['entity', 'set', '--name', 'bob', '--type', 'person', '--obs', 'b'], data);
    const { file: filePath, journal: journalPath } = contextPaths(resolveLayout({ data }), 'default');
    const behind = backedUp(fs.readFileSync(filePath));
    cliOk(['entity', 'delete', '--name', 'bob'], data);
    // alice's commit damaged; bob's deletion reads: alice (only the file holds her now) comes back, bob does not.
    const damaged = Buffer.from(fs.readFileSync(journalPath, 'utf8').replace('"alice"', '"alicf"'));
    expect(keys(recordsFromBackedUpJournal(damaged, { ...behind, damagedLines: 0 }))).toEqual(['e\u0000alice']);
    // A damaged line that changes no record (a snapshot's) brings nothing deleted back either.
    const snapshotDamaged = Buffer.from(fs.readFileSync(journalPath, 'utf8').replace('"kind":"snapshot"', '"kind":"snapshoT"'));
    expect(keys(recordsFromBackedUpJournal(snapshotDamaged, { ...behind, damagedLines: 0 }))).toEqual(['e\u0000alice']);
  });
});
