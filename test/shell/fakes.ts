// Fakes of the Electron objects the shell takes as parameters. Electron cannot run on these
// machines (its binary cannot be downloaded), so the shell's modules are tested under plain
// Node against these; main.ts passes the real objects, and tsc checks they fit the same types.
import { EventEmitter } from 'node:events';
import type { BrowserWindowLike, InvokeEventLike, IpcMainLike, NavigationDetails, PreventableEvent, SessionLike, WebContentsLike } from '../../electron/app/electronSurface.ts';
import type { ShellApp } from '../../electron/app/lifecycle.ts';
import type { MainWindowOptions } from '../../electron/app/mainWindow.ts';

let nextId = 1;

export class FakeEvent implements PreventableEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export class FakeNavigation extends FakeEvent implements NavigationDetails {
  constructor(readonly url: string) {
    super();
  }
}

export class FakeWebContents extends EventEmitter implements WebContentsLike {
  readonly id = nextId++;
  readonly sent: { channel: string; args: unknown[] }[] = [];
  windowOpenHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
  destroyed = false;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** What a navigation attempt does: returns true when it went ahead (nothing prevented it). */
  navigate(event: 'will-navigate' | 'will-frame-navigate' | 'will-redirect', url: string): boolean {
    const details = new FakeNavigation(url);
    this.emit(event, details);
    return !details.defaultPrevented;
  }
}

export class FakeBrowserWindow extends EventEmitter implements BrowserWindowLike {
  static created: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  readonly loaded: string[] = [];
  shown = false;
  focused = false;
  minimized = false;
  destroyed = false;
  constructor(readonly options: MainWindowOptions) {
    super();
    FakeBrowserWindow.created.push(this);
  }
  show(): void {
    this.shown = true;
  }
  focus(): void {
    this.focused = true;
  }
  restore(): void {
    this.minimized = false;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
  }
  close(): void {
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

export class FakeSession implements SessionLike {
  requestHandler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | undefined;
  checkHandler: ((webContents: unknown, permission: string) => boolean) | undefined;
  beforeRequest: ((details: { url: string }, callback: (response: { cancel?: boolean }) => void) => void) | undefined;
  spellChecker = true;
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void {
    this.requestHandler = handler;
  }
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void {
    this.checkHandler = handler;
  }
  setSpellCheckerEnabled(enable: boolean): void {
    this.spellChecker = enable;
  }
  readonly webRequest = {
    onBeforeRequest: (listener: (details: { url: string }, callback: (response: { cancel?: boolean }) => void) => void) => {
      this.beforeRequest = listener;
    },
  };
}

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What ipcRenderer.invoke from a page does: Electron rejects when no handler is registered. */
  async invoke(from: { id: number; url: string | null }, channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler({ sender: { id: from.id }, senderFrame: from.url === null ? null : { url: from.url } }, ...args);
  }
}

/** Electron's app: events, whenReady, and a quit that runs before-quit like the real one. */
export class FakeApp extends EventEmitter implements ShellApp {
  readyNow: () => void = () => undefined;
  private readonly readyPromise = new Promise<void>((resolve) => {
    this.readyNow = resolve;
  });
  quitCalls = 0;
  /** Set when a quit was not prevented: the app would exit here. */
  exited = false;
  singleInstance = true;
  sandboxEnabled = false;
  whenReady(): Promise<void> {
    return this.readyPromise;
  }
  quit(): void {
    this.quitCalls += 1;
    const event = new FakeEvent();
    this.emit('before-quit', event);
    if (!event.defaultPrevented) this.exited = true;
  }
  requestSingleInstanceLock(): boolean {
    return this.singleInstance;
  }
  enableSandbox(): void {
    this.sandboxEnabled = true;
  }
  getVersion(): string {
    return '0.1.0-test';
  }
}

/** ipcRenderer as the preload sees it. */
export class FakeIpcRenderer extends EventEmitter {
  readonly invoked: unknown[][] = [];
  answer: (channel: string, ...args: unknown[]) => Promise<unknown> = async () => ({ ok: true, value: 'answered' });
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push([channel, ...args]);
    return this.answer(channel, ...args);
  }
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
