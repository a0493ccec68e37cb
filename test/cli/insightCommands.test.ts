// `tension health` and `tension insights` in a real child process, on journals built for the
// purpose: the figures are the ones built, the same the app's views get (the in-process tracker
// with the same clock), time series as arrays of {date, value}; bad input is refused in plain
// words and changes nothing.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/runCli.ts';
import { openEngine, removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { folderSnapshot } from '../helpers/folderSnapshot.ts';
import { JournalBuilder, chartRecords, realityEntity, set, stepEntity } from '../helpers/builtJournal.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { InsightTracker } from '../../electron/core/insights/insightTracker.ts';
import type { ContextInsights, ChartInsights } from '../../shared/insightFigures.ts';
import type { HealthReport } from '../../shared/healthFigures.ts';

afterEach(removeTempDirs);

const NOW = '2026-03-27T12:00:00.000Z';
const env = { TZ: 'UTC' };

function builtRoot() {
  const data = path.join(tempDir(), '.coaia');
  const layout = resolveLayout({ data });
  const journal = new JournalBuilder(layout, 'work');
  journal.commit('2026-03-02T10:00:00.000Z', 'app', chartRecords('A', 2).map(set));
  journal.commit('2026-03-03T10:00:00.000Z', 'cli', chartRecords('B', 1, { stepDue: '2026-03-05' }).map(set));
  journal.commit('2026-03-04T10:00:00.000Z', 'app', [set(stepEntity('A', 1, { completionStatus: true }))]);
  journal.commit('2026-03-10T10:00:00.000Z', 'app', [set(stepEntity('A', 2, { completionStatus: true }))]);
  journal.commit('2026-03-21T10:00:00.000Z', 'external', [set(realityEntity('B', ['a peer wrote this']))], { fileDiffers: [] });
  return { data, layout, base: ['--data', data] };
}

describe('tension insights', () => {
  it('prints the weekly figures built, equal to what the app computes for the same moment', async () => {
    const { layout, base } = builtRoot();
    const run = runCli(['insights', ...base, '--context', 'work', '--now', NOW, '--json'], { env });
    expect(run.status, run.stderr).toBe(0);
    const figures = run.json<ContextInsights>();
    expect(figures.createdPerWeek.slice(0, 2)).toEqual([{ date: '2026-03-02', value: 2 }, { date: '2026-03-09', value: 0 }]);
    expect(figures.completedPerWeek.map((p) => p.value)).toEqual([0, 1, 0, 0]);
    expect(figures.stepsCompletedPerWeek.map((p) => p.value)).toEqual([1, 1, 0, 0]);
    expect(figures.stepTimeToComplete.medianDays).toBe(5);
    expect(figures.overdueSteps.now).toBe(1);
    expect(figures.stalled.charts.map((c) => c.id)).toEqual([]);

    const engine = await openEngine(layout);
    const inProcess = await new InsightTracker(engine, { clock: () => new Date(NOW) }).contextInsights({ context: 'work' });
    await engine.close();
    expect(figures).toEqual(JSON.parse(JSON.stringify(inProcess)));

    const text = runCli(['insights', ...base, '--context', 'work', '--now', NOW], { env });
    expect(text.stdout).toContain('charts: 2 (1 open, 1 complete)');
    expect(text.stdout).toContain("median days from a step's creation to its completion: 5 (2 steps)");
  });

  it('--chart prints a chart\'s progress; stalled charts follow --days', () => {
    const { base } = builtRoot();
    const page = runCli(['insights', ...base, '--chart', 'A', '--now', NOW, '--json'], { env });
    expect(page.status, page.stderr).toBe(0);
    const chart = page.json<ChartInsights>();
    expect(chart.progress.done).toEqual([{ date: '2026-03-02', value: 0 }, { date: '2026-03-04', value: 1 }, { date: '2026-03-10', value: 2 }, { date: '2026-03-27', value: 2 }]);
    expect(chart.complete).toBe(true);
    const stalled = runCli(['insights', ...base, '--days', '5', '--now', NOW, '--json'], { env }).json<ContextInsights>();
    expect(stalled.stalled).toMatchObject({ days: 5, count: 1, charts: [{ id: 'B', quietDays: 6 }] });
  });

  it('a chart no history holds, a bad --days or --now, or a bad context name is refused, and nothing changes', () => {
    const { data, base } = builtRoot();
    runCli(['insights', ...base, '--now', NOW, '--json'], { env }); // the rollup is written once
    const before = folderSnapshot(path.dirname(data));
    const cases: [string[], RegExp][] = [
      [['insights', ...base, '--chart', 'nowhere'], /No chart "nowhere" in the history of any context/],
      [['insights', ...base, '--days', '0'], /--days must be a whole number of at least 1/],
      [['insights', ...base, '--days', 'ten'], /--days must be a whole number/],
      [['insights', ...base, '--now', 'yesterday'], /--now must be a time/],
      [['insights', ...base, '--context', '../x'], /context/i],
      [['health', ...base, '--context', 'nope'], /No context "nope" in .* \(there are: work\)/],
    ];
    for (const [args, message] of cases) {
      const run = runCli(args, { env });
      expect(run.status, args.join(' ')).not.toBe(0);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
    expect(folderSnapshot(path.dirname(data))).toEqual(before);
  });
});

describe('tension health', () => {
  it('prints activity by origin, outside rewrites, space and notices as JSON', () => {
    const { data, base } = builtRoot();
    const run = runCli(['health', ...base, '--now', NOW, '--json'], { env });
    expect(run.status, run.stderr).toBe(0);
    const report = run.json<HealthReport>();
    expect(report.root).toBe(data);
    expect(report.days).toEqual({ from: '2026-02-26', to: '2026-03-27' });
    const app = report.activity.byOrigin.find((o) => o.origin === 'app')!;
    expect(app.perDay.filter((p) => p.value > 0)).toEqual([{ date: '2026-03-02', value: 1 }, { date: '2026-03-04', value: 1 }, { date: '2026-03-10', value: 1 }]);
    expect(report.activity.outsideRewritesPerDay.find((p) => p.date === '2026-03-21')?.value).toBe(1);
    expect(report.contexts.map((c) => [c.context, c.integrity.health, c.integrity.lastVerified?.by])).toEqual([['work', 'ok', 'open']]);
    expect(report.capacity.journalBytes).toBe(fs.statSync(path.join(data, '.history', 'charts-work.journal.jsonl')).size);
    expect(report.notices.map((n) => n.id)).toContain('backup-stale:none');
    const text = runCli(['health', ...base, '--now', NOW], { env }).stdout;
    expect(text).toContain('changes 2026-02-26 to 2026-03-27: 3 by this app, 1 by the tension command, 1 by another program rewriting the file; 1 rewrite by other programs');
    expect(text).toContain('warning: No backup yet.');
  });

  it('free-space --dry-run names what the policy would remove; free-space removes it', () => {
    const { base } = builtRoot();
    for (const day of ['2026-03-20', '2026-03-24', '2026-03-26']) expect(runCli(['backup', 'due', ...base, '--now', `${day}T03:00:00Z`], { env }).status).toBe(0);
    // A stricter policy set afterwards: the older backups are no longer kept, but stay until space is freed.
    expect(runCli(['backup', 'policy', ...base, '--keep-daily', '1', '--keep-weekly', '0', '--keep-monthly', '0'], { env }).status).toBe(0);
    const listed = () => runCli(['backup', 'list', ...base, '--json'], { env }).json<{ backups: { id: string }[] }>().backups.map((b) => b.id);
    const all = listed();
    const dry = runCli(['health', 'free-space', ...base, '--dry-run', '--json'], { env });
    expect(dry.status, dry.stderr).toBe(0);
    const plan = dry.json<{ remove: string[]; bytes: number }>();
    expect(plan.remove).toHaveLength(all.length - 1);
    expect(listed()).toEqual(all);
    const done = runCli(['health', 'free-space', ...base, '--json'], { env });
    expect(done.status, done.stderr).toBe(0);
    expect(done.json<{ removed: string[] }>().removed.sort()).toEqual([...plan.remove].sort());
    expect(listed()).toEqual(all.filter((id) => !plan.remove.includes(id)));
  });
});
