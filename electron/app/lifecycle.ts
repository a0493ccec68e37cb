// The app's life, in order. Before ready: one instance only, every renderer sandboxed, the
// app:// scheme declared, every web contents guarded. At ready: the session locked down, the
// scheme served, the menu set, the IPC handler registered and the window loading while the
// engine's services start (in the app: in a worker thread of their own, engineWorkerClient.ts);
// the window's requests wait for them, and it is shown once they are up. At
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
import type { EventName, Events, IpcResult } from '../../shared/contract.ts';
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
  /** openMainWindow(BrowserWindow, …, showAfter) in the app: the window is shown once `showAfter` settles well. */
  readonly createWindow: (showAfter: Promise<unknown>) => W;
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
    if (phase === 'running' && windows.windows().length === 0) openWindow(Promise.resolve());
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

  function openWindow(showAfter: Promise<unknown>): W {
    const window = windows.add(deps.createWindow(showAfter));
    loadStartPage(window, (error) => log('The app page did not load.', error));
    return window;
  }

  async function startServices(): Promise<void> {
    await app.whenReady();
    applySessionPolicy(deps.session(), (url) => log(`Blocked a request to ${url}.`));
    deps.serveScheme(createAppProtocolHandler({ root: deps.contentRoot }));
    deps.setMenu(buildMenuTemplate({ platform: deps.platform, appName: deps.appName, devTools: deps.devTools }));
    const emit = <E extends EventName>(event: E, payload: Events[E]) => void broadcast(windows.windows(), event, payload);
    // The window loads while the engine starts (its page and the engine's open take about as
    // long, and the first screen waited for both in turn): its requests wait for the engine, and
    // it is shown only once the engine is up. Not after a quit that came before ready.
    const starting = (async () =>
      // The window's first screen is given from the last close's save while the contexts load (firstScreenFromSave.ts).
      givingFirstScreen(
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
      ))();
    if (phase === 'starting') {
      unregisterIpc = registerInvokeHandler(deps.ipcMain, windows.isOwnSender, waitingFor(starting));
      openWindow(starting);
    }
    try {
      host = await starting;
    } catch (error) {
      // Never shown (showAfter rejected): closed before the error is told.
      unregisterIpc?.();
      unregisterIpc = undefined;
      for (const window of windows.windows()) window.close();
      throw error;
    }
    if (phase === 'starting') phase = 'running'; // a quit that came meanwhile: shutdown closes it
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

/** Answers the window's requests once the engine is up; when it cannot start, each is answered with why. */
function waitingFor(engineUp: Promise<EngineHost>): Pick<EngineHost, 'handleForWindow'> {
  return {
    handleForWindow: (channel, input) =>
      engineUp.then(
        (host) => host.handleForWindow(channel, input),
        (error: unknown): IpcResult<unknown> => ({ ok: false, error: { code: 'IO_ERROR', message: `The data folder could not be opened: ${error instanceof Error ? error.message : String(error)}`, kept: 'Nothing was changed.' } }),
      ),
  };
}
