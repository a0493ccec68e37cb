// A reader that stops early (`tension chart list | head -1`, a pager quit at the first screen)
// closes the pipe while the command is still printing. That is no failure: the command exits
// with its own code and says nothing more; before, Node threw EPIPE as an unhandled error and
// printed a stack trace (exit 1). Output sent to a full disk is incomplete: one clear line and
// the disk-full code (6), again not a stack trace. A write's change is committed and the engine
// closed before anything is printed (cli.ts), so neither cuts a write short. The command writes
// to its descriptors directly (cli/output.ts); a pipe someone left non-blocking, whose reader is
// slow, is handed to Node's stream, which waits for the reader: the whole output, in order.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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

  describe('to a pipe left non-blocking (a write finds it full: EAGAIN)', () => {
    /**
     * Runs the CLI with its stdout a FIFO opened non-blocking, read only after `readAfterMs`,
     * and only `readBytes` of it (then the reader leaves). Through bash's fd 3: a child's
     * descriptors 0-2 are made blocking by libuv at the spawn, its fd 3 is not.
     */
    async function intoSlowReader(args: string[], readAfterMs: number, readBytes = Infinity) {
      const fifo = path.join(tempDir(), 'out.fifo');
      expect(spawnSync('mkfifo', [fifo]).status, 'mkfifo').toBe(0);
      const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const writer = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
      const child = spawn('bash', ['-c', 'exec "$0" "$@" >&3 3>&-', process.execPath, cliEntry, ...args], { stdio: ['ignore', 'ignore', 'pipe', writer] });
      fs.closeSync(writer);
      const ended = exitOf(child, 60_000);
      await sleep(readAfterMs);
      const pieces: Buffer[] = [];
      let got = 0;
      const piece = Buffer.alloc(65536);
      for (;;) {
        if (got >= readBytes) break;
        let n: number;
        try {
          n = fs.readSync(reader, piece, 0, Math.min(piece.length, readBytes - got), null);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
          await sleep(5);
          continue;
        }
        if (n === 0) break; // every writer closed: the end
        pieces.push(Buffer.from(piece.subarray(0, n)));
        got += n;
      }
      fs.closeSync(reader);
      const done = await ended;
      expect(done, 'the command did not end').toBeDefined();
      return { ...(done as NonNullable<typeof done>), printed: Buffer.concat(pieces).toString('utf8') };
    }

    it('a reader that comes late gets the whole list, in order, and the exit is 0', async () => {
      const data = path.join(tempDir(), '.coaia');
      writeChartFile(path.join(data, 'charts.jsonl'), 3_000);
      const whole = runCli(['chart', 'list', '--data', data]);
      expect(whole.stdout.length, 'the list must outgrow the pipe (64 KiB)').toBeGreaterThan(256 * 1024);
      const slow = await intoSlowReader(['chart', 'list', '--data', data], 1_500);
      expect(slow.stderr).toBe('');
      expect(slow.code).toBe(0);
      expect(slow.printed.length).toBe(whole.stdout.length);
      expect(slow.printed === whole.stdout, 'the list as printed to a file').toBe(true);
    });

    it('a late reader that leaves after 100 bytes: a quiet exit 0', async () => {
      const data = path.join(tempDir(), '.coaia');
      writeChartFile(path.join(data, 'charts.jsonl'), 3_000);
      const cut = await intoSlowReader(['graph', '--json', '--data', data], 1_500, 100);
      expect(cut.printed.startsWith('{"entities":[')).toBe(true);
      expect(cut.stderr).not.toMatch(/EPIPE|Error|at /);
      expect(cut.code).toBe(0);
    });
  });
});
