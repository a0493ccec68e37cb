// A reader that stops early (`tension chart list | head -1`, a pager quit at the first screen)
// closes the pipe while the command is still printing. That is no failure: the command exits
// with its own code and says nothing more; before, Node threw EPIPE as an unhandled error and
// printed a stack trace (exit 1). Output sent to a full disk is incomplete: one clear line and
// the disk-full code (6), again not a stack trace. A write's change is committed and the engine
// closed before anything is printed (cli.ts), so neither cuts a write short.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliEntry, exitOf, runCli } from '../helpers/runCli.ts';
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

  it.skipIf(!fs.existsSync('/dev/full'))('to a full disk (/dev/full, which refuses every write with ENOSPC): exit 6 and one clear line; a write is saved all the same', async () => {
    const data = path.join(tempDir(), '.coaia');
    writeChartFile(path.join(data, 'charts.jsonl'), 50);
    const toFull = async (args: string[]) => {
      const full = fs.openSync('/dev/full', 'w');
      try {
        const done = await exitOf(spawn(process.execPath, [cliEntry, ...args, '--data', data], { stdio: ['ignore', full, 'pipe'] }), 60_000);
        expect(done, 'the command did not end').toBeDefined();
        return done as NonNullable<typeof done>;
      } finally {
        fs.closeSync(full);
      }
    };
    for (const args of [['chart', 'list'], ['entity', 'set', '--name', 'printed_to_a_full_disk', '--type', 'note', '--obs', 'kept']]) {
      const done = await toFull(args);
      expect(done.code, args.join(' ')).toBe(6);
      expect(done.stderr.trim().split('\n'), done.stderr).toEqual(['tension: Printing the result failed: the disk is full (ENOSPC) on the standard output. What the command changed is saved; only its printed result is incomplete.']);
    }
    const history = runCli(['history', '--name', 'printed_to_a_full_disk', '--data', data]);
    expect(history.status, history.stderr).toBe(0);
    expect(history.stdout).toContain('kept');
  });
});
