// A crash of a CLI write at every point where the disk changes, on the path that holds the lock
// least (Engine.prepareToWrite, then the commit, then the close's rewrite written before the lock
// and swapped in under it): a child process (preparedWriteCrashChild.ts) kills itself with
// SIGKILL right before, or right after, its N-th counted call, for N = 1, 2, … until a run ends
// without reaching N. Two folders: a peer's file never written by Tension Desk (the journal's
// start made without the lock), and one written once already (the file read ahead, the new file
// written outside the lock). After each crash another process's engine (this one) opens the
// folder: the records are exactly those before the write or those after it, after it whenever
// the child had said the commit was acknowledged, verify finds nothing wrong, and a second open
// reads the same. The quick round kills at every fourth call; `npm run torture` at every one.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { contextPaths, resolveLayout } from '../../electron/core/dataRoot.ts';
import { CRASH_CONCURRENCY, LONG, describeDiff, forEachCrashPoint, openRoot, runChildThatKillsItself, sameState, stateOf, verifyProblems } from '../charts/crashSupport.ts';
import { cliOk } from '../helpers/runCli.ts';

afterAll(removeTempDirs);

const CONTEXT = 'work';
const child = path.join(path.dirname(new URL(import.meta.url).pathname), 'preparedWriteCrashChild.ts');

/** A folder holding a peer's file of 60 notes (and, `written`, one CLI write since). */
function buildRoot(written: boolean): string {
  const root = path.join(tempDir('tension-crash-cli-'), '.coaia');
  fs.mkdirSync(root, { recursive: true });
  const file = contextPaths(resolveLayout({ data: root }), CONTEXT).file;
  fs.writeFileSync(file, Array.from({ length: 60 }, (_, i) => `{"type":"entity","name":"note_${i}","entityType":"note","observations":["kept ${i}"]}\n`).join(''));
  const past = new Date(Date.now() - 60_000);
  fs.utimesSync(file, past, past);
  if (written) cliOk(['entity', 'set', '--context', CONTEXT, '--name', 'earlier', '--type', 'note', '--obs', 'a first write'], root);
  return root;
}

async function stateNow(root: string): Promise<Record<string, string>> {
  const { engine } = await openRoot(root);
  try {
    return await stateOf(engine, CONTEXT);
  } finally {
    await engine.close();
  }
}

describe.each([
  ['a peer file written to for the first time', false],
  ['a file written once before', true],
])('a CLI write killed at any point: %s', (_label, written) => {
  it('leaves the records before or after it (after it once acknowledged), sound and the same on a second open', async () => {
    const template = buildRoot(written);
    const before = await stateNow(template);
    const clean = buildRoot(written);
    const full = await runChildThatKillsItself(child, { root: clean, context: CONTEXT, killAt: null, when: 'before' });
    expect(full.error, full.stderr).toBeUndefined();
    expect(full.done, `the write runs to its end: ${full.stderr}`).toBeDefined();
    const after = await stateNow(clean);
    expect(Object.keys(after).length).toBe(Object.keys(before).length + 1);
    const last = full.calls.length;
    expect(last).toBeGreaterThan(5);
    let sawBefore = 0;
    let sawAfter = 0;
    await forEachCrashPoint(last, ['before', 'after'], CRASH_CONCURRENCY, async (when, n) => {
      // The quick round (npm test) kills at every fourth call and the last; npm run torture at every one.
      if (!LONG && n % 4 !== 0 && n !== last) return;
      const root = buildRoot(written);
      const run = await runChildThatKillsItself(child, { root, context: CONTEXT, killAt: n, when });
      const label = `killed ${when} call ${n} of ${last} (${run.kill?.op} ${run.kill ? path.basename(run.kill.path) : ''})`;
      expect(run.error, `${label}: ${run.stderr}`).toBeUndefined();
      expect(run.signal, `${label}: it killed itself`).toBe('SIGKILL');
      const acknowledged = run.said.includes('ack');
      const state = await stateNow(root);
      const isBefore = sameState(state, before);
      const isAfter = sameState(state, after);
      expect(isBefore || isAfter, `${label}: neither before nor after.\nvs before:\n${describeDiff(state, before)}\nvs after:\n${describeDiff(state, after)}`).toBe(true);
      if (acknowledged) expect(isAfter, `${label}: acknowledged, so kept`).toBe(true);
      if (isAfter) sawAfter += 1;
      else sawBefore += 1;
      const { engine } = await openRoot(root);
      try {
        expect(await verifyProblems(engine), label).toEqual([]);
      } finally {
        await engine.close();
      }
      expect(sameState(await stateNow(root), state), `${label}: a second open reads the same`).toBe(true);
    });
    expect(sawBefore, 'some crashes came before the commit').toBeGreaterThan(0);
    expect(sawAfter, 'some after it').toBeGreaterThan(0);
  }, 600_000);
});
