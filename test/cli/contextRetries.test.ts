// Context rename, merge and delete are retryable: the same --op sent again after a success is
// answered as done (exit 0, nothing changed), as chart move and context restore answer. They
// said "There is no context a. Nothing was changed." (exit 3): the name was looked for before
// the operation. And a rename killed part-way (real SIGKILL, from the fs seam of
// test/contexts/contextCrashChild.ts, once its move's intent is durable) then run again by
// hand is answered as done: the next command had finished it first (adoptLeftovers), and the
// rename then said there was no context work.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { cliOk, runCli } from '../helpers/runCli.ts';
import { openRoot, runChildThatKillsItself } from '../charts/crashSupport.ts';
import { rootPaths, resolveLayout } from '../../electron/core/dataRoot.ts';
import type { ContextCrashConfig } from '../contexts/contextCrashChild.ts';

afterEach(removeTempDirs);

const crashChild = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'contexts', 'contextCrashChild.ts');

function threeContexts(): string {
  const data = path.join(tempDir(), '.coaia');
  cliOk(['chart', 'create', '--context', 'a', '--outcome', 'A1', '--reality', 'R', '--step', 's1'], data);
  cliOk(['chart', 'create', '--context', 'b', '--outcome', 'B1', '--reality', 'R'], data);
  cliOk(['chart', 'create', '--context', 'c', '--outcome', 'C1', '--reality', 'R'], data);
  return data;
}

const everything = (data: string) => [cliOk(['contexts'], data).replace(/\s+\d+ bytes.*$/gm, ''), cliOk(['chart', 'list', '--all'], data)];

it('rename, merge and delete sent again with the same --op after a success: answered as done, exit 0, nothing changed', () => {
  const data = threeContexts();
  const runs: [string[], RegExp][] = [
    [['context', 'rename', 'a', 'zz', '--op', 'r1'], /^renamed a into zz: .*already done/],
    [['context', 'merge', 'b', '--into', 'zz', '--op', 'm1'], /^merged b into zz: .*already done/],
    [['context', 'delete', 'c', '--op', 'd1'], /^deleted context c .*already done.*backup \S+ taken first/],
  ];
  for (const [args, answer] of runs) {
    cliOk(args, data);
    const after = everything(data);
    const again = runCli([...args, '--data', data]);
    expect(again.status, `${args.join(' ')} again: ${again.stdout}${again.stderr}`).toBe(0);
    expect(again.stdout).toMatch(answer);
    expect(everything(data), args.join(' ')).toEqual(after);
  }
  // Without --op, or with another one, a rename of a context that is gone is still refused.
  expect(runCli(['context', 'rename', 'b', 'yy', '--op', 'other', '--data', data]).status).toBe(3);
});

it('a rename killed once its intent is durable (SIGKILL, fs seam), run again by hand: answered as done, exit 0', { timeout: 120_000 }, async () => {
  const data = path.join(tempDir(), '.coaia');
  const { charts, engine } = await openRoot(data);
  await charts.create('work', { outcome: 'W1', reality: ['r'], steps: ['s'] });
  await charts.create('work', { outcome: 'W2', reality: ['r'] });
  await engine.close();
  const config = (root: string, killAt: number | null): ContextCrashConfig => ({ root, contexts: ['work'], op: { kind: 'rename', from: 'work', to: 'job' }, killAt, when: 'after' });
  // Where the intent line is synced, from a run that is not killed (on a copy).
  const copy = path.join(tempDir(), '.coaia');
  (await import('node:fs')).cpSync(data, copy, { recursive: true });
  const clean = await runChildThatKillsItself(crashChild, config(copy, null));
  const intents = rootPaths(resolveLayout({ data: copy })).intents;
  const synced = clean.calls.find((call) => call.path === intents && call.op === 'fsync');
  expect(synced, clean.stderr).toBeDefined();
  const run = await runChildThatKillsItself(crashChild, config(data, synced!.n));
  expect(run.kill?.n).toBe(synced!.n);

  const again = runCli(['context', 'rename', 'work', 'job', '--data', data]);
  expect(again.status, `${again.stdout}${again.stderr}`).toBe(0);
  expect(again.stdout).toMatch(/^renamed work into job: .*already done/);
  expect(cliOk(['contexts'], data)).toMatch(/^job\s+\d+ records/m);
  expect(cliOk(['contexts'], data)).not.toMatch(/^work\s/m);
  expect(cliOk(['chart', 'list', '--context', 'job'], data)).toMatch(/W1[\s\S]*W2|W2[\s\S]*W1/);
});

