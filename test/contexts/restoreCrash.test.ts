// A `context restore` killed (real SIGKILL, from a fs seam counting every call that changes the
// disk: test/helpers/killingFileSystem.ts) at each point in turn. The restore once committed
// first and took the retired note away after: killed between the two, the restored context
// was hidden (note there, file not written yet), and `context restore` said it was not deleted
// (exit 3). After every crash here, the context is listed with every record, or a fresh
// `context restore` (exit 0) brings it back; and it stays through the next commands.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { runCli } from '../helpers/runCli.ts';
import { LONG, openRoot, runChildThatKillsItself } from '../charts/crashSupport.ts';
import { deleteContext } from '../../electron/core/contexts/contextDelete.ts';
import { retiredNotePath } from '../../electron/core/contexts/retiredContexts.ts';
import { contextPaths, resolveLayout } from '../../electron/core/dataRoot.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const child = path.join(here, 'restoreCrashChild.ts');

afterAll(removeTempDirs);

async function deletedRoot(): Promise<string> {
  const root = path.join(tempDir('tension-restore-crash-'), '.coaia');
  const { engine, charts } = await openRoot(root);
  for (const outcome of ['A one', 'A two', 'A three']) await charts.create('a', { outcome, reality: ['r'], steps: ['s1'] });
  await charts.create('b', { outcome: 'B one', reality: ['r'] });
  await deleteContext(engine, 'a');
  await engine.close();
  return root;
}

const listed = (root: string) => runCli(['contexts', '--data', root]).stdout;
const aCharts = (root: string) => runCli(['chart', 'list', '--all', '--data', root]).stdout.split('\n').filter((line) => / A (one|two|three)/.test(line)).length;

it(`a context restore killed at ${LONG ? 'each point' : 'every other point'} (SIGKILL, fs seam): the context is listed, or restored by running it again (exit 0), never hidden`, { timeout: 600_000 }, async () => {
  const template = await deletedRoot();
  const clean = await runChildThatKillsItself(child, { root: copyOf(template), context: 'a', killAt: null });
  expect(clean.error ?? '', clean.stderr).toBe('');
  // Every call but the lock's own (a kill while its owner note is half written leaves a lock
  // the next process waits out: tested in test/faults/lock.test.ts, not here).
  const all = clean.calls.filter((call) => !path.basename(call.path).startsWith('.tension.lock')).map((call) => call.n);
  expect(all.length).toBeGreaterThan(3);
  // The quick round kills at every other call and at the last (each point runs the CLI five
  // times: a minute of npm test for all of them); TENSION_TORTURE=long kills at every one.
  const points = LONG ? all : all.filter((n, i) => i % 2 === 0 || i === all.length - 1);
  for (const n of points) {
    const root = copyOf(template);
    const run = await runChildThatKillsItself(child, { root, context: 'a', killAt: n });
    const label = `kill before call ${n} (${run.kill ? `${run.kill.op} ${path.basename(run.kill.path)}` : 'not reached'})`;
    expect(run.error, `${label}: ${run.stderr}`).toBeUndefined();
    if (!/^a\s+\d+ records/m.test(listed(root)) || aCharts(root) !== 3) {
      const again = runCli(['context', 'restore', 'a', '--data', root]);
      expect(again.status, `${label}: restore again: ${again.stdout}${again.stderr}`).toBe(0);
      // Hidden after the crash only while the restore had not committed: never a committed one hidden by its note.
      expect(again.stdout, `${label}: hidden though restored`).toMatch(/^restored context a \(\d+ records?\)/);
    }
    for (let look = 0; look < 2; look += 1) {
      expect(listed(root), `${label}: contexts`).toMatch(/^a\s+\d+ records/m);
      expect(aCharts(root), `${label}: chart list --all`).toBe(3);
    }
    expect(runCli(['context', 'adopt', '--data', root]).status, label).toBe(0);
    expect(aCharts(root), `${label}: after adopt`).toBe(3);
  }
});

let copies = 0;
function copyOf(root: string): string {
  copies += 1;
  const copy = path.join(path.dirname(root), `copy-${copies}`, '.coaia');
  fs.cpSync(root, copy, { recursive: true });
  return copy;
}

it("a restore committed whose deletion's note was left (an older version's crash between the two): restore again finishes it, exit 0, and the context is listed", async () => {
  const root = copyOf(await deletedRoot());
  const layout = resolveLayout({ data: root });
  const note = fs.readFileSync(retiredNotePath(layout, 'a'));
  expect(runCli(['context', 'restore', 'a', '--data', root]).status).toBe(0);
  // What the old order left: the restore's commit in the journal, the note still there.
  fs.writeFileSync(retiredNotePath(layout, 'a'), note);
  fs.rmSync(contextPaths(layout, 'a').file);
  expect(listed(root)).not.toMatch(/^a\s/m);
  const again = runCli(['context', 'restore', 'a', '--data', root]);
  expect(again.status, again.stderr).toBe(0);
  expect(again.stdout).toMatch(/restored already/);
  expect(fs.existsSync(retiredNotePath(layout, 'a'))).toBe(false);
  expect(listed(root)).toMatch(/^a\s+\d+ records/m);
  expect(aCharts(root)).toBe(3);
  // Done now: a further restore finds nothing to do, as before.
  expect(runCli(['context', 'restore', 'a', '--data', root]).status).toBe(3);
});
