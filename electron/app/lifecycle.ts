// The app's life, in order. Before ready: one instance only, every renderer sandboxed, the
// app:// scheme declared, every web contents guarded. At ready: the session locked down, the
// scheme served, the menu set, the engine's services started (in the app: in a worker thread
// of their own, engineWorkerClient.ts), the IPC handler registered, the window opened. At
// quit: the quit is held (preventDefault) until IPC is unregistered and the services have
// stopped their timers and live updates and flushed every pending rewrite of the context
// files; then the app quits for real.
// Electron's objects come in as parameters (main.ts passes the real ones, tests pass fakes).
// Nothing here imports the engine: the main thread only forwards to it (and, while the engine
// loads the contexts, gives the window the first screen saved at the last close).
import type { EngineOptions } from '../core/engine.ts';
import type { WatcherOptions } from '../core/dataRootWatcher.ts';
import type { BackgroundWorkOptions } from './backgroundWork.ts';
import type { EngineHost, EngineServicesConfig } from './engineServices.ts';
import type { EngineWorkerOutput } from './engineWorkerClient.ts';
import { createAppProtocolHandler } from './appProtocol.ts';
import { givingFirstScreen } from './firstScreenFromSave.ts';
import type { DataLocationInput } from './dataLocation.ts';
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
  /**
   * Starts the engine's services: startEngineWorker (a worker thread) in the app, either that or
   * startEngineServices (this thread) in tests. Rejects when the data folder cannot be opened.
   */
  readonly startEngine: (config: EngineServicesConfig, output: EngineWorkerOutput) => Promise<EngineHost>;
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
  /** The engine's services once started (the app: its worker thread). */
  host(): EngineHost | undefined;
  phase(): 'starting' | 'running' | 'closing' | 'closed';
}

export function startShell<W extends BrowserWindowLike>(deps: ShellDeps<W>): Shell<W> {
  const { app, log } = deps;
  const windows = new WindowRegistry<W>();
  let phase: 'starting' | 'running' | 'closing' | 'closed' = 'starting';
  let host: EngineHost | undefined;
  let unregisterIpc: (() => void) | undefined;

  if (!app.requestSingleInstanceLock()) {
    // Another Tension Desk owns the data: it gets focus (second-instance), this one leaves.
    phase = 'closed';
    app.quit();
    return { primary: false, ready: Promise.resolve(), windows, host: () => undefined, phase: () => phase };
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

  async function startServices(): Promise<void> {
    await app.whenReady();
    applySessionPolicy(deps.session(), (url) => log(`Blocked a request to ${url}.`));
    deps.serveScheme(createAppProtocolHandler({ root: deps.contentRoot }));
    deps.setMenu(buildMenuTemplate({ platform: deps.platform, appName: deps.appName, devTools: deps.devTools }));
    const emit = <E extends EventName>(event: E, payload: Events[E]) => void broadcast(windows.windows(), event, payload);
    // The window's first screen is given from the last close's save while the contexts load (firstScreenFromSave.ts).
    const started = givingFirstScreen(
      await deps.startEngine(
        {
          dataLocation: deps.dataLocation,
          version: app.getVersion(),
          ...(deps.engineOptions ? { engineOptions: deps.engineOptions } : {}),
          ...(deps.watcherOptions ? { watcherOptions: deps.watcherOptions } : {}),
          ...(deps.backgroundOptions ? { backgroundOptions: deps.backgroundOptions } : {}),
        },
        {
          emit,
          log,
          onCrash: (message) => {
            log(message);
            deps.showError('Tension Desk stopped working with your data', `${message}\n\nEvery change it acknowledged is kept in the journal (.history/); it is there when Tension Desk starts again.`);
            app.quit();
          },
        },
      ),
    );
    host = started;
    if (phase !== 'starting') return; // a quit came while the engine was opening: shutdown closes it
    unregisterIpc = registerInvokeHandler(deps.ipcMain, windows.isOwnSender, started);
    openWindow();
    phase = 'running';
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
    if (!host) return;
    try {
      await host.close(); // stops the timers and live updates, then flushes every pending rewrite
    } catch (error) {
      log('Closing the storage engine failed.', error);
      deps.showError(
        'Some context files could not be brought up to date',
        `${error instanceof Error ? error.message : String(error)}\n\nEvery acknowledged change is kept in the journal (.history/); the context files are brought up to date from it the next time Tension Desk, or a tension command that writes, opens them.`,
      );
    }
  }

  return { primary: true, ready, windows, host: () => host, phase: () => phase };
}
