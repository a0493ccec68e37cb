// Merges of the default context and the archive (emptied, never retired: they leave no note)
// against a merge the other way. The app merges default into b, its checks made; before its
// move a fresh CLI process merges b into default, which found no note on default and was done.
// The app's merge then went ahead too: everything went into b, retired into default (listed
// again, with every chart; the next adopt moved them all back), and both were told "merged".
// It now looks again under its move's lock, finds b retired into default, and is refused,
// nothing moved: the two merges end as one.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { cliOk, exitOf, runCli } from '../helpers/runCli.ts';
import type { PausedMergeConfig } from './pausedMergeChild.ts';
import { chartsListed, listed, pausedSaid, startPausedMerge } from './pausedMergeSupport.ts';

afterEach(removeTempDirs);

for (const special of ['default', 'completed']) {
  it(`${special} merged into b while b is merged into ${special} (a fresh CLI process): one is refused, nothing moved by it`, { timeout: 120_000 }, async () => {
    const data = path.join(tempDir(), '.coaia');
    cliOk(['chart', 'create', '--context', special, '--outcome', 'S1', '--reality', 'R'], data);
    cliOk(['chart', 'create', '--context', 'b', '--outcome', 'B1', '--reality', 'R'], data);
    const config: PausedMergeConfig = { root: data, from: special, into: 'b', pause: 'move', go: path.join(tempDir(), 'go') };
    const merging = startPausedMerge(config);
    const exit = exitOf(merging, 100_000);
    await pausedSaid(merging);
    const other = runCli(['context', 'merge', 'b', '--into', special, '--data', data]);
    expect(other.status, other.stdout + other.stderr).toBe(0);
    fs.writeFileSync(config.go, '');
    const ended = await exit;
    expect(ended?.code, `${ended?.stdout}${ended?.stderr}`).toBe(0);
    expect(ended?.stdout).toMatch(new RegExp(`"t":"refused".*"code":"CONFLICT".*Context b was merged into ${special}: merging ${special} into it would move the records round in a circle`));
    // As the CLI's merge left it: every chart in the special context, b retired, nothing to adopt.
    expect(listed(data)).toEqual([special]);
    expect(chartsListed(data)).toEqual([`0/0             B1  (${special})`, `0/0             S1  (${special})`]);
    expect(cliOk(['context', 'adopt'], data)).toBe('nothing to adopt');
  });
}
