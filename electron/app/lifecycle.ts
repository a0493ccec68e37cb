// The app's life, in order. Before ready: one instance only, every renderer sandboxed, the
// app:// scheme declared, every web contents guarded. At ready: the session locked down, the
// scheme served, the menu set, the storage engine opened, the IPC handler registered, the
// window opened, live updates started. At quit: the quit is held (preventDefault) until IPC
// is unregistered, the watcher stopped and `engine.close()` has flushed every pending
// rewrite of the context files; then the app quits for real.
// Electron's objects come in as parameters (main.ts passes the real ones, tests pass fakes).
import { Engine, type EngineOptions } from '../core/engine.ts';
import { DataRootWatcher, type ContextChange, type WatcherOptions } from '../core/dataRootWatcher.ts';
import { startBackgroundWork, type BackgroundWork, type BackgroundWorkOptions } from './backgroundWork.ts';
import { createHandlerTable } from '../ipc/handlerTable.ts';
import { createAppProtocolHandler } from './appProtocol.ts';
import { appDataLayout, type DataLocationInput } from './dataLocation.ts';
import { checkDataFolder } from '../core/dataFolder.ts';
import { warmSearchIndexes } from '../core/searchWarmUp.ts';
import type { BrowserWindowLike, IpcMainLike, PreventableEvent, SessionLike, WebContentsLike } from './electronSurface.ts';
import { broadcast, registerInvokeHandler } from './ipcBridge.ts';
import type { EventName, Events } from '../../shared/contract.ts';
import { loadStartPage } from './mainWindow.ts';
import { buildMenuTemplate, type MenuItemTemplate } from './menuTemplate.ts';
import { guardWebContents } from './navigationGuard.ts';
import { applySessionPolicy } from './sessionPolicy.ts';
import { WindowRegistry } from './windowRegistry.ts';

