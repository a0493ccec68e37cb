// A reader that stops early (`tension chart list | head -1`, a pager quit at the first screen)
// closes the pipe while the command is still printing. That is no failure: the command exits
// with its own code and says nothing more; before, Node threw EPIPE as an unhandled error and
// printed a stack trace (exit 1). A write's change is committed and the engine closed before
// anything is printed (cli.ts), so a cut output never cuts a write short.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliEntry, runCli } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { writeChartFile } from '../bench/chartGenerator.ts';

afterEach(removeTempDirs);

/** Runs the CLI with its stdout piped into `head <headArgs>`: its exit code and stderr, and what head printed. */
function intoHead(args: string[], headArgs = '-1'): { status: number; stderr: string; printed: string } {
  const dir = tempDir();
  const quoted = [process.execPath, cliEntry, ...args].map((word) => `'${word.replace(/'/g, "'\\''")}'`).join(' ');
  const run = spawnSync('bash', ['-c', `${quoted} 2>"$DIR/stderr" | head ${headArgs}; echo "\${PIPESTATUS[0]}" > "$DIR/status"`], {
    encoding: 'utf8',
    env: { ...process.env, DIR: dir },
    timeout: 60_000,
  });
  const status = fs.readFileSync(path.join(dir, 'status'), 'utf8').trim();
  expect(status, 'no exit status: the pipeline did not run').toMatch(/^\d+$/);
  return { status: Number(status), stderr: fs.readFileSync(path.join(dir, 'stderr'), 'utf8'), printed: run.stdout };
}

describe('output cut short by its reader', () => {
  it('chart list into head -1: the first line, then a quiet exit 0 (the list is far longer than the pipe holds)', () => {
    const data = path.join(tempDir(), '.coaia');
    writeChartFile(path.join(data, 'charts.jsonl'), 3_000);
    const whole = runCli(['chart', 'list', '--data', data]);
    expect(whole.status).toBe(0);
    expect(whole.stdout.length, 'the list must outgrow the pipe (64 KiB) for the reader to leave mid-write').toBeGreaterThan(256 * 1024);
    const cut = intoHead(['chart', 'list', '--data', data]);
    expect(cut.printed).toBe(`${whole.stdout.split('\n')[0]}\n`);
    expect(cut.stderr).not.toMatch(/EPIPE|Error|at /);
    expect(cut.status).toBe(0);
  });

  it('graph --json (one line of megabytes) into head -c 100: the first 100 bytes, then a quiet exit 0', () => {
    const data = path.join(tempDir(), '.coaia');
    writeChartFile(path.join(data, 'charts.jsonl'), 3_000);
    const cut = intoHead(['graph', '--json', '--data', data], '-c 100');
    expect(cut.printed).toHaveLength(100);
    expect(cut.printed.startsWith('{"entities":[')).toBe(true);
    expect(cut.stderr).not.toMatch(/EPIPE|Error|at /);
    expect(cut.status).toBe(0);
  });
});
