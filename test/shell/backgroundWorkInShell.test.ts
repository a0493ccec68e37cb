// The shell runs the backup timer and the check of the data from start to quit: a moment after
// start the due backup is taken and every window is told (backup.status), damage another program
// makes while the app runs is found after the change settles and told (health.changed), the
// backups panel sees the timer's state over IPC, and the quit waits for the timers to stop.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startShell } from '../../electron/app/lifecycle.ts';
import { startEngineWorker } from '../../electron/app/engineWorkerClient.ts';
import { tsEngineWorkerEntry } from '../helpers/engineWorkerEntry.ts';
import { openMainWindow } from '../../electron/app/mainWindow.ts';
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { INVOKE_CHANNEL, eventChannel } from '../../shared/contract.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { FakeApp, FakeBrowserWindow, FakeIpcMain, FakeSession, waitFor } from './fakes.ts';

afterEach(removeTempDirs);

describe('the shell runs backups and the check of the data while the app is open', () => {
  it('takes the due backup after the start delay, tells the windows, finds damage made while open, and stops at quit', async () => {
    const data = path.join(tempDir('tension-shell-bg-'), '.coaia');
    const seed = await Engine.open({ layout: resolveLayout({ data }), origin: 'cli', rewriteDelayMs: -1, lockLeaseMs: 0 });
    await new ChartService(seed).create('work', { outcome: 'Ship billing', reality: ['3 pilots'] });
    await seed.close();
    const app = new FakeApp();
    const ipcMain = new FakeIpcMain();
    const logs: string[] = [];
    const shell = startShell<FakeBrowserWindow>({
      app,
      platform: 'linux',
      appName: 'Tension Desk',
      devTools: false,
      registerSchemes: () => undefined,
      serveScheme: () => undefined,
      contentRoot: path.resolve('build/placeholder'),
      session: () => new FakeSession(),
      ipcMain,
      createWindow: (showAfter) => openMainWindow(FakeBrowserWindow, { preload: '/app/out/preload.cjs', devTools: false, backgroundColor: '#fff' }, showAfter),
      setMenu: () => undefined,
      dataLocation: { argv: ['.', '--data', data], env: {}, cwd: process.cwd(), home: tempDir('tension-home-') },
      // As the app runs it: the timers in the engine's worker thread, their events crossing to the windows.
      startEngine: (config, output) => startEngineWorker(tsEngineWorkerEntry, config, output),
      // No background rewrite: the damage stays on disk for the check to find.
      engineOptions: { rewriteDelayMs: -1 },
      watcherOptions: { debounceMs: 10, pollMs: 100 },
      backgroundOptions: { scheduler: { startDelayMs: 50 }, verification: { startDelayMs: 600_000, afterChangeMs: 100 } },
      showError: () => undefined,
      log: (message) => logs.push(message),
    });
    app.readyNow();
    await shell.ready;
    const [window] = shell.windows.windows();
    const sent = (event: string) => window!.webContents.sent.filter((s) => s.channel === eventChannel(event as never)).map((s) => s.args[0]);
    await waitFor(() => sent('backup.status').length > 0, 'the scheduled backup');
    expect(sent('backup.status')[0]).toMatchObject({ outcome: 'taken', lowDisk: false });
    const overview = (await ipcMain.invoke({ id: window!.webContents.id, url: 'app://tension/index.html' }, INVOKE_CHANNEL, 'backups.overview', {})) as { ok: boolean; value: { backups: unknown[]; scheduler?: { running: boolean; nextCheckAt?: string } } };
    expect(overview.value.backups).toHaveLength(1);
    expect(overview.value.scheduler).toMatchObject({ running: true });

    // Another program leaves garbage at the end of the file while the app runs (once live updates
    // have had their first look: damage already there at start is the first round's to find).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    fs.appendFileSync(path.join(data, 'charts-work.jsonl'), Buffer.from([0x00, 0xff, 0x0a]));
    // The check's own verdict (the file read through, as verify says it), not only the live update's note.
    const fromTheCheck = () => sent('health.changed').some((h) => (h as { findings: string[] }).findings.some((f) => /^charts-work\.jsonl: invalid UTF-8 at byte \d+$/.test(f)));
    await waitFor(fromTheCheck, 'the check after the change');

    app.quit();
    await waitFor(() => app.exited, 'the quit');
    expect(logs.filter((l) => !/Blocked/.test(l))).toEqual([]);
  }, 30_000);
});
