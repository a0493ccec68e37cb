// Measures the chart list at scale, by hand: `npm run measure:list [-- 10000 100000]`.
// For each size it writes a data folder of that many charts (test/bench/chartGenerator.ts),
// starts the app's own services on it in their worker thread (the engine's open is timed apart,
// and what follows it in the app runs as there) behind the browser bridge, opens the built renderer
// in Chromium as they start (as the app opens its window) and prints: time from
// page open (the page's navigation start) to the frame that paints the first chart row (its
// first rows come first, charts.firstRows) and to the one that paints the whole list's count,
// and the DOM node count while scrolling the whole list. Then the app's restart: the services
// closed and started again on the same folder, and both times again.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeChartFile } from '../bench/chartGenerator.ts';
import { serveBridge } from './bridgeServer.ts';
import { startEngineWorker } from '../../electron/app/engineWorkerClient.ts';
import { givingFirstScreen } from '../../electron/app/firstScreenFromSave.ts';
import { bundleElectron } from '../../build/bundle.ts';
import type { Page } from 'playwright-core';
import { chromiumMissing, distDir, ensureRendererBuilt, launchChromium } from './browser.ts';

/** The first chart row in the DOM (what the steps below wait for before they go on). */
const firstRow = (page: Page) => page.getByRole('list', { name: 'Chart list' }).getByRole('listitem').first().waitFor({ timeout: 600_000 });

/**
 * Marks the page's own times, from its navigation start, in the frame each is painted in (a
 * requestAnimationFrame after the DOM changed): `row`, the first chart row; `whole`, the whole
 * list held (its count no longer says that only the first rows are shown, ChartList.tsx);
 * `reading`, the measured bar that tells how far a long load of the file has read (data.loading;
 * the window's own waiting requests have bars without a measure).
 * Read in the page: Playwright's own wait for a row polls in the page's main thread, and while
 * that thread parses the whole list it saw a row shown at 470 ms only at 1,000 ms. As text:
 * tsx names the functions it compiles with a helper (__name) the page does not have.
 */
const MARK_LIST_TIMES = `(() => {
  const marks = {};
  window.listMarks = marks;
  const mark = (name) => {
    if (name in marks) return;
    marks[name] = Number.NaN;
    requestAnimationFrame(() => (marks[name] = Math.round(performance.now())));
  };
  new MutationObserver(() => {
    if (document.querySelector('[aria-label="Chart list"] [role="listitem"]')) mark('row');
    if (document.querySelector('progress[max][aria-label^="Reading "]')) mark('reading');
    const count = document.querySelector('[data-testid="list-count"]')?.textContent ?? '';
    const held = /^([\\d,]+) in /.exec(count);
    if (held && held[1] !== '0' && !count.includes('while the rest is read')) mark('whole');
  }).observe(document, { subtree: true, childList: true, characterData: true });
})();`;

/** The page's marks once both lists are painted: ms from its navigation start to its first row, to the whole list, and to the reading bar (undefined: not shown). */
async function listTimes(page: Page): Promise<{ firstRowMs: number; wholeListMs: number; readingBarMs: number | undefined }> {
  const handle = await page.waitForFunction(
    () => {
      const marks = (window as unknown as { listMarks?: Record<string, number> }).listMarks;
      return marks && Number.isFinite(marks.row) && Number.isFinite(marks.whole) ? marks : undefined;
    },
    undefined,
    { timeout: 600_000, polling: 20 },
  );
  const marks = (await handle.jsonValue()) as { row: number; whole: number; reading?: number };
  return { firstRowMs: marks.row, wholeListMs: marks.whole, readingBarMs: marks.reading };
}

/** A page opened on the server: ms from its open to the first chart row, and to the whole list held. */
async function openToFirstRow(page: Page, url: string): Promise<{ firstRowMs: number; wholeListMs: number; readingBarMs: number | undefined }> {
  await page.goto(`${url}/?bridge=/bridge`);
  return listTimes(page);
}

/**
 * The app's own services started on the folder as the app starts them: in a worker thread of
 * their own (engineWorkerClient.ts, running the bundled out/engineWorker.cjs built from this
 * checkout), where the open is followed by the chart lists made ready, live updates, the
 * backup timer and the check of the data, and the search indexes, all under way together. The
 * bridge serves the page from this thread, as the app's main process does. The page is opened
 * as the services start, as the app opens its window then (lifecycle.ts: its requests wait for
 * the services), and timed to its first chart row and to the whole list; beside them, the
 * engine's open and when live updates had started, counted from the start. Chromium is
 * launched first (its launch is not the app's).
 */
