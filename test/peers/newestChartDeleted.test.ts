// A new user's everyday case: a small context (one chart, then a chart with steps made last),
// and later the assistant deletes the chart just made. The peer's file then holds the first
// chart only, and the chart came back at the next command, at any time after:
// - the file is the start of what we wrote, as a read cut short while another program rewrote
//   the file in place keeps, and nothing was taken as deleted from such a file. But our rewrites
//   are atomic, and so are the reference server's: with no version of another program around it,
//   no cut read was possible (cutRead.ts);
// - the file is the version before the chart was made, and the judge prefers it (the oldest of
//   equals), so the chart was a record of ours the peer "had not seen". A peer that writes the
//   whole file from what it has just read (no final newline, as the peers write) read it within
//   the race window: a chart of ours on disk longer than that before, it saw and deleted.
// Real CLI processes write and read; the peers are both real servers over stdio and a plain
// rewrite. The wait is the real race window (fileVersions.ts), so this file takes ~15 s.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { raceWindowMs } from '../../electron/core/fileVersions.ts';
import { cliOk } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { MemoryServer } from './memoryServerClient.ts';
import { entityLine, fileLines, peerText, peerWriteAndRename } from './peerFiles.ts';

afterEach(removeTempDirs);

interface Folder {
  readonly data: string;
  readonly file: string;
  /** The chart made first, kept; and the newest, with two steps, that the peer deletes. */
  readonly first: string;
  readonly newest: string;
}

/** One chart without steps, then one with two steps (11 of the 17 records), made by fresh CLI processes. */
function smallContext(): Folder {
  const data = path.join(tempDir(), '.coaia');
  const first = cliOk(['chart', 'create', '--outcome', 'First plan', '--reality', 'r'], data);
  const newest = cliOk(['chart', 'create', '--outcome', 'Newest plan', '--reality', 'r', '--step', 'Draft it', '--step', 'Send it'], data);
  return { data, file: path.join(data, 'charts.jsonl'), first, newest };
}

const chartParts = (chart: string) => ['_chart', '_desired_outcome', '_current_reality', '_action_1', '_action_2'].map((part) => `${chart}${part}`);

/** The file's lines without the newest chart's, re-serialized (JSON.stringify per line), as a peer writes them. */
const withoutNewest = (folder: Folder) => fileLines(folder.file).filter((line) => !line.includes(`"${folder.newest}_`)).map((line) => JSON.stringify(JSON.parse(line)));

/** What a reader sees after the peer: the charts a fresh CLI lists, then after our next write the file and how the chart ended in the journal. */
function seenAfter(folder: Folder) {
  const listed = cliOk(['chart', 'list'], folder.data);
  cliOk(['entity', 'set', '--name', 'note', '--type', 'note', '--obs', 'written after the peer'], folder.data);
  const history = JSON.parse(cliOk(['history', '--name', `${folder.newest}_chart`, '--json'], folder.data)) as { versions: { origin: string; action: string; note?: string }[] };
  return { listed, listedAfterWrite: cliOk(['chart', 'list'], folder.data), onDisk: fs.readFileSync(folder.file, 'utf8'), last: history.versions.at(-1) };
}

function expectDeletedByThePeer(folder: Folder): void {
  const seen = seenAfter(folder);
  expect(seen.listed).not.toContain('Newest plan');
  expect(seen.listed).toContain('First plan');
  expect(seen.listedAfterWrite).not.toContain('Newest plan');
  expect(seen.onDisk).not.toContain(`${folder.newest}_`);
  expect(seen.onDisk).toContain(`${folder.first}_chart`);
  expect(seen.last).toMatchObject({ origin: 'external', action: 'delete' });
  expect(seen.last?.note).not.toMatch(/nothing taken as deleted/);
}

function expectKept(folder: Folder): void {
  const seen = seenAfter(folder);
  expect(seen.listed).toContain('Newest plan');
  expect(seen.listedAfterWrite).toContain('Newest plan');
  expect(seen.last?.action).toBe('set');
}

describe('a peer deleting the newest chart of a small context', () => {
  it('well after our write, no other program writing meanwhile: the deletion stands (both servers, a plain rewrite); an editor saving an old copy keeps it', async () => {
    const [coaia, reference, plain, editor] = [smallContext(), smallContext(), smallContext(), smallContext()];
    await new Promise((resolve) => setTimeout(resolve, raceWindowMs(0) + 1_000));
    for (const [folder, peer] of [[coaia, 'coaia-narrative'], [reference, 'reference']] as const) {
      const server = await MemoryServer.start(folder.file, peer);
      await server.deleteEntities(chartParts(folder.newest)).finally(() => server.close());
    }
    peerWriteAndRename(plain.file, peerText(withoutNewest(plain)));
    // An editor that held the file open since before the chart was made saves it, the first
    // plan reworded, ending in a newline as it opened it: nothing shows it read the chart, so it
    // stays (a lost race).
    const edited = withoutNewest(editor).map((line) => line.replace('"First plan"', '"First plan, reworded"'));
    peerWriteAndRename(editor.file, `${edited.join('\n')}\n`);
    for (const folder of [coaia, reference, plain]) expectDeletedByThePeer(folder);
    expectKept(editor);
    expect(cliOk(['chart', 'list'], editor.data)).toContain('First plan, reworded');
  }, 60_000);

  it('a read cut short while coaia-narrative rewrote the file in place, written back without the newest chart: nothing deleted', async () => {
    const folder = smallContext();
    // coaia-narrative writes in place (truncate, then write); our next write takes its version in,
    // as the app's watcher would the moment it appeared.
    const server = await MemoryServer.start(folder.file, 'coaia-narrative');
    await server.addObservations([{ entityName: `${folder.first}_current_reality`, contents: ['seen by coaia'] }]).finally(() => server.close());
    cliOk(['entity', 'set', '--name', 'between', '--type', 'note'], folder.data);
    // Another peer read that version cut just after the first chart, added its record, renamed its file in.
    const cut = fileLines(folder.file).filter((line) => line.includes(`"${folder.first}_`));
    expect(cut.join('\n')).toContain('seen by coaia');
    peerWriteAndRename(folder.file, peerText([...cut, entityLine('reader_own', 'note', ['added by the reader'])]));
    expectKept(folder);
    expect(cliOk(['graph'], folder.data)).toContain('reader_own');
    expect(fs.readFileSync(path.join(folder.data, '.history', 'charts.journal.jsonl'), 'utf8')).toMatch(/read while being rewritten\?\); nothing taken as deleted/);
  });
});
