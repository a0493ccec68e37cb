// The chart list's summaries are saved at the engine's close and read back by the next open when
// the context file is exactly what they were made from (derivedCache.ts, summaryCacheFile.ts).
// A list read back must be the list a full pass makes, and stay so through every later change;
// a cache of another content (another process wrote since, a journal tail replayed, a damaged or
// foreign cache file) must be ignored; failing to save must cost nothing but the cache.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { chartHeadOf, chartIndexOf, readChart, summarizeChart } from '../../electron/core/charts/chartModel.ts';
import { listCharts } from '../../electron/core/charts/chartSummaries.ts';
import { recordFromObject } from '../../electron/core/knowledgeGraph.ts';
import { entityKey } from '../../electron/core/records.ts';
import { spliceBetween } from '../../electron/core/recordSplice.ts';
import { crc32Hex, encodeCommit, encodeSnapshot } from '../../electron/core/journalFormat.ts';
import { contextPaths, type DataLayout } from '../../electron/core/dataRoot.ts';
import type { Engine } from '../../electron/core/engine.ts';
import type { ChartSummary } from '../../shared/domain.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { seededRandom } from '../helpers/seededRandom.ts';
import { exitOf, spawnCli } from '../helpers/runCli.ts';
import { FaultyFileSystem } from '../faults/faultyFileSystem.ts';

afterEach(removeTempDirs);