async function startAndOpen(data: string, workerScript: string) {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.addInitScript({ content: MARK_LIST_TIMES });
  const bridge = await serveBridge({ distDir, handle: async (channel, input) => (await services).handle(channel, input) });
  const started = performance.now();
  let engineMs = 0;
  // As the app's shell starts them (lifecycle.ts): the first screen saved at the last close
  // given meanwhile, and the window loading at once, its requests waiting for the services.
  const services = startEngineWorker(
    // No flags: as the app's main process starts it, not with the loader of tsx that runs this script.
    { script: workerScript, execArgv: [] },
    { dataLocation: { argv: ['--data', data], env: {}, cwd: os.tmpdir(), home: os.tmpdir() }, version: 'measure', watcherOptions: { pollMs: 60_000 } },
    { emit: (event, payload) => bridge.emit(event, payload), log: () => undefined },
  ).then((host) => {
    engineMs = performance.now() - started;
    return givingFirstScreen(host);
  });
  let liveUpdatesMs: number | undefined;
  void services.then((host) => host.watching.then(() => (liveUpdatesMs = performance.now() - started)));
  const pageOpenedAfterMs = performance.now() - started;
  const opened = await openToFirstRow(page, bridge.url);
  const host = await services;
  const server = {
    async close() {
      await bridge.close();
      await host.close();
    },
  };
  return { server, browser, page, engineMs, startToFirstRowMs: pageOpenedAfterMs + opened.firstRowMs, liveUpdatesAfterStartMs: () => liveUpdatesMs, ...opened };
}

/** Milliseconds, rounded; `otherwise` ('not yet') while the thing timed has not happened. */
const roundOrNot = (ms: number | undefined, otherwise = 'not yet') => (ms === undefined || !Number.isFinite(ms) ? otherwise : Math.round(ms));

async function measure(charts: number, workerScript: string): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tension-measure-'));
  const data = path.join(root, '.coaia');
  try {
    const generated = writeChartFile(path.join(data, 'charts-bulk.jsonl'), charts);
    const { server, browser, page, engineMs: engineOpenMs, startToFirstRowMs, liveUpdatesAfterStartMs, firstRowMs, wholeListMs, readingBarMs } = await startAndOpen(data, workerScript);
    try {
      await page.reload();
      const { firstRowMs: secondListMs, wholeListMs: secondWholeMs } = await listTimes(page);
      await firstRow(page);
      const rows = await page.getByRole('list', { name: 'Chart list' }).getAttribute('aria-rowcount');
      // Scroll through the list in 20 jumps (and a few small steps), counting DOM nodes: the
      // page's, and the list's own (its rows; the rest of the page does not scroll).
      const counts: number[] = [];
      const listCounts: number[] = [];
      const frameTimes: number[] = [];
      for (let i = 0; i <= 20; i += 1) {
        const { nodes, listNodes, ms } = await page.evaluate(async (fraction) => {
          const list = document.querySelector('.virtual-list') as HTMLElement;
          const start = performance.now();
          list.scrollTop = fraction * (list.scrollHeight - list.clientHeight);
          list.dispatchEvent(new Event('scroll'));
          await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
          return { nodes: document.getElementsByTagName('*').length, listNodes: list.getElementsByTagName('*').length, ms: performance.now() - start };
        }, i / 20);
        counts.push(nodes);
        listCounts.push(listNodes);
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
          liveUpdatesStartedAfterMs: roundOrNot(liveUpdatesAfterStartMs()),
          pageOpenToReadingBarMs: roundOrNot(readingBarMs, 'not shown'),
          pageOpenToFirstChartListMs: Math.round(firstRowMs),
          startToFirstChartListMs: Math.round(startToFirstRowMs),
          pageOpenToWholeListMs: Math.round(wholeListMs),
          reloadToFirstChartListMs: Math.round(secondListMs),
          reloadToWholeListMs: Math.round(secondWholeMs),
          listRows: Number(rows),
          domNodesWhileScrolling: { min: Math.min(...counts), max: Math.max(...counts), inTheList: { min: Math.min(...listCounts), max: Math.max(...listCounts) } },
          outsideChangeToListMs: outside.map(Math.round),
          scrollJumpToPaintMs: { median: Math.round(frameTimes.sort((a, b) => a - b)[10] ?? 0), max: Math.round(Math.max(...frameTimes)) },
        }),
      );
    } finally {
      await browser.close();
      await server.close();
    }
    const restart = await startAndOpen(data, workerScript);
    console.log(JSON.stringify({ charts, afterRestart: { engineReopenMs: Math.round(restart.engineMs), liveUpdatesStartedAfterMs: roundOrNot(restart.liveUpdatesAfterStartMs()), pageOpenToReadingBarMs: roundOrNot(restart.readingBarMs, 'not shown'), pageOpenToFirstChartListMs: Math.round(restart.firstRowMs), startToFirstChartListMs: Math.round(restart.startToFirstRowMs), pageOpenToWholeListMs: Math.round(restart.wholeListMs) } }));
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
// The engine's worker as the app runs it: bundled from this checkout into a folder of its own.
const bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tension-measure-bundle-'));
try {
  const { worker } = await bundleElectron(bundleDir);
  for (const size of sizes.length ? sizes : [10_000, 100_000]) await measure(size, worker);
} finally {
  fs.rmSync(bundleDir, { recursive: true, force: true });
}
