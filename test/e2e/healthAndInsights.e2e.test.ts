// The health view, the insights view and a chart's progress page in a real Chromium, on the real
// handlers over the HTTP bridge, on a data folder whose journal was built with six weeks of
// history (charts by this app, the CLI and an assistant, steps completed, rewrites by another
// program, a chart gone quiet): the points each plot holds equal what `tension health --json`
// and `tension insights --json` print for the same data, and screenshots of each view, light
// and dark, go to test-output/screenshots/.
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { runCli } from '../helpers/runCli.ts';
import { JournalBuilder, chartRecords, realityEntity, set, stepEntity } from '../helpers/builtJournal.ts';
import type { HealthReport } from '../../shared/healthFigures.ts';
import type { ChartInsights, ContextInsights, Point } from '../../shared/insightFigures.ts';
import { startBridgeServer, type BridgeServer } from './bridgeServer.ts';
import { chromiumMissing, chromiumRequired, distDir, ensureRendererBuilt, launchChromium, screenshotPath } from './browser.ts';

if (chromiumMissing && chromiumRequired) {
  describe('health and insights in Chromium', () => {
    it('runs (TENSION_REQUIRE_E2E=1: a missing Chromium fails the run instead of skipping these tests)', () => {
      expect.fail(`${chromiumMissing}; TENSION_REQUIRE_E2E=1 (set by CI) does not let the browser tests be skipped`);
    });
  });
} else if (chromiumMissing) {
  console.warn(`[health and insights e2e] SKIPPED: ${chromiumMissing}`);
}

const DAY = 86_400_000;
/** An ISO time `days` before now, at `hour` UTC. */
const daysAgo = (days: number, hour = 10) => new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate(), hour) - days * DAY).toISOString();

interface Plotted {
  readonly label: string;
  readonly points: Point[];
}

/** Six weeks of a person's work, in a journal written line by line. */
function buildHistory(data: string): void {
  const layout = resolveLayout({ data });
  const work = new JournalBuilder(layout, 'work', daysAgo(45));
  work.commit(daysAgo(44), 'app', chartRecords('chart_quiet', 3).map(set));
  work.commit(daysAgo(43), 'app', [set(stepEntity('chart_quiet', 1, { completionStatus: true }))]);
  work.commit(daysAgo(20), 'cli', chartRecords('chart_billing', 2, { stepDue: daysAgo(10).slice(0, 10) }).map(set));
  work.commit(daysAgo(12), 'mcp', [set(realityEntity('chart_billing', ['3 pilots', 'an assistant added this']))], { note: 'MCP client claude-code 2.1.0' });
  work.commit(daysAgo(9), 'external', [set(realityEntity('chart_billing', ['3 pilots', 'a peer rewrote this']))], { fileDiffers: [] });
  work.commit(daysAgo(8), 'app', [set(stepEntity('chart_billing', 1, { completionStatus: true, dueDate: daysAgo(10).slice(0, 10) }))]);
  work.commit(daysAgo(5), 'app', chartRecords('chart_sub', 1, { parent: 'chart_billing', level: 1 }).map(set));
  work.commit(daysAgo(2), 'external', [set(realityEntity('chart_sub', ['rewritten by another tool']))], { fileDiffers: [] });
  work.commit(daysAgo(1), 'app', [set(stepEntity('chart_sub', 1, { completionStatus: true }))]);
  const home = new JournalBuilder(layout, 'home', daysAgo(30));
  home.commit(daysAgo(30), 'app', chartRecords('chart_garden', 2).map(set));
  home.commit(daysAgo(3), 'app', [set(stepEntity('chart_garden', 1, { completionStatus: true })), set(stepEntity('chart_garden', 2, { completionStatus: true }))]);
}