const byId = (list: readonly ChartSummary[]) => [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** Each chart's own reading (readChart), what the list must show. */
function fullReading(engine: Engine, context: string): Promise<ChartSummary[]> {
  return engine.read(context, (state) => {
    const index = chartIndexOf(state);
    return index.ids.map((id) => summarizeChart(readChart(state, id, context, index)!));
  });
}

/**
 * The full reading by an engine of its own (read-only, opened for it): reading the charts here
 * would keep the chart heads in the engine under test, and its list would no longer be one
 * that was read back.
 */
async function fullReadingApart(layout: DataLayout, context: string): Promise<ChartSummary[]> {
  const apart = await openEngine(layout, { readOnly: true });
  try {
    return await fullReading(apart, context);
  } finally {
    await apart.close();
  }
}

/** Whether the last list was read from the cache: a full pass keeps the chart heads of every record, a list read back does not. */
const listWasReadBack = (engine: Engine, context: string) => engine.read(context, (state) => state.derivedIfKept(chartHeadOf) === undefined);

const cacheFile = (layout: DataLayout, context: string) => contextPaths(layout, context).summaries;

/** Charts in the usual shapes and in odd ones a peer or a person writes by hand. */
async function someCharts(engine: Engine): Promise<string[]> {
  const charts = new ChartService(engine);
  const ids: string[] = [];
  for (let i = 0; i < 6; i += 1) {
    const { id } = await charts.create('work', { outcome: `Outcome ${i}`, reality: 'now', steps: ['one', 'two', 'three'].slice(0, i % 4), ...(i % 2 ? { dueDate: '2027-01-0' + (i + 1) } : {}) });
    ids.push(id);
  }
  await charts.completeStep('work', `${ids[2]}_action_1`);
  const { id: sub } = await charts.telescope('work', `${ids[3]}_action_2`, { steps: ['deeper'] });
  ids.push(sub);
  await engine.transact('work', () => ({
    puts: [
      // A chart known only by its outcome (the specification's own example has no _chart entity).
      recordFromObject({ type: 'entity', name: 'peer_1_desired_outcome', entityType: 'desired_outcome', observations: ['From a peer'], metadata: { chartId: 'peer_1' } }),
      // A stray step: named as a step of chart 0, its metadata stripped by a peer.
      recordFromObject({ type: 'entity', name: `${ids[0]}_action_9`, entityType: 'action_step', observations: ['stray'], metadata: { completionStatus: true } }),
      recordFromObject({ type: 'relation', from: `${ids[0]}_action_9`, to: `${ids[0]}_desired_outcome`, relationType: 'advances_toward' }),
    ],
    deletes: [],
  }));
  return ids;
}

/** A folder with someCharts, listed and closed (so the list is saved): the folder and that list. */
async function listedAndClosed(): Promise<{ layout: DataLayout; made: ChartSummary[] }> {
  const layout = tempLayout();
  const engine = await openEngine(layout);
  await someCharts(engine);
  const made = await listCharts(engine, 'work');
  await engine.close();
  return { layout, made };
}

/** An engine opened on the folder lists `context`: the list, whether it was read back, and the full reading beside it. */
async function reopenAndList(layout: DataLayout, context = 'work') {
  const engine = await openEngine(layout);
  try {
    const list = await listCharts(engine, context);
    return { list, readBack: await listWasReadBack(engine, context), full: await fullReading(engine, context) };
  } finally {
    await engine.close();
  }
}

describe('the chart list saved at the close', () => {
  it('is read back by the next open instead of a pass over every record, and stays the full reading through every change after', async () => {
    const layout = tempLayout();
    const first = await openEngine(layout);
    const ids = await someCharts(first);
    const made = await listCharts(first, 'work');
    expect(await listWasReadBack(first, 'work')).toBe(false);
    await first.close();
    expect(fs.existsSync(cacheFile(layout, 'work'))).toBe(true);

    const engine = await openEngine(layout);
    const readBack = await listCharts(engine, 'work');
    expect(await listWasReadBack(engine, 'work')).toBe(true);
    expect(readBack).toEqual(made);
    expect(byId(readBack)).toEqual(byId(await fullReadingApart(layout, 'work')));

    // A change after the list was read back: the charts it touched are made again from the
    // counts saved with it, without a pass over every record (the chart heads stay unkept).
    await engine.transact('work', () => ({
      puts: [
        recordFromObject({ type: 'entity', name: `${ids[1]}_chart`, entityType: 'structural_tension_chart', observations: [], metadata: { chartId: ids[1], level: 0, dueDate: '2027-03-03', updatedAt: '2026-11-30T10:00:00.000Z' } }),
        recordFromObject({ type: 'entity', name: `${ids[1]}_action_1`, entityType: 'action_step', observations: ['done by hand'], metadata: { chartId: ids[1], completionStatus: true } }),
        recordFromObject({ type: 'entity', name: `${ids[0]}_action_8`, entityType: 'action_step', observations: ['another stray'], metadata: {} }),
      ],
      deletes: [],
    }));
    const changed = await listCharts(engine, 'work');
    expect(await listWasReadBack(engine, 'work')).toBe(true);
    expect(byId(changed)).toEqual(byId(await fullReadingApart(layout, 'work')));
    expect(changed.find((c) => c.id === ids[1])).toMatchObject({ dueDate: '2027-03-03', stepsDone: 1, stepsTotal: 1 });
    // A chart entity gone, its outcome left: the chart is still listed (the saved counts of chart
    // heads said it had two), now read in full.
    await engine.transact('work', () => ({ puts: [], deletes: [entityKey(`${ids[4]}_chart`)] }));
    const outcomeOnly = await listCharts(engine, 'work');
    expect(outcomeOnly.find((c) => c.id === ids[4])).toMatchObject({ desiredOutcome: 'Outcome 4' });
    expect(byId(outcomeOnly)).toEqual(byId(await fullReadingApart(layout, 'work')));

    // Every kind of change through the chart operations (which read the chart index themselves).
    const charts = new ChartService(engine);
    const random = seededRandom(7);
    const live = [...ids];
    for (let round = 0; round < 40; round += 1) {
      const id = live[Math.floor(random() * live.length)]!;
      const action = Math.floor(random() * 5);
      if (action === 0) live.push((await charts.create('work', { outcome: `New ${round}`, reality: 'r', steps: ['a', 'b'] })).id);
      else if (action === 1) await charts.addStep('work', id, { title: `step ${round}` }).catch(() => undefined);
      else if (action === 2) await charts.completeStep('work', `${id}_action_1`).catch(() => undefined);
      else if (action === 3 && live.length > 3) {
        await charts.removeChart('work', id).catch(() => undefined);
        live.splice(live.indexOf(id), 1);
      } else {
        await engine.transact('work', () => ({ puts: [recordFromObject({ type: 'entity', name: `${ids[0]}_action_${20 + round}`, entityType: 'action_step', observations: ['another stray'], metadata: {} })], deletes: [] }));
      }
      expect(byId(await listCharts(engine, 'work')), `round ${round}`).toEqual(byId(await fullReadingApart(layout, 'work')));
    }
    const atClose = await listCharts(engine, 'work');
    await engine.close();

    // Saved again at this close, for the file as rewritten: the next open reads that.
    expect(await reopenAndList(layout)).toMatchObject({ list: atClose, readBack: true });
  });

  it('is not read when the file changed since: another process wrote, or the journal holds commits the file lacks', async () => {
    const { layout } = await listedAndClosed();

    // A real CLI process adds a chart; its close rewrites the file, and it never listed.
    const cli = await exitOf(spawnCli(['chart', 'create', '--data', layout.root, '--context', 'work', '--outcome', 'From the CLI', '--reality', 'r']), 60_000);
    expect(cli?.code, cli?.stderr).toBe(0);
    const afterCli = await reopenAndList(layout);
    expect(afterCli.readBack).toBe(false);
    expect(afterCli.list.map((c) => c.desiredOutcome)).toContain('From the CLI');
    expect(byId(afterCli.list)).toEqual(byId(afterCli.full));

    // A process that committed and stopped before its rewrite: the file is the one the cache
    // was saved for, the journal's tail is not in it.
    const stopped = await openEngine(layout);
    await new ChartService(stopped).create('work', { outcome: 'In the journal only', reality: 'r' });
    // Not closed: no rewrite (rewriteDelayMs -1), and no lease holds the lock (lockLeaseMs 0).
    const withTail = await reopenAndList(layout);
    expect(withTail.readBack).toBe(false);
    expect(withTail.list.map((c) => c.desiredOutcome)).toContain('In the journal only');
    expect(byId(withTail.list)).toEqual(byId(withTail.full));
  });

  it('is saved for a rewrite another process made, once taken in: the app\'s next start reads it back', async () => {
    const layout = tempLayout();
    const app = await openEngine(layout);
    await someCharts(app);
    await listCharts(app, 'work');
    // A real CLI process adds a chart while the app is open; its close rewrites the file and journals the rewrite.
    const cli = await exitOf(spawnCli(['chart', 'create', '--data', layout.root, '--context', 'work', '--outcome', 'From the CLI', '--reality', 'r']), 60_000);
    expect(cli?.code, cli?.stderr).toBe(0);
    const fileByCli = fs.readFileSync(contextPaths(layout, 'work').file);
    // The app takes it in (as at any read for a write), has nothing of its own to rewrite, and closes.
    await app.transact('work', () => ({ puts: [], deletes: [] }));
    const atClose = await listCharts(app, 'work');
    expect(atClose.map((c) => c.desiredOutcome)).toContain('From the CLI');
    await app.close();
    expect(fs.readFileSync(contextPaths(layout, 'work').file).equals(fileByCli)).toBe(true); // the CLI's rewrite, not the app's
    const reopened = await reopenAndList(layout);
    expect(reopened).toMatchObject({ list: atClose, readBack: true });
    expect(byId(reopened.list)).toEqual(byId(reopened.full));

    // A damaged journal entry before such a rewrite's line: the app skips it, so its state lacks
    // what the file has; the next start must not show a list without it. (A damaged journal also
    // stops the app's writes, which saves no cache either: journalReplay.ts's own guard is a
    // second line, reached by the next test.)
    const again = await openEngine(layout);
    await listCharts(again, 'work');
    const second = await exitOf(spawnCli(['chart', 'create', '--data', layout.root, '--context', 'work', '--outcome', 'Second from the CLI', '--reality', 'r']), 60_000);
    expect(second?.code, second?.stderr).toBe(0);
    const journal = contextPaths(layout, 'work').journal;
    const lines = fs.readFileSync(journal, 'utf8').split('\n');
    const commit = lines.findLastIndex((line) => line.includes('Second from the CLI'));
    lines[commit] = `${lines[commit]!.slice(0, 40)}#damaged`;
    fs.writeFileSync(journal, lines.join('\n'));
    await again.transact('work', () => ({ puts: [], deletes: [] }));
    await listCharts(again, 'work');
    await again.close();
    const afterDamage = await reopenAndList(layout);
    expect(afterDamage.list.map((c) => c.desiredOutcome)).toContain('Second from the CLI');
    expect(byId(afterDamage.list)).toEqual(byId(afterDamage.full));
  });

  it("is not saved when catching up skipped an entry that did not fit, before another process's rewrite (journalReplay's guard): the next open lists the file's charts", async () => {
    const layout = tempLayout();
    const app = await openEngine(layout);
    const [id] = await someCharts(app);
    const outcome = entityKey(`${id}_desired_outcome`);
    // A long outcome, so that an edit of it is journaled as a splice of its line.
    const long = (words: string) => `${words} ${'and then some more words about it '.repeat(8)}`;
    await app.transact('work', () => ({ puts: [recordFromObject({ type: 'entity', name: `${id}_desired_outcome`, entityType: 'desired_outcome', observations: [long('As the app has it')], metadata: { chartId: id } })], deletes: [] }));
    await app.flush();
    await listCharts(app, 'work');
    const paths = contextPaths(layout, 'work');
    const asTheAppHasIt = await app.read('work', (state) => state.get(outcome)!.raw);
    // Another process's commit edits that outcome from a line the app does not hold (a splice
    // whose checksum then fails: the entry is skipped), and its rewrite holds the edit.
    const theirs = asTheAppHasIt.replace('As the app has it', 'As the other process has it');
    const splice = spliceBetween(asTheAppHasIt.replace('As the app has it', 'As someone else had it'), theirs);
    expect(splice, 'the edit is not journaled as a splice: the test would not reach the skipped entry').toBeDefined();
    const file = fs.readFileSync(paths.file, 'utf8').replace(asTheAppHasIt, theirs);
    fs.writeFileSync(`${paths.file}.other`, file);
    fs.renameSync(`${paths.file}.other`, paths.file);
    const seq = await app.read('work', (_state, store) => store.seq);
    fs.appendFileSync(paths.journal, encodeCommit({ seq: seq + 1, ts: new Date().toISOString(), tx: 'other-process', origin: 'cli' }, [{ change: { splice: ['entity', `${id}_desired_outcome`], ...splice! } }]));
    fs.appendFileSync(paths.journal, encodeSnapshot({ seq: seq + 2, ts: new Date().toISOString(), fileSize: Buffer.byteLength(file), fileCrc: crc32Hex(Buffer.from(file)) }));
    // The app catches up (as at any read for a write), lists, and closes.
    await app.transact('work', () => ({ puts: [], deletes: [] }));
    expect(await app.read('work', (_state, store) => store.findings.map((f) => f.kind))).toContain('journal-edit-mismatch');
    await listCharts(app, 'work');
    await app.close();
    const tagOfTheirFile = `${Buffer.byteLength(file)}:${crc32Hex(Buffer.from(file))}`;
    const saved = fs.existsSync(cacheFile(layout, 'work')) ? fs.readFileSync(cacheFile(layout, 'work'), 'utf8').split('\n')[0]! : '';
    expect(saved, 'a list saved as the other process\'s file, made from a state without its edit').not.toContain(tagOfTheirFile);
    // The next open does not take it either: it judges the file against the journal anew, and
    // the file's edit comes in as a recovery (checked: without the guard this still passes). The
    // guard keeps a list that is not the file's off the disk in the first place.
    const reopened = await reopenAndList(layout);
    expect(byId(reopened.list)).toEqual(byId(reopened.full));
  });

  it('is ignored when damaged, of another format or made for another file, and made anew', async () => {
    const { layout, made } = await listedAndClosed();
    const file = cacheFile(layout, 'work');
    const saved = fs.readFileSync(file, 'utf8');
    const [header, body] = [saved.slice(0, saved.indexOf('\n')), saved.slice(saved.indexOf('\n') + 1)];
    const { tag } = JSON.parse(header) as { tag: string };
    const damaged = [
      'not json at all',
      `${header}\n${body.slice(0, body.length / 2)}`,
      `${JSON.stringify({ format: 99, tag })}\n${body}`,
      `${JSON.stringify({ format: 1, tag: '12:00000000' })}\n${body}`,
      `${header}\n${body.replace('"ids":[', '"ids":[7,')}`,
      `${header}\n${JSON.stringify({ ...(JSON.parse(body) as object), level: [] })}`,
      `${header}\n${JSON.stringify({ ...(JSON.parse(body) as object), steps: ['x', 1] })}`,
      '',
    ];
    for (const text of damaged) {
      fs.writeFileSync(file, text);
      expect(await reopenAndList(layout), text.slice(0, 40)).toMatchObject({ list: made, readBack: false });
    }
    // The last close saved a good one again.
    expect(await reopenAndList(layout)).toMatchObject({ list: made, readBack: true });
  });

  it('read back under a context\'s new name shows that name', async () => {
    const { layout } = await listedAndClosed();
    // The context's files taken to a new name by hand, the cache with them.
    const from = contextPaths(layout, 'work');
    const to = contextPaths(layout, 'job');
    for (const key of ['file', 'journal', 'checkpoint', 'summaries'] as const) fs.renameSync(from[key], to[key]);
    const renamed = await reopenAndList(layout, 'job');
    expect(renamed.readBack).toBe(true);
    expect(renamed.list.every((c) => c.context === 'job')).toBe(true);
    expect(byId(renamed.list)).toEqual(byId(renamed.full));
  });

  it('failing to save (the disk full, permission denied) fails nothing else, and the next open makes the list anew (permission denied mocked: root ignores modes)', async () => {
    for (const errno of ['ENOSPC', 'EACCES'] as const) {
      const layout = tempLayout();
      const setup = await openEngine(layout);
      await someCharts(setup);
      await setup.close();
      const fsys = new FaultyFileSystem().arm({ nth: 1, mode: 'persist', path: /summaries\.cache\.json/, effect: { kind: 'errno', errno } });
      const engine = await openEngine(layout, { fs: fsys });
      const made = await listCharts(engine, 'work');
      await new ChartService(engine).create('work', { outcome: 'Written before the close', reality: 'r' });
      await engine.close();
      expect(fsys.hits, errno).toBeGreaterThan(0);
      const leftovers = fs.readdirSync(path.join(layout.root, '.history')).filter((name) => name.includes('summaries'));
      expect(leftovers, errno).toEqual([]);
      const next = await openEngine(layout);
      const list = await listCharts(next, 'work');
      expect(await listWasReadBack(next, 'work')).toBe(false);
      expect(list.length).toBe(made.length + 1);
      await next.close();
    }
  });

  it('failing to read (EIO) is only a list made anew (the error mocked through the seam)', async () => {
    const { layout, made } = await listedAndClosed();
    expect(fs.existsSync(cacheFile(layout, 'work'))).toBe(true);
    const fsys = new FaultyFileSystem().arm({ nth: 1, mode: 'persist', ops: ['readFileSync'], path: /summaries\.cache\.json$/, effect: { kind: 'errno', errno: 'EIO' } });
    const engine = await openEngine(layout, { fs: fsys });
    expect(await listCharts(engine, 'work')).toEqual(made);
    expect(fsys.hits).toBeGreaterThan(0);
    expect(await listWasReadBack(engine, 'work')).toBe(false);
    await engine.close();
  });

  it('is saved by a reader only in a folder that is ours (listWithoutLoading.test.ts), and goes with a deleted context', async () => {
    const layout = tempLayout();
    const engine = await openEngine(layout);
    await someCharts(engine);
    await engine.close();
    // Ours, but .history turned into a link: a reader writes nothing through it.
    const history = path.join(layout.root, '.history');
    fs.renameSync(history, `${history}.real`);
    fs.symlinkSync(`${history}.real`, history);
    const readOnly = await openEngine(layout, { readOnly: true });
    await listCharts(readOnly, 'work');
    await readOnly.close();
    expect(fs.existsSync(cacheFile(layout, 'work'))).toBe(false);
    fs.rmSync(history);
    fs.renameSync(`${history}.real`, history);

    const lister = await openEngine(layout);
    await listCharts(lister, 'work');
    await lister.close();
    expect(fs.existsSync(cacheFile(layout, 'work'))).toBe(true);
    const cli = await exitOf(spawnCli(['context', 'delete', 'work', '--data', layout.root]), 60_000);
    expect(cli?.code, cli?.stderr).toBe(0);
    expect(fs.existsSync(cacheFile(layout, 'work'))).toBe(false);
  });
});
