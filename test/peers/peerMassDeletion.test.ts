// A peer that deletes most of a context's records. Such a file may also be a read cut short
// while another peer rewrote the file in place, written back from that; then nothing in it is
// taken as deleted (FORMAT.md). But a deletion that no such read can explain must stand: it
// was undone every time (a chart the COAIA server deleted came back at the next command).
// The real servers delete; the real CLI reads in fresh processes; the wait is the real race
// window (fileVersions.ts raceWindowMs), so this test takes about eleven seconds.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { raceWindowMs } from '../../electron/core/fileVersions.ts';
import { cliOk } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { MemoryServer } from './memoryServerClient.ts';

afterEach(removeTempDirs);


const entityNames = (data: string) => (JSON.parse(cliOk(['graph', '--json'], data)) as { entities: { name: string }[] }).entities.map((e) => e.name);

it('a peer deleting most records well after the last write: the deletion stands, unless it kept just the first records, or none (a cut read)', async () => {
  const folder = () => path.join(tempDir(), '.coaia');
  // The reference server deletes three of four entities; the COAIA server deletes a chart made before a note.
  const [fourEntities, chartAndNote, firstKept, emptiedRead] = [folder(), folder(), folder(), folder()];
  for (const data of [fourEntities, firstKept]) for (const name of ['a', 'b', 'c', 'd']) cliOk(['entity', 'set', '--name', name, '--type', 'note', '--obs', `${name} made`], data);
  // A peer's file we adopt (its first version we know is full, not empty: that version cannot explain a file lacking it).
  fs.mkdirSync(emptiedRead, { recursive: true });
  fs.writeFileSync(path.join(emptiedRead, 'charts.jsonl'), ['a', 'b', 'c', 'd'].map((name) => `{"type":"entity","name":"${name}","entityType":"note","observations":[]}`).join('\n'));
  cliOk(['entity', 'set', '--name', 'ours', '--type', 'note'], emptiedRead);
  const chart = cliOk(['chart', 'create', '--outcome', 'Old plan', '--reality', 'r', '--step', 's1', '--step', 's2'], chartAndNote);
  cliOk(['entity', 'set', '--name', 'note', '--type', 'concept', '--obs', 'keep me'], chartAndNote);

  await new Promise((resolve) => setTimeout(resolve, raceWindowMs(0) + 1_000));

  const reference = await MemoryServer.start(path.join(fourEntities, 'charts.jsonl'));
  await reference.deleteEntities(['a', 'b', 'c']).finally(() => reference.close());
  const coaia = await MemoryServer.start(path.join(chartAndNote, 'charts.jsonl'), 'coaia-narrative');
  await coaia.deleteEntities(['_chart', '_desired_outcome', '_current_reality', '_action_1', '_action_2'].map((part) => `${chart}${part}`)).finally(() => coaia.close());
  const cut = await MemoryServer.start(path.join(firstKept, 'charts.jsonl'));
  await cut.deleteEntities(['b', 'c', 'd']).finally(() => cut.close());
  // A peer that read the file in the instant another emptied it to rewrite it, and wrote back
  // only its own new record (the other's version never seen by us).
  fs.writeFileSync(path.join(emptiedRead, 'charts.jsonl'), '{"type":"entity","name":"theirs","entityType":"note","observations":[]}');

  expect(entityNames(fourEntities)).toEqual(['d']);
  expect(entityNames(chartAndNote)).toEqual(['note']);
  expect(cliOk(['chart', 'list'], chartAndNote)).not.toContain('Old plan');
  // And it stays so through our next write.
  cliOk(['entity', 'set', '--name', 'e', '--type', 'note'], fourEntities);
  expect(fs.readFileSync(path.join(fourEntities, 'charts.jsonl'), 'utf8')).not.toMatch(/"name":"[abc]"/);
  // Only the first record left: indistinguishable from a read cut short, so nothing is taken as deleted.
  cliOk(['entity', 'set', '--name', 'e', '--type', 'note'], firstKept);
  expect(entityNames(firstKept).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  expect(fs.readFileSync(path.join(firstKept, '.history', 'charts.journal.jsonl'), 'utf8')).toMatch(/lost more than half of its records/);
  cliOk(['entity', 'set', '--name', 'e', '--type', 'note'], emptiedRead);
  expect(entityNames(emptiedRead).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'ours', 'theirs']);
}, 60_000);

it('a peer deleting most records just after another write: taken for a cut read, nothing deleted', async () => {
  const data = path.join(tempDir(), '.coaia');
  for (const name of ['a', 'b', 'c', 'd']) cliOk(['entity', 'set', '--name', name, '--type', 'note'], data);
  const reference = await MemoryServer.start(path.join(data, 'charts.jsonl'));
  await reference.deleteEntities(['a', 'b', 'c']).finally(() => reference.close());
  expect(entityNames(data).sort()).toEqual(['a', 'b', 'c', 'd']);
});
