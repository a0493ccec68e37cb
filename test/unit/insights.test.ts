// The insights of a context, read from journals built for the purpose: every figure must equal
// what was built (charts created and completed on known days, steps completed after known
// times, gaps, growth, rewrites by origin), kept so by the incremental rollup, and a chart moved
// between contexts keeps one story.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { InsightTracker } from '../../electron/core/insights/insightTracker.ts';
import { columnRoom, readRows, rollupPaths } from '../../electron/core/insights/rollupFiles.ts';
import { realFileSystem } from '../../electron/core/fileSystem.ts';
import { FaultyFileSystem } from '../faults/faultyFileSystem.ts';
import { contextPaths } from '../../electron/core/dataRoot.ts';
import { sealLine } from '../../electron/core/journalFormat.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { JournalBuilder, chartRecords, realityEntity, set, stepEntity, chartEntity } from '../helpers/builtJournal.ts';

afterEach(removeTempDirs);

const NOW = new Date('2026-03-27T12:00:00.000Z'); // a Friday; its week starts Monday 2026-03-23
const values = (points: readonly { value: number }[]) => points.map((p) => p.value);
const dates = (points: readonly { date: string }[]) => points.map((p) => p.date);

/** Charts A, B (week of 2 March), C and D telescoped from A (week of 23 March); A's two steps done 2 and 8 days after creation. */
function buildWork(journal: JournalBuilder): void {
  for (const r of chartRecords('A', 2)) journal.commit('2026-03-02T10:00:00.000Z', 'app', [set(r)]);
  journal.commit('2026-03-03T10:00:00.000Z', 'cli', chartRecords('B', 1).map(set));
  journal.commit('2026-03-04T10:00:00.000Z', 'app', [set(stepEntity('A', 1, { completionStatus: true }))]);
  journal.commit('2026-03-10T10:00:00.000Z', 'app', [set(stepEntity('A', 2, { completionStatus: true }))]);
  // The week of 16 March: nothing at all (a gap is a zero, not a missing point).
  journal.commit('2026-03-25T09:00:00.000Z', 'mcp', chartRecords('C', 0).map(set), { note: 'MCP client claude-code 2.1.0' });
  journal.commit('2026-03-25T09:30:00.000Z', 'app', chartRecords('D', 1, { parent: 'A', level: 1 }).map(set));
}

async function tracker(layout = tempLayout()) {
  const engine = await openEngine(layout);
  return { engine, layout, insights: new InsightTracker(engine, { clock: () => NOW }) };
}

