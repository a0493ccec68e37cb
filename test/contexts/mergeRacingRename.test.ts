// A merge racing a rename in the other direction: the app merges a into b, and between its move
// and its last step (the retired note) a fresh CLI process renames b to a, which takes up the
// name a (emptied by then, its merge pending). The merge then wrote its note "a merged into b"
// over the name the rename had just taken: a into b, b into a, a loop of notes (adopt reported
// it and moved nothing, and the rename's records stayed split). The merge now writes its note,
// and takes the file away, only while the name is still its own (its pending note there).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { cliOk, exitOf, runCli } from '../helpers/runCli.ts';
import type { PausedMergeConfig } from './pausedMergeChild.ts';
import { chartsListed, listed, pausedSaid, startPausedMerge } from './pausedMergeSupport.ts';

afterEach(removeTempDirs);

for (const pause of ['note', 'file'] as const) {
  const gap = pause === 'note' ? 'before its note' : 'before its file is taken away';
  it(`the app merging a into b while a CLI renames b to a (${gap}): no loop of notes, every chart in a`, { timeout: 120_000 }, async () => {
    const data = path.join(tempDir(), '.coaia');
    cliOk(['chart', 'create', '--context', 'a', '--outcome', 'A1', '--reality', 'R'], data);
    cliOk(['chart', 'create', '--context', 'b', '--outcome', 'B1', '--reality', 'R'], data);
    const charts = chartsListed(data);
    const config: PausedMergeConfig = { root: data, from: 'a', into: 'b', pause, go: path.join(tempDir(), 'go') };
    const merging = startPausedMerge(config);
    const exit = exitOf(merging, 100_000);
    await pausedSaid(merging);
    // a is empty and retired into b: the rename takes the name up.
    const rename = runCli(['context', 'rename', 'b', 'a', '--data', data]);
    fs.writeFileSync(config.go, '');
    const ended = await exit;
    expect(ended?.code, `${ended?.stdout}${ended?.stderr}`).toBe(0);
    expect(rename.status, rename.stdout + rename.stderr).toBe(0);
    // Settled as the rename left it, before any adopt: a holds everything, b is retired into a.
    expect(listed(data)).toEqual(['a']);
    expect(chartsListed(data)).toEqual(charts.map((chart) => chart.replace(/\((a|b)\)$/, '(a)')));
    expect(fs.readdirSync(path.join(data, '.history')).filter((name) => name.endsWith('.retired.json'))).toEqual(['charts-b.retired.json']);
    expect(cliOk(['context', 'adopt'], data)).toBe('nothing to adopt');
  });
}
