// Two merges in opposite directions at once (a into b, b into a: two engines, as two processes
// would run them): both succeeded, both retired notes stayed, and every later context operation
// moved all the records back and forth. Now one is refused under the lock that writes the note
// (CONFLICT, nothing changed) and the records settle in one context. A data folder an older
// version left that way (each context retired into the other) is not churned by adopt: it says so.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { closeAfterEachTest, trackedEngine } from '../helpers/tracked.ts';
import { tempLayout } from '../helpers/tempRoot.ts';
import { runCli } from '../helpers/runCli.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { mergeContext } from '../../electron/core/contexts/contextMerge.ts';
import { adoptLeftovers, renameContext } from '../../electron/core/contexts/contextRename.ts';
import { retiredContexts, writeRetiredNote } from '../../electron/core/contexts/retiredContexts.ts';
import type { Engine } from '../../electron/core/engine.ts';
import type { DataLayout } from '../../electron/core/dataRoot.ts';

closeAfterEachTest();

async function twoContexts(): Promise<{ layout: DataLayout; first: Engine; second: Engine; all: string[] }> {
  const layout = tempLayout();
  const first = await trackedEngine(layout);
  const charts = new ChartService(first);
  for (const outcome of ['A one', 'A two']) await charts.create('a', { outcome, reality: ['r'], steps: ['s'] });
  await charts.create('b', { outcome: 'B one', reality: ['r'] });
  await first.flush();
  const second = await trackedEngine(layout);
  return { layout, first, second, all: await namesIn(first) };
}

/** The names of every record of a and b, sorted (each once: no record in two contexts). */
async function namesIn(engine: Engine): Promise<string[]> {
  const names: string[] = [];
  for (const context of ['a', 'b']) names.push(...(await engine.read(context, (state) => [...state.values()].map((r) => r.name ?? r.raw))));
  return names.sort();
}

describe('merges in opposite directions', () => {
  it('run at once (two engines): one is done, the other refused with nothing changed, one note, and adopt then moves nothing', async () => {
    for (let trial = 0; trial < 4; trial += 1) {
      const { layout, first, second, all } = await twoContexts();
      const [ab, ba] = await Promise.allSettled([mergeContext(first, 'a', 'b'), mergeContext(second, 'b', 'a')]);
      const done = [ab, ba].filter((r) => r.status === 'fulfilled');
      expect(done.length, `trial ${trial}: ${JSON.stringify([ab, ba].map((r) => (r.status === 'rejected' ? String(r.reason) : 'done')))}`).toBe(1);
      const refused = [ab, ba].find((r) => r.status === 'rejected');
      expect((refused?.reason as { code?: string }).code).toMatch(/^(CONFLICT|NOT_FOUND)$/);
      expect(retiredContexts(first.fs, layout).map((note) => note.context)).toHaveLength(1);
      expect(await adoptLeftovers(first)).toEqual([]);
      expect(await adoptLeftovers(second)).toEqual([]);
      expect(await namesIn(first)).toEqual(all);
      await first.close();
      await second.close();
    }
  });

  it('three at once (a into b, b into c, c into a: three engines): not all three are done, and no circle of notes is left (review find)', async () => {
    for (let trial = 0; trial < 3; trial += 1) {
      const layout = tempLayout();
      const engines: Engine[] = [];
      for (let i = 0; i < 3; i += 1) engines.push(await trackedEngine(layout));
      const charts = new ChartService(engines[0] as Engine);
      for (const context of ['a', 'b', 'c']) await charts.create(context, { outcome: `${context} one`, reality: ['r'] });
      await (engines[0] as Engine).flush();
      const results = await Promise.allSettled([mergeContext(engines[0] as Engine, 'a', 'b'), mergeContext(engines[1] as Engine, 'b', 'c'), mergeContext(engines[2] as Engine, 'c', 'a')]);
      expect(results.filter((r) => r.status === 'fulfilled').length, `trial ${trial}`).toBeLessThan(3);
      const adopted = await adoptLeftovers(engines[0] as Engine);
      expect(adopted.filter((entry) => 'cycle' in entry && entry.cycle !== undefined), `trial ${trial}: a circle of notes`).toEqual([]);
      for (const engine of engines) await engine.close();
    }
  });

  it('a context shown again after its deletion (a peer wrote it) takes a merge like any other (review find)', async () => {
    const { layout, first } = await twoContexts();
    writeRetiredNote(first.fs, layout, { format: 1, context: 'b', reason: 'deleted', backup: 'x', op: 'delete-context:b:x', ts: new Date().toISOString() });
    // b's file still holds what the peer wrote: it is shown.
    expect(first.listContextNames()).toContain('b');
    await mergeContext(first, 'a', 'b');
    expect(first.listContextNames()).not.toContain('a');
  });

  it('a merge or rename into a context that is on its way into the source is refused under the lock, nothing changed', async () => {
    const { layout, first, all } = await twoContexts();
    // b's merge into a asked for (its pending note written), not yet moved.
    writeRetiredNote(first.fs, layout, { format: 1, context: 'b', reason: 'merged', into: 'a', pending: true, ts: new Date().toISOString() });
    await expect(mergeContext(first, 'a', 'b')).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/Context b is being merged into a: .*in a circle.*nothing was changed/) });
    expect(retiredContexts(first.fs, layout).map((note) => note.context)).toEqual(['b']);
    expect(await namesIn(first)).toEqual(all);
    await expect(renameContext(first, 'a', 'b')).rejects.toMatchObject({ code: expect.stringMatching(/CONFLICT|BAD_INPUT/) });
    expect(await namesIn(first)).toEqual(all);
  });

  it('each retired into the other (left by an older version): adopt moves nothing and says so, through the CLI too', async () => {
    const { layout, first, all } = await twoContexts();
    const ts = new Date().toISOString();
    writeRetiredNote(first.fs, layout, { format: 1, context: 'a', reason: 'merged', into: 'b', ts });
    writeRetiredNote(first.fs, layout, { format: 1, context: 'b', reason: 'merged', into: 'a', ts });
    const before = { a: fs.readFileSync(`${layout.root}/charts-a.jsonl`, 'utf8'), b: fs.readFileSync(`${layout.root}/charts-b.jsonl`, 'utf8') };
    const adopted = (await adoptLeftovers(first)).sort((x, y) => x.context.localeCompare(y.context));
    expect(adopted).toEqual([{ context: 'a', into: 'b', records: 0, cycle: ['a', 'b', 'a'] }, { context: 'b', into: 'a', records: 0, cycle: ['b', 'a', 'b'] }]);
    expect(await namesIn(first)).toEqual(all);
    await first.close();
    const cli = runCli(['context', 'adopt', '--data', layout.root]);
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/a -> b: nothing moved: .*a -> b -> a/);
    expect({ a: fs.readFileSync(`${layout.root}/charts-a.jsonl`, 'utf8'), b: fs.readFileSync(`${layout.root}/charts-b.jsonl`, 'utf8') }).toEqual(before);
  });
});