describe('insights from a journal built for the purpose', () => {
  it('charts created, completed and telescoped per week, steps completed and their median time, equal what was built', async () => {
    const { engine, layout, insights } = await tracker();
    buildWork(new JournalBuilder(layout, 'work'));
    const figures = await insights.contextInsights({ context: 'work', weeks: 4, stalledDays: 10 });
    expect(dates(figures.createdPerWeek)).toEqual(['2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23']);
    expect(values(figures.createdPerWeek)).toEqual([2, 0, 0, 2]);
    expect(values(figures.telescopedPerWeek)).toEqual([0, 0, 0, 1]);
    expect(values(figures.completedPerWeek)).toEqual([0, 1, 0, 0]);
    expect(values(figures.stepsCompletedPerWeek)).toEqual([1, 1, 0, 0]);
    expect(figures.stepTimeToComplete).toEqual({ medianDays: 5, completions: 2, medianDaysPerWeek: [{ date: '2026-03-02', value: 2 }, { date: '2026-03-09', value: 8 }] });
    expect(figures.charts).toEqual({ live: 4, open: 3, complete: 1 });
    expect(figures.steps).toEqual({ open: 2, done: 2 });
    // B has not changed since 3 March: quiet 24 days; C and D changed two days ago.
    expect(figures.stalled).toEqual({ days: 10, count: 1, charts: [{ id: 'B', context: 'work', lastChange: '2026-03-03T10:00:00.000Z', quietDays: 24 }] });
    expect(figures.telescoping).toEqual({ maxDepth: 1, byDepth: [{ depth: 0, charts: 3 }, { depth: 1, charts: 1 }], deepest: { id: 'D', context: 'work', depth: 1 } });
    expect(figures.unresolvedEdits).toBe(0);
    await engine.close();
  });

  it('changes per day by origin, MCP clients by name, outside rewrites and journal growth equal what was written', async () => {
    const { engine, layout, insights } = await tracker();
    const journal = new JournalBuilder(layout, 'work');
    buildWork(journal);
    journal.commit('2026-03-25T11:00:00.000Z', 'external', [set(realityEntity('C', ['edited by a peer']))], { note: 'another program', fileDiffers: [] });
    journal.commit('2026-03-25T11:05:00.000Z', 'external', [set(realityEntity('B', ['edited again']))], { fileDiffers: [] });
    journal.snapshot('2026-03-25T11:06:00.000Z', 4321);
    const { rollup } = await insights.refresh('work');
    const days = rollup.summary.days;
    expect(days['2026-03-02']?.commits).toEqual({ app: 5 });
    expect(days['2026-03-03']?.commits).toEqual({ cli: 1 });
    expect(days['2026-03-25']?.commits).toEqual({ mcp: 1, app: 1, external: 2 });
    expect(days['2026-03-25']?.clients).toEqual({ 'claude-code': 1 });
    expect(days['2026-03-25']?.rewrites).toBe(2);
    expect(days['2026-03-25']?.fileBytes).toBe(4321);
    expect(days['2026-03-16']).toBeUndefined();
    for (const [day, bytes] of journal.bytesByDay) expect(days[day]?.journalBytes).toBe(bytes);
    expect(rollup.summary.lastRewrite).toBe('2026-03-25T11:05:00.000Z');
    await engine.close();
  });

  it('overdue steps are counted from the day after their due date until they are done', async () => {
    const { engine, layout, insights } = await tracker();
    const journal = new JournalBuilder(layout, 'work');
    journal.commit('2026-03-03T08:00:00.000Z', 'app', chartRecords('late', 2, { stepDue: '2026-03-05' }).map(set));
    journal.commit('2026-03-18T08:00:00.000Z', 'app', [set(stepEntity('late', 1, { completionStatus: true, dueDate: '2026-03-05' }))]);
    const figures = await insights.contextInsights({ context: 'work', weeks: 4 });
    // Sundays 8, 15, 22 March and today: two overdue, two, one, one.
    expect(values(figures.overdueSteps.perWeek)).toEqual([2, 2, 1, 1]);
    expect(figures.overdueSteps.now).toBe(1);
    await engine.close();
  });

  it('a chart page: progress day by day, reality updates, due date moves and completion', async () => {
    const { engine, layout, insights } = await tracker();
    const journal = new JournalBuilder(layout, 'work');
    buildWork(journal);
    journal.commit('2026-03-12T10:00:00.000Z', 'app', [set(realityEntity('A', ['Where it stands', 'Completed: Step 1']))]);
    journal.commit('2026-03-13T10:00:00.000Z', 'app', [set(chartEntity('A', { dueDate: '2026-04-01' }))]);
    const page = await insights.chartInsights('A', { weeks: 4 });
    expect(page.context).toBe('work');
    expect(page.created).toBe('2026-03-02T10:00:00.000Z');
    expect(page.progress.done).toEqual([
      { date: '2026-03-02', value: 0 }, { date: '2026-03-04', value: 1 }, { date: '2026-03-10', value: 2 }, { date: '2026-03-27', value: 2 },
    ]);
    expect(values(page.progress.total)).toEqual([2, 2, 2, 2]);
    // A was built one record per commit: its reality arrived after the chart existed, which counts as an update.
    expect(page.realityUpdated).toEqual(['2026-03-02T10:00:00.000Z', '2026-03-12T10:00:00.000Z']);
    expect(page.dueDateMoves).toEqual([{ at: '2026-03-13T10:00:00.000Z', from: null, to: '2026-04-01' }]);
    expect(page.completions).toEqual([{ at: '2026-03-10T10:00:00.000Z', complete: true }]);
    expect(page.complete).toBe(true);
    // A's subtree: A and D telescoped from it; the two steps of A completed in the weeks shown.
    expect(page.subtree.charts).toBe(2);
    expect(page.subtree.depth).toBe(1);
    expect(values(page.subtree.stepsCompletedPerWeek)).toEqual([1, 1, 0, 0]);
    await expect(insights.chartInsights('nowhere')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await engine.close();
  });
});

describe('the rollup kept beside the journal', () => {
  it('read on after more was appended gives exactly the figures of a read from the first byte', async () => {
    const layout = tempLayout();
    const journal = new JournalBuilder(layout, 'work');
    for (const r of chartRecords('A', 2)) journal.commit('2026-03-02T10:00:00.000Z', 'app', [set(r)]);
    const first = await tracker(layout);
    const cold = await first.insights.refresh('work');
    expect(cold.rebuilt).toBe(true);
    await first.engine.close();
    const files = rollupPaths(contextPaths(layout, 'work').journal);
    expect(fs.existsSync(files.summary) && fs.existsSync(files.rows)).toBe(true);

    buildWork(journal); // A again (nothing new for it), then the rest
    const second = await tracker(layout);
    const warm = await second.insights.refresh('work');
    expect(warm.rebuilt).toBe(false);
    expect(warm.entries).toBe(10);
    const incremental = await second.insights.contextInsights({ context: 'work', weeks: 4 });
    await second.engine.close();

    fs.rmSync(files.summary);
    fs.rmSync(files.rows);
    const third = await tracker(layout);
    const fresh = await third.insights.refresh('work');
    expect(fresh.rebuilt).toBe(true);
    expect(await third.insights.contextInsights({ context: 'work', weeks: 4 })).toEqual(incremental);
    await third.engine.close();
  });

  it('a damaged rollup, or a journal rewritten under it, is made again from the journal', async () => {
    const layout = tempLayout();
    const journal = new JournalBuilder(layout, 'work');
    buildWork(journal);
    const first = await tracker(layout);
    const expected = await first.insights.contextInsights({ context: 'work', weeks: 4 });
    await first.insights.settled();
    await first.engine.close();
    const files = rollupPaths(contextPaths(layout, 'work').journal);
    const rows = fs.readFileSync(files.rows);
    rows[rows.length - 1] = (rows[rows.length - 1] as number) ^ 0xff;
    fs.writeFileSync(files.rows, rows);
    const second = await tracker(layout);
    const page = await second.insights.chartInsights('A', { weeks: 4 });
    expect(page.created).toBe('2026-03-02T10:00:00.000Z');
    expect(await second.insights.contextInsights({ context: 'work', weeks: 4 })).toEqual(expected);
    await second.engine.close();

    // The journal rewritten (its last line replaced by another of the same length, sealed again): the position no longer holds.
    const text = fs.readFileSync(journal.path, 'utf8').split('\n');
    const body = text[text.length - 2]!.replace('"app"', '"cli"').replace(/,"crc":"[0-9a-f]{8}"\}$/, '}');
    text[text.length - 2] = sealLine(body).trimEnd();
    fs.writeFileSync(journal.path, text.join('\n'));
    const third = await tracker(layout);
    const read = await third.insights.refresh('work');
    expect(read.rebuilt).toBe(true);
    expect(read.rollup.summary.days['2026-03-25']?.commits).toEqual({ mcp: 1, cli: 1 });
    expect(read.rollup.summary.damagedLines).toBe(0);
    await third.engine.close();
  });

  it('the figures are answered before the rollup is written, and it is written right after: the next process reads on from it', async () => {
    const layout = tempLayout();
    buildWork(new JournalBuilder(layout, 'work'));
    const first = await tracker(layout);
    const files = rollupPaths(contextPaths(layout, 'work').journal);
    const figures = await first.insights.contextInsights({ context: 'work', weeks: 4 });
    // Answered from the journal; the 31 MB (at 100k charts) of rows are not written yet.
    expect(fs.existsSync(files.rows)).toBe(false);
    await first.insights.settled();
    expect(fs.existsSync(files.summary) && fs.existsSync(files.rows)).toBe(true);
    expect(first.insights.cacheProblems.size).toBe(0);
    await first.engine.close();
    const next = await tracker(layout);
    const read = await next.insights.refresh('work');
    expect(read.rebuilt).toBe(false);
    expect(read.entries).toBe(0);
    expect(await next.insights.contextInsights({ context: 'work', weeks: 4 })).toEqual(figures);
    // A chart's page too answers first, and the rows it read are kept after.
    expect((await next.insights.chartInsights('A', { weeks: 4 })).created).toBe('2026-03-02T10:00:00.000Z');
    await next.insights.settled();
    await next.engine.close();
  });

  it('a read that fails keeps nothing of itself: the next starts from the disk, and its figures equal a rebuild (EIO mocked through the seam)', async () => {
    const layout = tempLayout();
    const journal = new JournalBuilder(layout, 'work');
    for (const r of chartRecords('A', 2)) journal.commit('2026-03-02T10:00:00.000Z', 'app', [set(r)]);
    const fsys = new FaultyFileSystem();
    const engine = await openEngine(layout, { fs: fsys });
    const app = new InsightTracker(engine, { clock: () => NOW, saveEveryMs: 3_600_000 });
    expect((await app.refresh('work')).saved).toBe(true);
    // Held in memory beyond the disk (not due to be written), then more appended.
    journal.commit('2026-03-03T10:00:00.000Z', 'cli', chartRecords('B', 1).map(set));
    expect((await app.refresh('work')).entries).toBe(1);
    journal.commit('2026-03-25T09:30:00.000Z', 'app', chartRecords('D', 1, { parent: 'A', level: 1 }).map(set));
    fsys.arm({ nth: 1, mode: 'once', ops: ['statSync'], path: /charts-work\.journal\.jsonl$/, effect: { kind: 'errno', errno: 'EIO' } });
    await expect(app.contextInsights({ context: 'work', weeks: 4 })).rejects.toThrow(/EIO/);
    fsys.disarm();
    // Read on from the rollup on disk: both commits since, not only the last.
    const again = await app.refresh('work');
    expect(again.entries).toBe(2);
    const figures = await app.contextInsights({ context: 'work', weeks: 4 });
    await app.settled();
    await engine.close();
    const files = rollupPaths(contextPaths(layout, 'work').journal);
    fs.rmSync(files.rows);
    fs.rmSync(files.summary);
    const cold = await tracker(layout);
    expect(await cold.insights.contextInsights({ context: 'work', weeks: 4 })).toEqual(figures);
    await cold.insights.settled();
    await cold.engine.close();
  });

  it('a rollup that cannot be written after the answer (disk full, permission denied) costs only the cache: the figures are right, the problem is kept, nothing is left behind (errors mocked through the seam)', async () => {
    for (const errno of ['ENOSPC', 'EACCES'] as const) {
      const layout = tempLayout();
      buildWork(new JournalBuilder(layout, 'work'));
      const fsys = new FaultyFileSystem().arm({ nth: 1, mode: 'persist', path: /\.insights\.(bin|json)/, effect: { kind: 'errno', errno } });
      const engine = await openEngine(layout, { fs: fsys });
      const failing = new InsightTracker(engine, { clock: () => NOW });
      const figures = await failing.contextInsights({ context: 'work', weeks: 4 });
      await failing.settled();
      expect(fsys.hits, errno).toBeGreaterThan(0);
      expect(failing.cacheProblems.get('work'), errno).toMatch(new RegExp(`could not be kept.*${errno}`));
      await engine.close();
      expect(fs.readdirSync(`${layout.root}/.history`).filter((name) => name.includes('insights')), errno).toEqual([]);
      const next = await tracker(layout);
      expect((await next.insights.refresh('work')).rebuilt, errno).toBe(true);
      expect(await next.insights.contextInsights({ context: 'work', weeks: 4 }), errno).toEqual(figures);
      await next.insights.settled();
      await next.engine.close();
    }
  });

  it('rows read back have room to grow: the next day of changes appends without copying a column (24 MB each at 100k charts)', async () => {
    const layout = tempLayout();
    buildWork(new JournalBuilder(layout, 'work'));
    const first = await tracker(layout);
    const { rollup } = await first.insights.refresh('work', true);
    await first.engine.close();
    const files = rollupPaths(contextPaths(layout, 'work').journal);
    const read = readRows(realFileSystem, files, rollup.summary);
    expect(read?.events).toBe(rollup.state?.events);
    const log = read!.column('evKind');
    const before = log.values().buffer;
    for (let i = 0; i < 1_000; i += 1) log.push(i);
    expect(log.values().buffer).toBe(before);
    expect(log.length).toBe(rollup.state!.events + 1_000);
    expect(before.byteLength).toBe(4 * (rollup.state!.events + columnRoom(rollup.state!.events)));
  });

  it('in the running app the rollup is written at most every so often; what was held back is read again by the next process', async () => {
    const layout = tempLayout();
    const journal = new JournalBuilder(layout, 'work');
    for (const r of chartRecords('A', 2)) journal.commit('2026-03-02T10:00:00.000Z', 'app', [set(r)]);
    const engine = await openEngine(layout);
    const app = new InsightTracker(engine, { clock: () => NOW, saveEveryMs: 3_600_000 });
    expect((await app.refresh('work')).saved).toBe(true); // the first read is always kept
    const files = rollupPaths(contextPaths(layout, 'work').journal);
    const onDisk = fs.readFileSync(files.summary, 'utf8');
    buildWork(journal);
    const held = await app.refresh('work');
    expect(held.saved).toBe(false);
    expect(held.entries).toBe(10);
    expect(fs.readFileSync(files.summary, 'utf8')).toBe(onDisk);
    const figures = await app.contextInsights({ context: 'work', weeks: 4 });
    expect(figures.charts.live).toBe(4);
    // Another process reads on from what was written: the same figures.
    const other = await tracker(layout);
    const read = await other.insights.refresh('work');
    expect(read.entries).toBe(10);
    expect(await other.insights.contextInsights({ context: 'work', weeks: 4 })).toEqual(figures);
    await other.engine.close();
    await engine.close();
  });

  it('a summary file that is not JSON, or names another context, is ignored and made again', async () => {
    const layout = tempLayout();
    buildWork(new JournalBuilder(layout, 'work'));
    const files = rollupPaths(contextPaths(layout, 'work').journal);
    for (const bad of ['{not json', JSON.stringify({ format: 1, context: 'other' })]) {
      const t = await tracker(layout);
      await t.insights.refresh('work');
      fs.writeFileSync(files.summary, bad);
      const again = await tracker(layout);
      const read = await again.insights.refresh('work');
      expect(read.rebuilt).toBe(true);
      expect(read.rollup.summary.charts).toEqual({ live: 4, open: 3, complete: 1 });
      await t.engine.close();
      await again.engine.close();
    }
  });
});

