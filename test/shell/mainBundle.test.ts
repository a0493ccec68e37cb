import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleElectron } from '../../build/bundle.ts';
import { CONTENT_SECURITY_POLICY } from '../../electron/app/contentSecurityPolicy.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterAll(removeTempDirs);

const here = path.dirname(fileURLToPath(import.meta.url));

describe('the bundled main process (out/main.cjs) on a fake electron module: Electron cannot run here', () => {
  it('wires the real modules to Electron: scheme before ready, sandbox, secure window with the bundled preload, IPC, menu, and a quit that flushes', async () => {
    const appRoot = tempDir('tension-approot-');
    await bundleElectron(path.join(appRoot, 'out'));
    const data = path.join(tempDir('tension-data-'), '.coaia');
    const tsx = path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'cli.mjs');
    const run = spawnSync(process.execPath, [tsx, path.join(here, 'fakeElectronHost.ts'), appRoot, data], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout.trim().split('\n').pop()!);

    expect(report.schemes).toEqual({ registered: [{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }], beforeReady: true, handled: ['app'] });
    expect(report.sandboxEnabled).toBe(true);
    expect(report.window.options.webPreferences).toMatchObject({ preload: path.join(appRoot, 'out', 'preload.cjs'), contextIsolation: true, sandbox: true, nodeIntegration: false, devTools: true });
    expect(fs.existsSync(report.window.options.webPreferences.preload)).toBe(true);
    expect(report.window.loaded).toEqual(['app://tension/index.html']);
    expect(report.window.shown).toBe(true);
    expect(report.menu.template.map((m: { label: string }) => m.label)).toContain('Edit');
    expect(report.session).toEqual({ spellChecker: false, permissions: true, requests: true });
    // The renderer is not built in this app root: the scheme serves the placeholder page.
    expect(report.page).toMatchObject({ status: 200, csp: CONTENT_SECURITY_POLICY });
    expect(report.page.body).toContain('The chart interface is not built yet');
    expect(report.created).toMatchObject({ ok: true, value: { id: expect.stringMatching(/^chart_/) } });
    expect(report.forbidden).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(report.preventedFirstQuit).toBe(true);
    expect(report.quitCalls).toBe(2);
    expect(report.handlersAfterQuit).toBe(0);
    expect(report.errorBox).toBeUndefined();
    expect(fs.readFileSync(path.join(data, 'charts-work.jsonl'), 'utf8')).toContain('Made through main.cjs');
  }, 120_000);
});
