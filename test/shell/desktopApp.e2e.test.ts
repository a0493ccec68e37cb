// The desktop app in a real Electron, driven by Playwright: launched on a temporary data
// folder, it shows the app:// page, exposes only window.tension.invoke/on, refuses navigation,
// new windows and remote requests, pushes data.changed when another process writes, and has
// flushed everything to the context file when it has quit. Where no Electron binary exists
// (it cannot be downloaded on machines that reach only the npm registry) every test here is
// skipped, and the suite's name and a warning say so.
import fs from 'node:fs';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleElectron, projectRoot } from '../../build/bundle.ts';
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { findElectronBinary } from './electronBinary.ts';

const electron = findElectronBinary();
if (electron.reason) console.warn(`[desktop e2e] SKIPPED: ${electron.reason}`);

describe.skipIf(!electron.path)(`the desktop app in a real Electron${electron.reason ? ` (SKIPPED: ${electron.reason})` : ''}`, () => {
  let app: ElectronApplication;
  let page: Page;
  let data: string;

  beforeAll(async () => {
    await bundleElectron();
    data = path.join(tempDir('tension-e2e-'), '.coaia');
    const cli = await Engine.open({ layout: resolveLayout({ data }), origin: 'cli', rewriteDelayMs: -1 });
    await new ChartService(cli).create('work', { outcome: 'There before the app', reality: ['Seeded'], steps: [] });
    await cli.close();
    const rootOnly = process.getuid?.() === 0 ? ['--no-sandbox'] : []; // Chromium refuses root without it
    app = await _electron.launch({ executablePath: electron.path!, args: [projectRoot, '--data', data, ...rootOnly], cwd: projectRoot, timeout: 60_000 });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  }, 120_000);

  afterAll(async () => {
    await app?.close().catch(() => undefined);
    removeTempDirs();
  });

  it('shows the app page from app://tension/ with the CSP header', async () => {
    expect(page.url()).toBe('app://tension/index.html');
    expect(await page.title()).toBe('Tension Desk');
    const csp = await page.evaluate(async () => (await fetch('app://tension/index.html')).headers.get('content-security-policy'));
    expect(csp).toMatch(/^default-src 'none'; script-src 'self'/);
  });

  it('gives the page window.tension with invoke and on only, and no Node', async () => {
    const seen = await page.evaluate(() => ({
      keys: Object.keys((window as unknown as { tension: object }).tension).sort(),
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
    }));
    expect(seen).toEqual({ keys: ['invoke', 'on'], require: 'undefined', process: 'undefined' });
  });

  it('answers contract requests and refuses unknown channels', async () => {
    const results = await page.evaluate(async () => {
      const bridge = (window as unknown as { tension: { invoke(c: string, i: unknown): Promise<unknown> } }).tension;
      return {
        info: await bridge.invoke('app.info', {}),
        created: await bridge.invoke('charts.create', { context: 'work', outcome: 'Made in the window', reality: ['Started'] }),
        unknown: await bridge.invoke('fs.readFile', { path: '/etc/passwd' }),
      };
    });
    expect(results.info).toMatchObject({ ok: true, value: { root: data, source: '--data' } });
    expect(results.created).toMatchObject({ ok: true, value: { id: expect.stringMatching(/^chart_/) } });
    expect(results.unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
  });

  it('refuses navigation, new windows and remote requests', async () => {
    const opened = await page.evaluate(() => window.open('https://example.com/') === null);
    expect(opened).toBe(true);
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe('app://tension/index.html');
    const remote = await page.evaluate(async () => fetch('https://example.com/').then(() => 'fetched', () => 'refused'));
    expect(remote).toBe('refused');
    expect(app.windows()).toHaveLength(1);
  });

  it('pushes data.changed when another process writes to the data folder', async () => {
    await page.evaluate(() => {
      const w = window as unknown as { tension: { on(e: string, l: (p: unknown) => void): () => void }; changes: unknown[] };
      w.changes = [];
      w.tension.on('data.changed', (payload) => w.changes.push(payload));
    });
    const cli = await Engine.open({ layout: resolveLayout({ data }), origin: 'cli', rewriteDelayMs: -1 });
    await new ChartService(cli).create('work', { outcome: 'Written by the CLI', reality: ['Meanwhile'], steps: [] });
    await cli.close();
    await page.waitForFunction(() => (window as unknown as { changes: { context: string }[] }).changes.some((c) => c.context === 'work'), undefined, { timeout: 15_000 });
  });

  it('has written every change to the context file once it has quit', async () => {
    await app.close();
    const file = fs.readFileSync(path.join(data, 'charts-work.jsonl'), 'utf8');
    expect(file).toContain('Made in the window');
    expect(file).toContain('Written by the CLI');
  });
});