describe('a chart moved between contexts', () => {
  it('is created once across all contexts, and its page tells one story with the move in it', async () => {
    const layout = tempLayout();
    let tick = Date.parse('2026-03-02T09:00:00.000Z');
    const clock = () => new Date(tick);
    const engine = await openEngine(layout, { clock });
    const charts = new ChartService(engine, clock);
    const { id } = await charts.create('work', { outcome: 'Ship it', reality: 'Nothing yet', steps: ['one', 'two'] });
    tick = Date.parse('2026-03-04T09:00:00.000Z');
    await charts.completeStep('work', `${id}_action_1`);
    tick = Date.parse('2026-03-11T09:00:00.000Z');
    await charts.move('work', id, 'home');
    tick = Date.parse('2026-03-12T09:00:00.000Z');
    await charts.completeStep('home', `${id}_action_2`);
    await engine.flush();

    const insights = new InsightTracker(engine, { clock: () => NOW });
    const all = await insights.contextInsights({ weeks: 4 });
    expect(all.contexts).toEqual(['home', 'work']);
    expect(values(all.createdPerWeek)).toEqual([1, 0, 0, 0]);
    expect(values(all.stepsCompletedPerWeek)).toEqual([1, 1, 0, 0]);
    expect(values(all.completedPerWeek)).toEqual([0, 1, 0, 0]);
    expect(all.charts).toEqual({ live: 1, open: 0, complete: 1 });
    // Each context on its own: work made it and saw one step done; home finished it.
    const work = await insights.contextInsights({ context: 'work', weeks: 4 });
    expect(work.charts.live).toBe(0);
    expect(values(work.createdPerWeek)).toEqual([1, 0, 0, 0]);
    const home = await insights.contextInsights({ context: 'home', weeks: 4 });
    // Home's weeks start with its first: the week the chart moved in.
    expect(dates(home.createdPerWeek)).toEqual(['2026-03-09', '2026-03-16', '2026-03-23']);
    expect(values(home.createdPerWeek)).toEqual([0, 0, 0]);
    expect(values(home.completedPerWeek)).toEqual([1, 0, 0]);

    const page = await insights.chartInsights(id, { weeks: 4 });
    expect(page.context).toBe('home');
    expect(page.moves).toEqual([{ at: '2026-03-11T09:00:00.000Z', from: 'work', to: 'home' }]);
    expect(page.created).toBe('2026-03-02T09:00:00.000Z');
    expect(page.progress.done).toEqual([
      { date: '2026-03-02', value: 0 }, { date: '2026-03-04', value: 1 }, { date: '2026-03-11', value: 1 }, { date: '2026-03-12', value: 2 }, { date: '2026-03-27', value: 2 },
    ]);
    expect(values(page.progress.total)).toEqual([2, 2, 2, 2, 2]);
    expect(page.subtree.stepTimeToComplete.completions).toBe(2);
    expect(page.subtree.stepTimeToComplete.medianDays).toBe(6); // 2 days and 10 days
    await engine.close();
  });
});
