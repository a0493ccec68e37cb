// The app's window. The options are written out where the window is constructed, so that a
// reader (and Electronegativity, which reads the source) sees every security setting in one
// place: an isolated, sandboxed renderer without Node, web security on, no webview, no
// insecure content, no experimental features, no auxclick, no drag-and-drop navigation.
// BrowserWindow is a parameter: main passes Electron's, the tests pass a fake.
import { START_URL } from './appScheme.ts';
import type { BrowserWindowLike } from './electronSurface.ts';

export interface MainWindowSettings {
  /** Absolute path of the bundled preload script (out/preload.cjs). */
  readonly preload: string;
  /** DevTools only in development; the packaged app has none. */
  readonly devTools: boolean;
  readonly backgroundColor: string;
}

export type BrowserWindowConstructor<W extends BrowserWindowLike> = new (options: MainWindowOptions) => W;

export interface MainWindowOptions {
  readonly width: number;
  readonly height: number;
  readonly minWidth: number;
  readonly minHeight: number;
  readonly title: string;
  readonly show: boolean;
  readonly backgroundColor: string;
  readonly webPreferences: {
    readonly preload: string;
    readonly contextIsolation: true;
    readonly sandbox: true;
    readonly nodeIntegration: false;
    readonly nodeIntegrationInWorker: false;
    readonly nodeIntegrationInSubFrames: false;
    readonly webSecurity: true;
    readonly allowRunningInsecureContent: false;
    readonly experimentalFeatures: false;
    readonly webviewTag: false;
    readonly navigateOnDragDrop: false;
    readonly safeDialogs: true;
    readonly spellcheck: false;
    readonly disableBlinkFeatures: string;
    readonly devTools: boolean;
  };
}

/**
 * Creates the window and loads the app's start page; shows it once its first paint is ready
 * and `showAfter` has settled well (the app's first window loads while the engine starts, and
 * is not shown at all when the engine cannot start: the error says why, and the app quits).
 */
export function openMainWindow<W extends BrowserWindowLike>(BrowserWindow: BrowserWindowConstructor<W>, settings: MainWindowSettings, showAfter: Promise<unknown> = Promise.resolve()): W {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    title: 'Tension Desk',
    show: false,
    backgroundColor: settings.backgroundColor,
    webPreferences: {
      // Reviewed for Electronegativity's PRELOAD_JS_CHECK (a manual-review item for any
      // preload): ours exposes only invoke/on for contract channels, see preloadBridge.ts and
      // test/shell/preloadBundle.test.ts. The marker below must stay on the `preload` line.
      preload: settings.preload, // eng-disable PRELOAD_JS_CHECK
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
      devTools: settings.devTools,
    },
  });
  window.once('ready-to-show', () => {
    showAfter.then(
      () => {
        if (!window.isDestroyed()) window.show();
      },
      () => undefined,
    );
  });
  return window;
}

/** Loads the start page; a failure to load is reported, not thrown into the void. */
export function loadStartPage(window: BrowserWindowLike, onError: (error: unknown) => void): void {
  window.loadURL(START_URL).catch(onError);
}
