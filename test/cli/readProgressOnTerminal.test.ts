// A long read told on a terminal (cli/readProgressLine.ts): `tension` on a large peer's file says
// how far it has read, on stderr, only when stderr is a terminal, and wipes the line once done.
// The terminal is a real pseudo-terminal: the command runs under util-linux's `script`.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { readProgressLine } from '../../electron/cli/readProgressLine.ts';
import { READ_PROGRESS_FROM_BYTES } from '../../electron/core/readProgress.ts';
import { writeChartFile } from '../bench/chartGenerator.ts';
import { cliEntry, runCli } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

const scriptMissing = spawnSync('script', ['--version'], { encoding: 'utf8' }).status !== 0;

/** A data folder with a peer's file over the size from which a read is told. */
function largePeerFolder(): { data: string; bytes: number } {
  const data = path.join(tempDir('tension-progress-'), '.coaia');
  fs.mkdirSync(data, { recursive: true });
  const { bytes } = writeChartFile(path.join(data, 'charts.jsonl'), 4_000);
  expect(bytes).toBeGreaterThan(READ_PROGRESS_FROM_BYTES);
  return { data, bytes };
}

describe('a long read told on a terminal', () => {
  it('one line, rewritten in place with the percentage, wiped at the end', () => {
    const written: string[] = [];
    const line = readProgressLine((text) => written.push(text));
    line.tell({ context: 'default', file: 'charts.jsonl', kind: 'file', doneBytes: 0, totalBytes: 200 * 1024 * 1024 });
    line.tell({ context: 'default', file: 'charts.jsonl', kind: 'file', doneBytes: 90 * 1024 * 1024, totalBytes: 200 * 1024 * 1024 });
    line.tell({ context: 'default', file: 'charts.jsonl', kind: 'file', doneBytes: 200 * 1024 * 1024, totalBytes: 200 * 1024 * 1024 });
    expect(written).toEqual(['\r\u001b[Ktension: reading charts.jsonl (200 MB): 0%', '\r\u001b[Ktension: reading charts.jsonl (200 MB): 45%', '\r\u001b[K']);
    // Nothing showing: a wipe before an error message writes nothing.
    line.wipe();
    expect(written).toHaveLength(3);
  });

  it('a full replay of the journal says it reads the history of the file', () => {
    const written: string[] = [];
    readProgressLine((text) => written.push(text)).tell({ context: 'default', file: 'charts.jsonl', kind: 'journal', doneBytes: 1, totalBytes: 4 });
    expect(written).toEqual(['\r\u001b[Ktension: reading the history of charts.jsonl (4 bytes): 25%']);
  });

  it('a read that stopped part-way is wiped before the message that follows', () => {
    const written: string[] = [];
    const line = readProgressLine((text) => written.push(text));
    line.tell({ context: 'default', file: 'charts.jsonl', kind: 'file', doneBytes: 10, totalBytes: 100 });
    line.wipe();
    line.wipe();
    expect(written).toEqual(['\r\u001b[Ktension: reading charts.jsonl (100 bytes): 10%', '\r\u001b[K']);
  });

  it.skipIf(scriptMissing)('the real CLI on a terminal says how far it has read; with stderr a pipe it says nothing of it', () => {
    const { data } = largePeerFolder();
    const command = [process.execPath, cliEntry, 'chart', 'list', '--data', data].map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
    // -q: no "Script started" lines; -e: its exit code is the command's; the typescript goes to /dev/null.
    const onTerminal = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', timeout: 60_000 });
    expect(onTerminal.status).toBe(0);
    expect(onTerminal.stdout).toMatch(/tension: reading charts\.jsonl \(\d+(\.\d)? MB\): 0%/);
    // The list is printed after the line is wiped: the last wipe is followed by a chart's row.
    const afterLastWipe = onTerminal.stdout.slice(onTerminal.stdout.lastIndexOf('\r\u001b[K') + 4);
    expect(afterLastWipe).toMatch(/^chart_\S+ +\d+\/\d+/);
    const piped = runCli(['chart', 'list', '--data', data]);
    expect(piped.status).toBe(0);
    expect(piped.stderr).not.toContain('reading');
    expect(piped.stdout).not.toContain('\u001b');
  }, 60_000);
});