describe.skipIf(!!chromiumMissing)(`health and insights in Chromium${chromiumMissing ? ` (SKIPPED: ${chromiumMissing})` : ''}`, () => {
  let server: BridgeServer;
  let browser: Browser;
  let page: Page;
  let data: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureRendererBuilt();
    data = path.join(tempDir('tension-insights-e2e-'), '.coaia');
    buildHistory(data);
    // The context files, as Tension Desk writes them from the journals.
    const engine = await Engine.open({ layout: resolveLayout({ data }), origin: 'cli', rewriteDelayMs: -1, lockLeaseMs: 0 });
    for (const context of ['work', 'home']) await engine.read(context, () => undefined);
    await engine.close();
    server = await startBridgeServer({ data, distDir });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(`${server.url}/?bridge=/bridge`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.close().catch(() => undefined);
    removeTempDirs();
  });

  const views = () => page.getByRole('group', { name: 'Views' });
  /** The points a plot holds (uPlot's own data, as TimeSeriesPlot writes it on the figure). */
  async function plotted(id: string): Promise<Plotted[]> {
    const figure = page.locator(`#${id}`);
    await expect.poll(() => figure.getAttribute('data-plotted'), { timeout: 15_000 }).not.toBeNull();
    return JSON.parse((await figure.getAttribute('data-plotted')) as string) as Plotted[];
  }
  /** The colours each series was drawn in. */
  const colors = async (id: string) => JSON.parse((await page.locator(`#${id}`).getAttribute('data-colors')) ?? '[]') as string[];
  const themeColors = (names: string[]) => page.evaluate((list) => list.map((n) => getComputedStyle(document.documentElement).getPropertyValue(n).trim()), names);
  const cli = <T,>(args: string[]) => {
    const run = runCli([...args, '--data', data, '--json'], { env: { TZ: 'UTC' } });
    expect(run.status, run.stderr).toBe(0);
    return run.json<T>();
  };

  it('the insights view plots exactly what `tension insights --json` prints, light and dark', async () => {
    await views().getByRole('button', { name: 'Insights' }).click();
    const view = page.getByRole('region', { name: 'Insights' });
    await expect.poll(() => view.textContent(), { timeout: 15_000 }).toContain('Charts per week');
    const figures = cli<ContextInsights>(['insights']);
    const perWeek = await plotted('plot-charts-per-week');
    expect(perWeek).toEqual([
      { label: 'created', points: figures.createdPerWeek },
      { label: 'completed', points: figures.completedPerWeek },
      { label: 'telescoped', points: figures.telescopedPerWeek },
    ]);
    // What was built: four charts (one telescoped), two complete (the garden; the sub-chart's one step).
    expect(figures.createdPerWeek.reduce((s, p) => s + p.value, 0)).toBe(4);
    expect(figures.telescopedPerWeek.reduce((s, p) => s + p.value, 0)).toBe(1);
    expect(figures.completedPerWeek.reduce((s, p) => s + p.value, 0)).toBe(2);
    expect(await plotted('plot-steps-per-week')).toEqual([{ label: 'steps completed', points: figures.stepsCompletedPerWeek }]);
    expect(figures.stepsCompletedPerWeek.reduce((s, p) => s + p.value, 0)).toBe(5);
    expect(await plotted('plot-overdue')).toEqual([{ label: 'overdue', points: figures.overdueSteps.perWeek }]);
    expect(await plotted('plot-step-days')).toEqual([{ label: 'median days', points: [...figures.stepTimeToComplete.medianDaysPerWeek] }]);
    expect(figures.stalled.charts.map((c) => c.id)).toEqual(['chart_quiet']);
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await colors('plot-charts-per-week');
    expect(light).toEqual(await themeColors(['--accent', '--ok', '--warn']));
    await page.screenshot({ path: screenshotPath('insights-light'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    // Drawn again in the dark theme's colours, with the same points.
    await expect.poll(() => colors('plot-charts-per-week')).not.toEqual(light);
    expect(await colors('plot-charts-per-week')).toEqual(await themeColors(['--accent', '--ok', '--warn']));
    expect((await plotted('plot-charts-per-week'))[0]?.points).toEqual(figures.createdPerWeek);
    await page.screenshot({ path: screenshotPath('insights-dark'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('a stalled chart opens its progress page, whose steps plot equals `tension insights --chart`', async () => {
    await page.getByRole('button', { name: 'chart_quiet' }).click();
    const view = page.getByRole('region', { name: 'Progress of a chart' });
    await expect.poll(() => view.textContent(), { timeout: 15_000 }).toContain('1 of 3');
    const chart = cli<ChartInsights>(['insights', '--chart', 'chart_quiet']);
    expect(await plotted('plot-progress')).toEqual([
      { label: 'done', points: chart.progress.done },
      { label: 'in all', points: chart.progress.total },
    ]);
    expect(chart.progress.done.map((p) => p.value)).toEqual([0, 1, 1]);
    await page.screenshot({ path: screenshotPath('chart-progress-light'), fullPage: true });
  });

  it('the health view plots changes by origin, outside rewrites and space as `tension health --json` prints them, light and dark', async () => {
    // Tall enough for the whole view (it scrolls inside the window).
    await page.setViewportSize({ width: 1400, height: 1900 });
    await views().getByRole('button', { name: 'Health' }).click();
    const view = page.getByRole('region', { name: 'Health' });
    await expect.poll(() => view.textContent(), { timeout: 15_000 }).toContain('Changes per day, by who made them');
    const report = cli<HealthReport>(['health']);
    const byOrigin = await plotted('plot-changes-by-origin');
    expect(byOrigin).toEqual(report.activity.byOrigin.map((o) => ({ label: o.label, points: o.perDay })));
    expect(byOrigin.map((s) => s.label)).toEqual(['this app', 'the tension command', 'AI assistants (MCP)', 'another program rewriting the file']);
    expect(await plotted('plot-outside-rewrites')).toEqual([{ label: 'rewrites', points: report.activity.outsideRewritesPerDay }]);
    expect(report.activity.outsideRewrites).toBe(2);
    expect(await plotted('plot-space')).toEqual([
      { label: 'journals', points: report.capacity.growth.journalBytes },
      { label: 'context files', points: report.capacity.growth.contextFileBytes },
      { label: 'backups', points: report.capacity.growth.backupBytes },
    ]);
    expect(await view.textContent()).toContain('No backup yet');
    await page.screenshot({ path: screenshotPath('health-light'), fullPage: true });
    const light = await colors('plot-outside-rewrites');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(() => colors('plot-outside-rewrites')).not.toEqual(light);
    expect((await plotted('plot-outside-rewrites'))[0]?.points).toEqual(report.activity.outsideRewritesPerDay);
    await page.screenshot({ path: screenshotPath('health-dark'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    expect(pageErrors).toEqual([]);
  });
});
