import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startShell, type ShellDeps } from '../../electron/app/lifecycle.ts';
import { startEngineServices } from '../../electron/app/engineServices.ts';
import { startEngineWorker } from '../../electron/app/engineWorkerClient.ts';
import { tsEngineWorkerEntry } from '../helpers/engineWorkerEntry.ts';
import { openMainWindow } from '../../electron/app/mainWindow.ts';
import type { MenuItemTemplate } from '../../electron/app/menuTemplate.ts';
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { ANSWER_PART_CHANNEL, INVOKE_CHANNEL, eventChannel } from '../../shared/contract.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { FakeApp, FakeBrowserWindow, FakeIpcMain, FakeSession, FakeWebContents, waitFor } from './fakes.ts';

afterEach(removeTempDirs);

type StartEngine = ShellDeps<FakeBrowserWindow>['startEngine'];
/** The engine in a worker thread, as the app runs it; and in the test's own thread. */
const engineThreads: [string, StartEngine][] = [
  ['the engine in its worker thread, as in the app', (config, output) => startEngineWorker(tsEngineWorkerEntry, config, output)],
  ['the engine in the main thread', startEngineServices],
];

describe.each(engineThreads)('the app lifecycle (fake Electron app, real storage engine): %s', (_name, startEngine) => {

/** A shell on fakes of app, ipcMain, session and BrowserWindow (Electron cannot run here), with a real engine on a temp data root. */
function fakeShell(overrides: Partial<ShellDeps<FakeBrowserWindow>> = {}) {
  const data = path.join(tempDir('tension-shell-'), '.coaia');
  const app = new FakeApp();
  const ipcMain = new FakeIpcMain();
  const session = new FakeSession();
  const record = { schemes: 0, served: [] as ((request: Request) => Promise<Response>)[], menus: [] as MenuItemTemplate[][], errors: [] as string[], logs: [] as string[] };
  const shell = startShell<FakeBrowserWindow>({
    app,
    platform: 'linux',
    appName: 'Tension Desk',
    devTools: false,
    registerSchemes: () => {
      record.schemes += 1;
    },
    serveScheme: (handler) => record.served.push(handler),
    contentRoot: path.resolve('build/placeholder'),
    session: () => session,
    ipcMain,
    createWindow: (showAfter) => openMainWindow(FakeBrowserWindow, { preload: '/app/out/preload.cjs', devTools: false, backgroundColor: '#fff' }, showAfter),
    setMenu: (template) => record.menus.push(template),
    dataLocation: { argv: ['.', '--data', data, '--no-sandbox'], env: {}, cwd: process.cwd(), home: tempDir('tension-home-') },
    startEngine,
    engineOptions: { rewriteDelayMs: -1 },
    watcherOptions: { debounceMs: 10, pollMs: 100 },
    showError: (title, message) => record.errors.push(`${title}: ${message}`),
    log: (message) => record.logs.push(message),
    ...overrides,
  });
  return { app, ipcMain, session, shell, record, data };
}

const own = (window: FakeBrowserWindow) => ({ id: window.webContents.id, url: 'app://tension/index.html' });

  it('before ready: one instance, sandbox for every renderer, the scheme declared, no window yet', () => {
    const { app, shell, record, ipcMain } = fakeShell();
    expect(shell.primary).toBe(true);
    expect(app.sandboxEnabled).toBe(true);
    expect(record.schemes).toBe(1);
    expect(shell.windows.windows()).toEqual([]);
    expect(ipcMain.handlers.size).toBe(0);
    expect(shell.phase()).toBe('starting');
    app.readyNow();
    return shell.ready.then(() => app.quit());
  });

  it('at ready: session locked, scheme served, menu set, engine open, IPC registered, one window on app://tension', async () => {
    const { app, shell, record, session, ipcMain, data } = fakeShell();
    app.readyNow();
    await shell.ready;
    expect(shell.phase()).toBe('running');
    expect(session.spellChecker).toBe(false);
    expect(session.requestHandler).toBeDefined();
    expect(record.served).toHaveLength(1);
    expect(record.menus).toHaveLength(1);
    expect([...ipcMain.handlers.keys()]).toEqual([INVOKE_CHANNEL, ANSWER_PART_CHANNEL]);
    const [window] = shell.windows.windows();
    expect(window?.loaded).toEqual(['app://tension/index.html']);
    const page = await record.served[0]!(new Request('app://tension/index.html'));
    expect(await page.text()).toContain('Tension Desk');

    const info = await ipcMain.invoke(own(window!), INVOKE_CHANNEL, 'app.info', {});
    expect(info).toMatchObject({ ok: true, value: { root: data, source: '--data', version: '0.1.0-test' } });
    app.quit();
    await waitFor(() => app.exited, 'the quit');
  });

  it('guards every web contents the app creates, not only its own window', async () => {
    const { app, shell } = fakeShell();
    const devtools = new FakeWebContents();
    app.emit('web-contents-created', {}, devtools);
    expect(devtools.navigate('will-navigate', 'https://example.com/')).toBe(false);
    expect(devtools.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    app.readyNow();
    await shell.ready;
    app.quit();
    await waitFor(() => app.exited, 'the quit');
  });

  it('pushes data.changed to the window when another process (the CLI) writes to the data root', async () => {
    const { app, shell, data } = fakeShell();
    const cliWrites = async (outcome: string) => {
      const cli = await Engine.open({ layout: resolveLayout({ data }), origin: 'cli', rewriteDelayMs: -1 });
      await new ChartService(cli).create('work', { outcome, reality: ['Nothing yet'], steps: [] });
      await cli.close();
    };
    await cliWrites('There before the app started');
    app.readyNow();
    await shell.ready;
    const [window] = shell.windows.windows();
    await shell.host()!.watching; // the watcher knows the context
    await cliWrites('Written by the CLI while the app runs');
    await waitFor(() => window!.webContents.sent.some((m) => m.channel === eventChannel('data.changed')), 'data.changed');
    const message = window!.webContents.sent.find((m) => m.channel === eventChannel('data.changed'));
    expect(message?.args[0]).toMatchObject({ context: 'work', seq: expect.any(Number) });
    app.quit();
    await waitFor(() => app.exited, 'the quit');
  });

  it('holds the quit until the engine has flushed every pending write, then quits for real', async () => {
    const { app, shell, ipcMain, data } = fakeShell();
    app.readyNow();
    await shell.ready;
    const [window] = shell.windows.windows();
    const created = (await ipcMain.invoke(own(window!), INVOKE_CHANNEL, 'charts.create', { context: 'work', outcome: 'Kept at quit', reality: ['Pending rewrite'] })) as { ok: boolean; value: { id: string } };
    expect(created.ok).toBe(true);
    const contextFile = path.join(data, 'charts-work.jsonl');
    const before = fs.existsSync(contextFile) ? fs.readFileSync(contextFile, 'utf8') : '';
    expect(before).not.toContain('Kept at quit'); // in the journal only: the rewrite is pending

    app.quit();
    expect(app.exited).toBe(false); // before-quit was prevented…
    expect(shell.phase()).toBe('closing');
    app.quit(); // …and a second quit while closing changes nothing
    await waitFor(() => app.exited, 'the quit after the flush');
    expect(shell.phase()).toBe('closed');
    expect(fs.readFileSync(contextFile, 'utf8')).toContain('Kept at quit');
    expect(ipcMain.handlers.size).toBe(0);
    expect(await ipcMain.invoke(own(window!), INVOKE_CHANNEL, 'app.info', {}).catch((error: Error) => error.message)).toMatch(/No handler/);
  });

  it('quits when the last window closes, except on macOS', async () => {
    const linux = fakeShell();
    linux.app.readyNow();
    await linux.shell.ready;
    linux.shell.windows.windows()[0]!.close();
    linux.app.emit('window-all-closed');
    await waitFor(() => linux.app.exited, 'the quit on Linux');

    const mac = fakeShell({ platform: 'darwin' });
    mac.app.readyNow();
    await mac.shell.ready;
    mac.shell.windows.windows()[0]!.close();
    mac.app.emit('window-all-closed');
    expect(mac.app.quitCalls).toBe(0);
    mac.app.emit('activate'); // clicking the dock icon opens a new window
    expect(mac.shell.windows.windows()).toHaveLength(1);
    mac.app.quit();
    await waitFor(() => mac.app.exited, 'the quit on macOS');
  });

  it('focuses the existing window when a second instance starts, and a second instance leaves at once', async () => {
    const { app, shell } = fakeShell();
    app.readyNow();
    await shell.ready;
    const [window] = shell.windows.windows();
    window!.minimized = true;
    app.emit('second-instance');
    expect(window!.focused).toBe(true);
    expect(window!.minimized).toBe(false);
    app.quit();
    await waitFor(() => app.exited, 'the quit');

    const second = new FakeApp();
    second.singleInstance = false;
    const { shell: secondShell, record } = fakeShell({ app: second });
    expect(secondShell.primary).toBe(false);
    expect(second.exited).toBe(true);
    expect(record.schemes).toBe(0);
  });

  it('says why when the data folder cannot be opened, and quits without showing a window', async () => {
    const { app, shell, record, ipcMain } = fakeShell({ dataLocation: { argv: ['--memory-path', 'not-jsonl.txt'], env: {}, cwd: process.cwd(), home: '/nonexistent' } });
    app.readyNow();
    await shell.ready;
    expect(record.errors).toHaveLength(1);
    expect(record.errors[0]).toMatch(/could not start: A memory path must name a \.jsonl file/);
    // The window that loaded meanwhile is closed, never shown, and its handler gone.
    expect(shell.windows.windows()).toEqual([]);
    const window = FakeBrowserWindow.created.at(-1)!;
    window.emit('ready-to-show');
    await new Promise((resolve) => setImmediate(resolve));
    expect(window.destroyed).toBe(true);
    expect(window.shown).toBe(false);
    expect(ipcMain.handlers.size).toBe(0);
    await waitFor(() => app.exited, 'the quit');
  });

  it('loads the window while the engine starts: a request made meanwhile is answered once the engine is up, and the window is shown only then', async () => {
    let letStart!: () => void;
    const gate = new Promise<void>((resolve) => (letStart = resolve));
    const { app, shell, ipcMain } = fakeShell({ startEngine: async (config, output) => (await gate, startEngine(config, output)) });
    app.readyNow();
    await waitFor(() => shell.windows.windows().length === 1 && ipcMain.handlers.size === 2, 'the window and the IPC handler before the engine');
    const window = shell.windows.windows()[0]!;
    expect(window.loaded).toEqual(['app://tension/index.html']);
    window.emit('ready-to-show');
    let answered = false;
    const asked = ipcMain.invoke(own(window), INVOKE_CHANNEL, 'charts.create', { context: 'work', outcome: 'Asked while the engine started', reality: ['r'] }).then((answer) => {
      answered = true;
      return answer;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answered).toBe(false);
    expect(window.shown).toBe(false);
    expect(shell.phase()).toBe('starting');
    letStart();
    expect(await asked).toMatchObject({ ok: true });
    await shell.ready;
    expect(window.shown).toBe(true);
    expect(shell.phase()).toBe('running');
    const list = (await ipcMain.invoke(own(window), INVOKE_CHANNEL, 'charts.list', { context: 'work' })) as { ok: boolean; value: { desiredOutcome: string }[] };
    expect(list.value.map((c) => c.desiredOutcome)).toEqual(['Asked while the engine started']);
    app.quit();
    await waitFor(() => app.exited, 'the quit');
  });

  it('answers a request the window made while the engine was starting with why it could not start, and shows no window', async () => {
    let letFail!: () => void;
    const gate = new Promise<void>((resolve) => (letFail = resolve));
    const { app, shell, ipcMain, record } = fakeShell({
      startEngine: async () => {
        await gate;
        throw new Error('The data folder is on a disk that went away');
      },
    });
    app.readyNow();
    await waitFor(() => shell.windows.windows().length === 1 && ipcMain.handlers.size === 2, 'the window and the IPC handler before the engine');
    const window = shell.windows.windows()[0]!;
    window.emit('ready-to-show');
    const asked = ipcMain.invoke(own(window), INVOKE_CHANNEL, 'charts.list', {});
    letFail();
    expect(await asked).toMatchObject({ ok: false, error: { code: 'IO_ERROR', message: expect.stringContaining('could not be opened: The data folder is on a disk that went away') } });
    await shell.ready;
    expect(record.errors).toEqual([expect.stringContaining('could not start: The data folder is on a disk that went away')]);
    expect(window.shown).toBe(false);
    expect(window.destroyed).toBe(true);
    expect(ipcMain.handlers.size).toBe(0);
    await waitFor(() => app.exited, 'the quit');
  });

  it('a quit during startup closes the engine that was opening and opens no window', async () => {
    const { app, shell, ipcMain } = fakeShell();
    app.quit(); // before ready
    expect(app.exited).toBe(false);
    app.readyNow();
    await waitFor(() => app.exited, 'the quit');
    expect(shell.windows.windows()).toEqual([]);
    expect(ipcMain.handlers.size).toBe(0);
    expect(await shell.host()!.handle('charts.list', { context: 'work' })).toMatchObject({ ok: false }); // closed
  });
});
