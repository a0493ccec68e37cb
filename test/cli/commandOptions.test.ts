// Each command takes the options its usage names (and --op when it is retryable), besides the
// global ones; any other option is refused, as an unknown one is, and nothing is changed:
// ignored, it would make the command do something else than asked (`chart list --limit 10`
// listed every chart). The usage is the only list, so it must name every option a command reads.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commands } from '../../electron/cli/commands.ts';
import { runCli } from '../helpers/runCli.ts';
import { folderSnapshot } from '../helpers/folderSnapshot.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

const GLOBAL = new Set(['data', 'memory-path', 'context', 'json', 'help']);

describe("a command's options", () => {
  it("are named in its usage: every option its code reads (read from the code's text), --op exactly where it is retryable", () => {
    for (const [name, command] of Object.entries(commands)) {
      const usage = new Set([...command.usage.matchAll(/--([a-z][a-z-]*)/g)].map((match) => match[1]));
      const code = command.run.toString();
      const read = new Set([...code.matchAll(/options(?:\.([a-zA-Z]+)|\[['"]([a-z-]+)['"]\])/g)].map((match) => match[1] ?? match[2]));
      for (const option of read) {
        if (GLOBAL.has(option as string)) continue;
        if (option === 'op') expect(command.retryable, `${name} reads --op: it must be retryable`).toBe(true);
        else expect(usage.has(option), `${name} reads --${option}, which its usage (${command.usage}) does not name`).toBe(true);
      }
      if (command.retryable) expect(read.has('op'), `${name} is retryable but never reads --op`).toBe(true);
    }
  });

  it('one it does not take is refused with its usage, exit 2, and nothing changed', () => {
    const data = path.join(tempDir(), '.coaia');
    expect(runCli(['chart', 'create', '--outcome', 'Ship it', '--reality', 'not yet', '--data', data]).status).toBe(0);
    const before = folderSnapshot(data);
    for (const [command, args, refused] of [
      ['chart list', ['--limit', '5'], '--limit'],
      ['backup create', ['--op', 'x'], '--op'],
      ['entity delete', ['--name', 'x', '--type', 'note'], '--type'],
      ['graph', ['--all'], '--all'],
    ] as const) {
      const run = runCli([...command.split(' '), ...args, '--data', data]);
      expect(run.status, command).toBe(2);
      expect(run.stderr, command).toMatch(new RegExp(`^tension: 'tension ${command}' does not take ${refused} \\(usage: tension .*\\)\\. Nothing was changed\\.\\n$`));
    }
    expect(folderSnapshot(data)).toEqual(before);
  });

  it('words beyond those its usage names are refused the same way (they were dropped: an outcome saved as its first word)', () => {
    const data = path.join(tempDir(), '.coaia');
    const chart = runCli(['chart', 'create', '--outcome', 'Ship it', '--reality', 'not yet', '--step', 'one', '--data', data]).stdout.trim();
    const before = folderSnapshot(data);
    for (const [command, args, refused] of [
      ['chart create', ['--outcome', 'Ship', 'billing', 'to', 'all', '--reality', '3'], '"billing" "to" "all"'],
      ['step add', [chart, '--title', 'Write', 'the docs'], '"the docs"'],
      ['import', ['a.jsonl', 'b.jsonl'], '"b.jsonl"'],
      ['chart list', ['--', '--context', 'work'], '"--context" "work"'],
      ['context rename', ['a', 'b', 'c'], '"c"'],
    ] as const) {
      // --data first: after `--` every word is a word.
      const run = runCli([...command.split(' '), '--data', data, ...args]);
      expect(run.status, command).toBe(2);
      expect(run.stderr, command).toMatch(new RegExp(`^tension: 'tension ${command}' does not take the words ${refused} \\(usage: tension .*\\)\\. Nothing was changed\\.\\n$`));
    }
    expect(folderSnapshot(data)).toEqual(before);
    // An empty --op (an unset shell variable) would make every later change given it answer as done.
    const empty = runCli(['chart', 'create', '--outcome', 'A', '--reality', 'B', '--op', '', '--data', data]);
    expect([empty.status, empty.stderr]).toEqual([2, 'tension: --op is empty (an unset shell variable?): give the change an id, or leave --op out. Nothing was changed.\n']);
    expect(folderSnapshot(data)).toEqual(before);
    // What a command takes is still taken: every word of a query, the two names of a rename.
    expect(runCli(['search', 'ship', 'it', '--data', data]).status).toBe(0);
    expect(runCli(['chart', 'search', 'ship', 'it', '--data', data]).status).toBe(0);
  });

  it('--op is taken where a retry must not change twice: the same chart create twice makes one chart', () => {
    const data = path.join(tempDir(), '.coaia');
    const create = () => runCli(['chart', 'create', '--outcome', 'Once', '--reality', 'r', '--op', 'retry-1', '--data', data]);
    const first = create();
    const second = create();
    expect(first.status, first.stderr).toBe(0);
    expect(second.status, second.stderr).toBe(0);
    expect(runCli(['chart', 'list', '--data', data]).stdout.split('\n').filter((line) => line.includes('Once'))).toHaveLength(1);
  });

  it('an --op id used for another change is refused where the retry would answer with nothing (an empty chart id or step name)', () => {
    const data = path.join(tempDir(), '.coaia');
    expect(runCli(['entity', 'set', '--name', 'x', '--type', 'note', '--op', 'same', '--data', data]).status).toBe(0);
    const chart = runCli(['chart', 'create', '--outcome', 'Ship it', '--reality', 'r', '--op', 'c1', '--data', data]).stdout.trim();
    const before = folderSnapshot(data);
    for (const args of [['chart', 'create', '--outcome', 'Other', '--reality', 'r'], ['step', 'add', chart, '--title', 'a step'], ['telescope', `${chart}_desired_outcome`]]) {
      const run = runCli([...args, '--op', 'same', '--data', data]);
      expect(run.status, args.join(' ')).not.toBe(0);
      // Refused as another change's (the id was given for `entity set`, journaled with it); ids
      // journaled before that was kept are refused where the retry would answer with nothing.
      expect(run.stderr, args.join(' ')).toMatch(/^tension: The operation id "same" was used for another change \(tension entity set\)/);
    }
    expect(folderSnapshot(data)).toEqual(before);
  });

  it('a count out of its range is refused saying the least it takes (-1 read as "not a whole number"; a limit of 0 answered "no matches"), exit 2, nothing changed', () => {
    const data = path.join(tempDir(), '.coaia');
    const chart = runCli(['chart', 'create', '--outcome', 'Ship it', '--reality', 'not yet', '--step', 'one', '--step', 'two', '--data', data]).stdout.trim();
    const step = runCli(['chart', 'show', chart, '--json', '--data', data]);
    const stepName = (JSON.parse(step.stdout) as { chart: { steps: { name: string }[] } }).chart.steps[0]?.name as string;
    const before = folderSnapshot(data);
    for (const [args, said] of [
      [['step', 'move', stepName, '--to=-1'], '--to must be a whole number of at least 1, got "-1"'],
      // Read as --to without its value: the message says how to give one starting with a dash.
      [['step', 'move', stepName, '--to', '-1'], "To specify an option argument starting with a dash use '--to=-XYZ'"],
      [['search', 'ship', '--limit', '0'], '--limit must be a whole number of at least 1, got "0"'],
      [['chart', 'search', 'ship', '--limit', '0'], '--limit must be a whole number of at least 1, got "0"'],
      [['history', '--name', stepName, '--limit', '0'], '--limit must be a whole number of at least 1, got "0"'],
      [['search', 'ship', '--limit', ''], '--limit must be a whole number of at least 1, got ""'],
      [['deleted', '--days=-3'], '--days must be a whole number of at least 0, got "-3"'],
    ] as const) {
      const run = runCli([...args, '--data', data]);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toContain(said);
    }
    expect(folderSnapshot(data)).toEqual(before);
    // In range, they run.
    expect(runCli(['step', 'move', stepName, '--to', '2', '--data', data]).status).toBe(0);
    expect(runCli(['search', 'ship', '--limit', '1', '--data', data]).stdout).toContain('Ship it');
  });
});
