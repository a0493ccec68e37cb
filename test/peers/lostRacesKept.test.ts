// Lost races that a rule meant to let a peer's deletion of the newest chart stand (0e8f393,
// reverted) took as deletions: records no writer deleted were journaled as deleted. Real files,
// the real coaia-narrative server, fresh CLI processes (the third review of that stop). Each of
// these must keep the records; a rule that makes a peer's deletion stand must not break them.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { raceWindowMs } from '../../electron/core/fileVersions.ts';
import { cliOk } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { MemoryServer } from './memoryServerClient.ts';
import { entityLine, fileLines, peerText, peerWriteAndRename, peerWriteInPlace } from './peerFiles.ts';

afterEach(removeTempDirs);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function folder() {
  const data = path.join(tempDir(), '.coaia');
  const first = cliOk(['chart', 'create', '--outcome', 'First plan', '--reality', 'r'], data);
  return { data, file: path.join(data, 'charts.jsonl'), first };
}

function journal(data: string): string {
  return fs.readFileSync(path.join(data, '.history', 'charts.journal.jsonl'), 'utf8');
}

describe('lost races a peer-deletion rule must not take as deletions', () => {
  it('F1: an editor saving a copy it opened when coaia-narrative had just written the file (no final newline), held past the race window: our chart made meanwhile', async () => {
    const f = folder();
    // coaia-narrative (real) adds an observation: its file ends without a newline; nothing of ours differs, so no rewrite follows.
    const server = await MemoryServer.start(f.file, 'coaia-narrative');
    await server.addObservations([{ entityName: `${f.first}_current_reality`, contents: ['seen by coaia'] }]).finally(() => server.close());
    const opened = fs.readFileSync(f.file, 'utf8');
    expect(opened.endsWith('\n')).toBe(false);
    // The user opens the file in an editor (keeps the file's final-newline state, as VS Code and Sublime do) and starts editing.
    const edited = opened.replace('"First plan"', '"First plan, reworded in the editor"');
    // Meanwhile a chart is made through Tension Desk (the app, tension mcp, the CLI): acknowledged.
    const second = cliOk(['chart', 'create', '--outcome', 'Made while the editor was open', '--reality', 'r', '--step', 'One', '--step', 'Two'], f.data);
    expect(fs.readFileSync(f.file, 'utf8')).toContain(second);
    await sleep(raceWindowMs(0) + 1_000);
    // The editor saves (overwrite), in place, as it opened it: no final newline.
    peerWriteInPlace(f.file, edited);
    const listed = cliOk(['chart', 'list'], f.data);
    console.log('F1 list after editor save:\n' + listed);
    console.log('F1 journal tail:\n' + journal(f.data).split('\n').slice(-3).join('\n').slice(0, 1500));
    expect(listed).toContain('reworded in the editor');
    expect(listed).toContain('Made while the editor was open');
  }, 60_000);

  it('F3: a lost race (peer read before our chart, wrote 0.2 s after) on a file system whose clock is 15 s ahead of ours', async () => {
    const f = folder();
    const read = fileLines(f.file).map((line) => JSON.stringify(JSON.parse(line)));
    const second = cliOk(['chart', 'create', '--outcome', 'Made just before the peer wrote', '--reality', 'r'], f.data);
    // Our rewrite's mtime as that file system stamps it (15 s ahead).
    const ahead = (Date.now() + 15_000) / 1000;
    fs.utimesSync(f.file, ahead, ahead);
    await sleep(200);
    peerWriteAndRename(f.file, peerText([...read, entityLine('peer_note', 'note', ['added by the peer'])]));
    const stamp = (Date.now() + 15_000) / 1000;
    fs.utimesSync(f.file, stamp, stamp);
    const listed = cliOk(['chart', 'list'], f.data);
    console.log('F3 list:\n' + listed);
    console.log('F3 journal tail:\n' + journal(f.data).split('\n').slice(-2).join('\n').slice(0, 1500));
    expect(cliOk(['graph'], f.data)).toContain('peer_note');
    expect(listed).toContain('Made just before the peer wrote');
    expect(second).toBeTruthy();
  }, 60_000);

  it('F3b: same lost race, same clock (control)', async () => {
    const f = folder();
    const read = fileLines(f.file).map((line) => JSON.stringify(JSON.parse(line)));
    cliOk(['chart', 'create', '--outcome', 'Made just before the peer wrote', '--reality', 'r'], f.data);
    await sleep(200);
    peerWriteAndRename(f.file, peerText([...read, entityLine('peer_note', 'note', ['added by the peer'])]));
    const listed = cliOk(['chart', 'list'], f.data);
    expect(listed).toContain('Made just before the peer wrote');
  }, 60_000);

  it('F6: a read cut short while coaia-narrative rewrote the file in place, no process of ours having seen that version (CLI only, or the observer missed it)', async () => {
    const f = folder();
    const newest = cliOk(['chart', 'create', '--outcome', 'Newest plan', '--reality', 'r', '--step', 'Draft it', '--step', 'Send it'], f.data);
    // The chart was made a while ago (the everyday case: days before).
    await sleep(raceWindowMs(0) + 1_000);
    const server = await MemoryServer.start(f.file, 'coaia-narrative');
    await server.addObservations([{ entityName: `${f.first}_current_reality`, contents: ['seen by coaia'] }]).finally(() => server.close());
    // Another peer read that version cut just after the first chart, added its record, renamed its file in.
    const cut = fileLines(f.file).filter((line) => line.includes(`"${f.first}_`));
    peerWriteAndRename(f.file, peerText([...cut, entityLine('reader_own', 'note', ['added by the reader'])]));
    const listed = cliOk(['chart', 'list'], f.data);
    console.log('F6 list:\n' + listed);
    console.log('F6 journal tail:\n' + journal(f.data).split('\n').slice(-2).join('\n').slice(0, 1500));
    expect(newest).toBeTruthy();
    expect(listed).toContain('Newest plan');
  }, 60_000);
});
