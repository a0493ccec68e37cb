// Measures the chart list at scale, by hand: `npm run measure:list [-- 10000 100000]`.
// For each size it writes a data folder of that many charts (test/bench/chartGenerator.ts),
// starts the bridge server on it (the real handlers; the engine's first open of the folder
// is timed apart), opens the built renderer in Chromium and prints: time from page open to
// the first chart row on screen, and the DOM node count while scrolling the whole list. Then
// the app's restart: the server closed (the engine saves the chart list, derivedCache.ts) and
// started again on the same folder, and the time from page open to the first row again (the
// start the app usually has: the file is the one its last close wrote).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeChartFile } from '../bench/chartGenerator.ts';
import { startBridgeServer } from './bridgeServer.ts';
import type { Page } from 'playwright-core';
import { chromiumMissing, distDir, ensureRendererBuilt, launchChromium } from './browser.ts';

/** The first chart row on screen. */
const firstRow = (page: Page) => page.getByRole('list', { name: 'Chart list' }).getByRole('listitem').first().waitFor({ timeout: 600_000 });

/** A page opened on the server: ms from its open to the first chart row. */
async function openToFirstRow(page: Page, url: string): Promise<number> {
  const started = performance.now();
  await page.goto(`${url}/?bridge=/bridge`);
  await firstRow(page);
  return performance.now() - started;
}

/** The bridge server started on the folder (timed: the engine's open), Chromium, and a page opened to its first chart row (timed). */
async function startAndOpen(data: string) {
  const started = performance.now();
  const server = await startBridgeServer({ data, distDir, watcherPollMs: 60_000 });
  const engineMs = performance.now() - started;
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  return { server, browser, page, engineMs, firstListMs: await openToFirstRow(page, server.url) };
}

async function measure(charts: number): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tension-measure-'));
  const data = path.join(root, '.coaia');
  try {
    const generated = writeChartFile(path.join(data, 'charts-bulk.jsonl'), charts);
    const { server, browser, page, engineMs: engineOpenMs, firstListMs } = await startAndOpen(data);
    try {
      const t = performance.now();
      await page.reload();
      await firstRow(page);
      const secondListMs = performance.now() - t;
      const rows = await page.getByRole('list', { name: 'Chart list' }).getAttribute('aria-rowcount');
      // Scroll through the list in 20 jumps (and a few small steps), counting DOM nodes.
      const counts: number[] = [];
      const frameTimes: number[] = [];
      for (let i = 0; i <= 20; i += 1) {
        const { nodes, ms } = await page.evaluate(async (fraction) => {
          const list = document.querySelector('.virtual-list') as HTMLElement;
          const start = performance.now();
          list.scrollTop = fraction * (list.scrollHeight - list.clientHeight);
          list.dispatchEvent(new Event('scroll'));
          await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
          return { nodes: document.getElementsByTagName('*').length, ms: performance.now() - start };
        }, i / 20);
        counts.push(nodes);
        frameTimes.push(ms);
      }
      // An outside change: the CLI (a process of its own, as a person runs it) adds a chart; timed
      // from its exit (the change acknowledged) until the open list shows one more row. It goes
      // through live updates (the watcher, the renderer's short gathering of a burst) and
      // charts.changes (only what changed since the list held).
      const outside: number[] = [];
      const cli = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'out', 'cli', 'tension.mjs');
      for (let i = 0; i < 3; i += 1) {
        const before = Number(await page.getByRole('list', { name: 'Chart list' }).getAttribute('aria-rowcount'));
        // Not spawnSync: the bridge's engine runs in this process, and a blocked event loop could
        // neither hand the lock to the CLI nor keep its own lock fresh (the CLI then waited for
        // it to go stale, and the first change measured that).
        await promisify(execFile)(process.execPath, [cli, 'chart', 'create', '--data', data, '--context', 'bulk', '--outcome', `Outside change ${i}`, '--reality', 'Written by the CLI'], { encoding: 'utf8' });
        const acknowledged = performance.now();
        await page.waitForFunction((n) => Number(document.querySelector('[aria-label="Chart list"]')?.getAttribute('aria-rowcount')) > n, before, { timeout: 60_000, polling: 5 });
        outside.push(performance.now() - acknowledged);
      }
      console.log(
        JSON.stringify({
          charts,
          fileMB: +(generated.bytes / 1e6).toFixed(1),
          engineFirstOpenMs: Math.round(engineOpenMs),
          pageOpenToFirstChartListMs: Math.round(firstListMs),
          reloadToFirstChartListMs: Math.round(secondListMs),
          listRows: Number(rows),
          domNodesWhileScrolling: { min: Math.min(...counts), max: Math.max(...counts) },
          outsideChangeToListMs: outside.map(Math.round),
          scrollJumpToPaintMs: { median: Math.round(frameTimes.sort((a, b) => a - b)[10] ?? 0), max: Math.round(Math.max(...frameTimes)) },
        }),
      );
    } finally {
      await browser.close();
      await server.close();
    }
    const restart = await startAndOpen(data);
    console.log(JSON.stringify({ charts, afterRestart: { engineReopenMs: Math.round(restart.engineMs), pageOpenToFirstChartListMs: Math.round(restart.firstListMs) } }));
    await restart.browser.close();
    await restart.server.close();
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (chromiumMissing) {
  console.error(`Cannot measure: ${chromiumMissing}`);
  process.exit(1);
}
ensureRendererBuilt();
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
for (const size of sizes.length ? sizes : [10_000, 100_000]) await measure(size);
