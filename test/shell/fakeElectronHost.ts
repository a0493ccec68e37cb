// Runs the bundled main process (out/main.cjs) under plain Node with a fake 'electron'
// module, because no Electron binary can run here: it checks main.ts's wiring (which objects
// go where) the way the unit tests check the modules behind it. Drives one life of the app:
// ready, one request from the window, one page from the app:// scheme, quit. Prints a JSON
// report on stdout. Usage: tsx fakeElectronHost.ts APP_ROOT DATA_DIR
import { EventEmitter } from 'node:events';
import Module from 'node:module';
import path from 'node:path';
import { FakeApp, FakeBrowserWindow, FakeIpcMain, FakeSession, waitFor } from './fakes.ts';

const [appRoot, data] = process.argv.slice(2) as [string, string];
const events: string[] = [];

class HostApp extends FakeApp {
  readonly isPackaged = false;
  getAppPath(): string {
    return appRoot;
  }
  getPath(name: string): string {
    return name === 'home' ? path.join(data, '..', 'home') : path.join(data, '..', name);
  }
}

const app = new HostApp();
const ipcMain = new FakeIpcMain();
const session = new FakeSession();
const schemes: { registered: unknown[]; beforeReady: boolean; handlers: Map<string, (request: Request) => Promise<Response>> } = { registered: [], beforeReady: false, handlers: new Map() };
let ready = false;
let menu: unknown;
let errorBox: string | undefined;

const fakeElectron = {
  app,
  ipcMain,
  BrowserWindow: FakeBrowserWindow,
  Menu: {
    buildFromTemplate: (template: unknown) => ({ template }),
    setApplicationMenu: (built: unknown) => {
      menu = built;
    },
  },
  dialog: {
    showErrorBox: (title: string, message: string) => {
      errorBox = `${title}: ${message}`;
    },
  },
  nativeTheme: Object.assign(new EventEmitter(), { shouldUseDarkColors: false }),
  protocol: {
    registerSchemesAsPrivileged: (list: unknown[]) => {
      schemes.registered.push(...list);
      schemes.beforeReady = !ready;
    },
    handle: (scheme: string, handler: (request: Request) => Promise<Response>) => schemes.handlers.set(scheme, handler),
  },
  session: {
    get defaultSession() {
      return session;
    },
  },
};

// Answer require('electron') from the bundle with the fake.
const loader = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
const load = loader._load;
loader._load = function (request, parent, isMain) {
  if (request === 'electron') return fakeElectron;
  return load.call(this, request, parent, isMain);
};

async function main(): Promise<void> {
  process.argv = [process.execPath, appRoot, '--data', data];
  Module.createRequire(import.meta.url)(path.join(appRoot, 'out', 'main.cjs'));
  events.push('main loaded');
  ready = true;
  app.readyNow();
  await waitFor(() => FakeBrowserWindow.created.length > 0 && ipcMain.handlers.size > 0, 'the window and the IPC handler');
  const window = FakeBrowserWindow.created[0]!;
  window.emit('ready-to-show');
  const handler = schemes.handlers.get('app');
  const page = handler ? await handler(new Request('app://tension/index.html')) : undefined;
  const created = await ipcMain.invoke({ id: window.webContents.id, url: 'app://tension/index.html' }, 'tension:invoke', 'charts.create', { context: 'work', outcome: 'Made through main.cjs', reality: ['A fake Electron'] });
  const forbidden = await ipcMain.invoke({ id: window.webContents.id + 1000, url: 'app://tension/index.html' }, 'tension:invoke', 'app.info', {});
  app.quit();
  const preventedFirstQuit = !app.exited;
  await waitFor(() => app.exited, 'the quit');
  process.stdout.write(
    `${JSON.stringify({
      events,
      schemes: { registered: schemes.registered, beforeReady: schemes.beforeReady, handled: [...schemes.handlers.keys()] },
      sandboxEnabled: app.sandboxEnabled,
      window: { options: window.options, loaded: window.loaded, shown: window.shown },
      menu,
      page: page && { status: page.status, csp: page.headers.get('content-security-policy'), body: await page.text() },
      created,
      forbidden,
      preventedFirstQuit,
      quitCalls: app.quitCalls,
      handlersAfterQuit: ipcMain.handlers.size,
      errorBox,
      session: { spellChecker: session.spellChecker, permissions: session.requestHandler !== undefined, requests: session.beforeRequest !== undefined },
    })}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`fake electron host failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