export interface ShellApp {
  on(event: 'before-quit', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  on(event: 'activate', listener: () => void): unknown;
  on(event: 'second-instance', listener: () => void): unknown;
  on(event: 'web-contents-created', listener: (event: unknown, contents: WebContentsLike) => void): unknown;
  whenReady(): Promise<unknown>;
  quit(): void;
  requestSingleInstanceLock(): boolean;
  enableSandbox(): void;
  getVersion(): string;
}

export interface ShellDeps<W extends BrowserWindowLike> {
  readonly app: ShellApp;
  readonly platform: NodeJS.Platform;
  readonly appName: string;
  readonly devTools: boolean;
  /** protocol.registerSchemesAsPrivileged(APP_SCHEME_PRIVILEGES): must run before ready. */
  readonly registerSchemes: () => void;
  /** protocol.handle(APP_SCHEME, handler), after ready. */
  readonly serveScheme: (handler: (request: Request) => Promise<Response>) => void;
  /** The folder served as app://tension/ (see chooseContentRoot). */
  readonly contentRoot: string;
  /** session.defaultSession, available once the app is ready. */
  readonly session: () => SessionLike;
  readonly ipcMain: IpcMainLike;
  /** openMainWindow(BrowserWindow, …) in the app. */
  readonly createWindow: () => W;
  readonly setMenu: (template: MenuItemTemplate[]) => void;
  readonly dataLocation: DataLocationInput;
  /** Extra engine options (tests: the rewrite delay). */
  readonly engineOptions?: Partial<EngineOptions>;
  readonly watcherOptions?: WatcherOptions;
  /** The backup timer and the scheduled check (tests: their delays and timers). */
  readonly backgroundOptions?: BackgroundWorkOptions;
  /** A modal error for what the user must know (dialog.showErrorBox in the app). */
  readonly showError: (title: string, message: string) => void;
  readonly log: (message: string, error?: unknown) => void;
  /** process, so that SIGINT/SIGTERM quit through the same flush. */
  readonly signals?: { on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown };
}

export interface Shell<W extends BrowserWindowLike> {
  /** False when another instance already runs (this one quits at once). */
  readonly primary: boolean;
  /** Settles when startup is over (successfully or not); never rejects. */
  readonly ready: Promise<void>;
  readonly windows: WindowRegistry<W>;
  engine(): Engine | undefined;
  phase(): 'starting' | 'running' | 'closing' | 'closed';
}

export function startShell<W extends BrowserWindowLike>(deps: ShellDeps<W>): Shell<W> {
  const { app, log } = deps;
  const windows = new WindowRegistry<W>();
  let phase: 'starting' | 'running' | 'closing' | 'closed' = 'starting';
  let engine: Engine | undefined;
  let watcher: DataRootWatcher | undefined;
  let watcherStarted: Promise<void> = Promise.resolve();
  let unregisterIpc: (() => void) | undefined;
  let background: BackgroundWork | undefined;

  if (!app.requestSingleInstanceLock()) {
    // Another Tension Desk owns the data: it gets focus (second-instance), this one leaves.
    phase = 'closed';
    app.quit();
    return { primary: false, ready: Promise.resolve(), windows, engine: () => undefined, phase: () => phase };
  }

  app.enableSandbox();
  deps.registerSchemes();
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, (what, url) => log(`Blocked ${what}${url ? ` to ${url}` : ''}.`)));
  app.on('second-instance', () => {
    const [first] = windows.windows();
    if (!first) return;
    if (first.isMinimized()) first.restore();
    first.focus();
  });
  app.on('window-all-closed', () => {
    if (deps.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (phase === 'running' && windows.windows().length === 0) openWindow();
  });
  app.on('before-quit', (event) => {
    if (phase === 'closed') return; // shutdown finished: let this quit through
    event.preventDefault();
    if (phase === 'closing') return;
    phase = 'closing';
    void shutdown().finally(() => {
      phase = 'closed';
      app.quit();
    });
  });
  deps.signals?.on('SIGINT', () => app.quit());
  deps.signals?.on('SIGTERM', () => app.quit());

  function openWindow(): W {
    const window = windows.add(deps.createWindow());
    loadStartPage(window, (error) => log('The app page did not load.', error));
    return window;
  }

  function onChange(change: ContextChange): void {
    broadcast(windows.windows(), 'data.changed', { context: change.context, seq: change.seq, external: change.findings });
    background?.outsideChange(change.context);
    if (change.findings.length > 0 && engine) {
      engine.listContexts().then(
        (contexts) => {
          const summary = contexts.find((c) => c.context === change.context);
          if (summary) broadcast(windows.windows(), 'health.changed', { context: summary.context, health: summary.health, findings: summary.findings.map((f) => f.message) });
        },
        (error: unknown) => log(`Reading the health of context ${change.context} failed.`, error),
      );
    }
  }

  async function startServices(): Promise<void> {
    await app.whenReady();
    applySessionPolicy(deps.session(), (url) => log(`Blocked a request to ${url}.`));
    deps.serveScheme(createAppProtocolHandler({ root: deps.contentRoot }));
    deps.setMenu(buildMenuTemplate({ platform: deps.platform, appName: deps.appName, devTools: deps.devTools }));
    const layout = appDataLayout(deps.dataLocation);
    // A data folder that is a file, or where no folder can be made (/proc), is refused now.
    if (!deps.engineOptions?.fs) checkDataFolder(layout, { create: deps.engineOptions?.readOnly !== true });
    const opened = await Engine.open({
      layout,
      origin: 'app',
      onBackgroundError: (error) => log(`Writing a context file failed (every change is kept in the journal): ${error.message}`),
      ...deps.engineOptions,
    });
    engine = opened;
    if (phase !== 'starting') return; // a quit came while the engine was opening: shutdown closes it
    const emit = <E extends EventName>(event: E, payload: Events[E]) => void broadcast(windows.windows(), event, payload);
    // Backups on their schedule and the check of the data, from now until the quit.
    background = startBackgroundWork(opened, emit, log, deps.backgroundOptions);
    unregisterIpc = registerInvokeHandler(deps.ipcMain, createHandlerTable({ engine: opened, isOwnSender: windows.isOwnSender, version: app.getVersion(), emit, background }));
    openWindow();
    phase = 'running';
    watcher = new DataRootWatcher(opened, onChange, (error) => log('Live updates: a refresh failed.', error), deps.watcherOptions);
    watcherStarted = watcher.start().catch((error: unknown) => log('Live updates could not start; changes by other tools show after a restart.', error));
    // Then the search indexes, a slice at a time: the first search finds them ready.
    void watcherStarted
      .then(() => warmSearchIndexes(opened, { isStopped: () => phase !== 'running' }))
      .catch((error: unknown) => log('Preparing search failed; the first search prepares it instead.', error));
  }

  const ready = startServices().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    log('Startup failed.', error);
    deps.showError('Tension Desk could not start', `${message}\n\nNothing was changed. Check the data folder (--data DIR, TENSION_DATA) and start again.`);
    app.quit();
  });

  async function shutdown(): Promise<void> {
    await ready;
    unregisterIpc?.();
    await background?.stop().catch((error: unknown) => log('Stopping the backup timer failed.', error));
    await watcherStarted;
    await watcher?.stop().catch((error: unknown) => log('Stopping live updates failed.', error));
    if (!engine) return;
    try {
      await engine.close(); // flushes every pending rewrite of the context files
    } catch (error) {
      log('Closing the storage engine failed.', error);
      deps.showError(
        'Some context files could not be brought up to date',
        `${error instanceof Error ? error.message : String(error)}\n\nEvery acknowledged change is kept in the journal (.history/); the context files are brought up to date from it the next time Tension Desk, or a tension command that writes, opens them.`,
      );
    }
  }

  return { primary: true, ready, windows, engine: () => engine, phase: () => phase };
}
