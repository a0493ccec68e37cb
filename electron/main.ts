// The Electron main process: wiring only. Every decision (window options, CSP, navigation
// guards, the sender check, the app:// file resolution, the menu, the order of startup and
// shutdown) lives in plain modules under electron/app/, tested under Node with fakes; this
// file hands them Electron's real objects. Only this file and preload.ts import 'electron'.
import path from 'node:path';
import { BrowserWindow, Menu, app, dialog, ipcMain, nativeTheme, protocol, session } from 'electron';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES } from './app/appScheme.ts';
import { chooseContentRoot } from './app/appProtocol.ts';
import { startShell } from './app/lifecycle.ts';
import { startEngineWorker } from './app/engineWorkerClient.ts';
import { openMainWindow } from './app/mainWindow.ts';

const appRoot = app.getAppPath();
const devTools = !app.isPackaged;

startShell({
  app,
  platform: process.platform,
  appName: 'Tension Desk',
  devTools,
  registerSchemes: () => protocol.registerSchemesAsPrivileged(APP_SCHEME_PRIVILEGES.map((s) => ({ scheme: s.scheme, privileges: { ...s.privileges } }))),
  serveScheme: (handler) => protocol.handle(APP_SCHEME, handler),
  contentRoot: chooseContentRoot(appRoot).root,
  session: () => session.defaultSession,
  ipcMain,
  createWindow: (showAfter) =>
    openMainWindow(
      BrowserWindow,
      {
        preload: path.join(appRoot, 'out', 'preload.cjs'),
        devTools,
        backgroundColor: nativeTheme.shouldUseDarkColors ? '#1d1f23' : '#f7f7f5',
      },
      showAfter,
    ),
  setMenu: (template) => Menu.setApplicationMenu(Menu.buildFromTemplate(template)),
  // The engine, its timers and live updates run in a worker thread (out/engineWorker.cjs): the
  // main thread, which moves the windows and answers the menus, never waits on a rewrite.
  startEngine: (config, output) => startEngineWorker({ script: path.join(appRoot, 'out', 'engineWorker.cjs') }, config, output),
  dataLocation: { argv: process.argv.slice(1), env: process.env, cwd: process.cwd(), home: app.getPath('home') },
  showError: (title, message) => dialog.showErrorBox(title, message),
  log: (message, error) => console.error(`[tension-desk] ${message}`, ...(error === undefined ? [] : [error])),
  signals: process,
});