it('a rename run again, by hand, after the target was renamed on: not answered as done (review find)', () => {
  const data = path.join(tempDir(), '.coaia');
  cliOk(['chart', 'create', '--context', 'a', '--outcome', 'A1', '--reality', 'R'], data);
  cliOk(['context', 'rename', 'a', 'b'], data);
  cliOk(['context', 'rename', 'b', 'c'], data);
  const again = runCli(['context', 'rename', 'a', 'b', '--data', data]);
  expect(again.status, again.stdout).toBe(3);
  expect(again.stderr).toMatch(/There is no context a/);
});

it('a merge sent with the operation id of an earlier chart move is not answered as that move: the merge is done (review find)', () => {
  const data = path.join(tempDir(), '.coaia');
  const a1 = cliOk(['chart', 'create', '--context', 'a', '--outcome', 'A1', '--reality', 'R', '--step', 's1'], data);
  cliOk(['chart', 'create', '--context', 'b', '--outcome', 'B1', '--reality', 'R'], data);
  cliOk(['chart', 'create', '--context', 'a', '--outcome', 'A2', '--reality', 'R'], data);
  cliOk(['chart', 'move', a1, '--context', 'a', '--to', 'b', '--op', 'K'], data);
  const merge = runCli(['context', 'merge', 'a', '--into', 'b', '--op', 'K', '--data', data]);
  expect(merge.status, merge.stderr).toBe(0);
  expect(cliOk(['contexts'], data)).not.toMatch(/^a\s/m);
  expect(cliOk(['chart', 'list', '--context', 'b'], data)).toMatch(/A2/);
});

it('a merge or rename retried with its --op after its old name was taken up by another context: answered as done, that context left as it is', () => {
  for (const [first, answer] of [
    [['context', 'merge', 'a', '--into', 'b', '--op', 'm2'], /^merged a into b: .*already done/],
    [['context', 'rename', 'a', 'b2', '--op', 'r2'], /^renamed a into b2: .*already done/],
  ] as const) {
    const data = threeContexts();
    cliOk([...first], data);
    // Another context takes the name up (the rename clears the retired note).
    cliOk(['context', 'rename', 'c', 'a'], data);
    const after = everything(data);
    const again = runCli([...first, '--data', data]);
    expect(again.status, `${first.join(' ')} again: ${again.stdout}${again.stderr}`).toBe(0);
    expect(again.stdout).toMatch(answer);
    // Made again, it merged (or renamed) the context now called a: C1 went with it.
    expect(everything(data), first.join(' ')).toEqual(after);
    expect(cliOk(['chart', 'list', '--context', 'a'], data)).toContain('C1');
  }
});

it('a merge retried with its --op after its old name was taken up and retired again (renamed on): answered as done, nothing changed', () => {
  const data = threeContexts();
  const merge = ['context', 'merge', 'a', '--into', 'b', '--op', 'm3'];
  cliOk(merge, data);
  cliOk(['context', 'rename', 'c', 'a'], data);
  cliOk(['context', 'rename', 'a', 'd'], data);
  const after = everything(data);
  const again = runCli([...merge, '--data', data]);
  expect(again.status, `${again.stdout}${again.stderr}`).toBe(0);
  expect(again.stdout).toMatch(/^merged a into b: .*already done/);
  expect(everything(data)).toEqual(after);
});

it('chart unarchive sent again with its --op after it was done: answered (exit 0), nothing changed; a chart that is not in the archive is said so (exit 3)', () => {
  const data = path.join(tempDir(), '.coaia');
  const made = runCli(['chart', 'create', '--context', 'work', '--outcome', 'Done thing', '--reality', 'r', '--json', '--data', data]);
  const id = /chart_[0-9a-z_]+/.exec(made.stdout)?.[0] as string;
  cliOk(['outcome', 'complete', id, '--context', 'work'], data);
  cliOk(['chart', 'archive', id, '--context', 'work'], data);
  expect(cliOk(['chart', 'unarchive', id, '--op', 'u1'], data)).toMatch(/^restored to context work/);
  const after = everything(data);
  const again = runCli(['chart', 'unarchive', id, '--op', 'u1', '--data', data]);
  expect(again.status, `${again.stdout}${again.stderr}`).toBe(0);
  expect(again.stdout).toMatch(/^restored to context work/);
  expect(everything(data)).toEqual(after);
  const typo = runCli(['chart', 'unarchive', 'chart_typo', '--data', data]);
  expect(typo.status).toBe(3);
  expect(typo.stderr).toMatch(/There is no chart chart_typo in the archive/);
});
