import { describe, expect, it } from 'vitest';
import { openMainWindow, loadStartPage } from '../../electron/app/mainWindow.ts';
import { guardWebContents } from '../../electron/app/navigationGuard.ts';
import { applySessionPolicy, isAllowedRequestUrl } from '../../electron/app/sessionPolicy.ts';
import { CONTENT_SECURITY_POLICY } from '../../electron/app/contentSecurityPolicy.ts';
import { FakeBrowserWindow, FakeEvent, FakeSession, FakeWebContents } from './fakes.ts';

describe('the window (fake BrowserWindow: Electron cannot run here)', () => {
  it('is created isolated, sandboxed, without Node, with web security and nothing experimental', () => {
    const window = openMainWindow(FakeBrowserWindow, { preload: '/app/out/preload.cjs', devTools: false, backgroundColor: '#000000' });
    expect(window.options.webPreferences).toEqual({
      preload: '/app/out/preload.cjs',
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
      devTools: false,
    });
    expect(window.options.show).toBe(false);
  });

  it('shows itself at its first paint and loads only the app:// start page', async () => {
    const window = openMainWindow(FakeBrowserWindow, { preload: '/p.cjs', devTools: true, backgroundColor: '#fff' });
    expect(window.shown).toBe(false);
    window.emit('ready-to-show');
    await new Promise((resolve) => setImmediate(resolve));
    expect(window.shown).toBe(true);
    loadStartPage(window, () => undefined);
    expect(window.loaded).toEqual(['app://tension/index.html']);
  });

  it('waits to show itself for what it was told to wait for, and is never shown when that fails', async () => {
    let up!: () => void;
    const waited = openMainWindow(FakeBrowserWindow, { preload: '/p.cjs', devTools: false, backgroundColor: '#fff' }, new Promise<void>((resolve) => (up = resolve)));
    waited.emit('ready-to-show');
    await new Promise((resolve) => setImmediate(resolve));
    expect(waited.shown).toBe(false);
    up();
    await new Promise((resolve) => setImmediate(resolve));
    expect(waited.shown).toBe(true);

    const failed = openMainWindow(FakeBrowserWindow, { preload: '/p.cjs', devTools: false, backgroundColor: '#fff' }, Promise.reject(new Error('the engine could not start')));
    failed.emit('ready-to-show');
    await new Promise((resolve) => setImmediate(resolve));
    expect(failed.shown).toBe(false);
  });
});

describe('navigation guards (fake webContents)', () => {
  it('keep a page on app://tension: navigation, frame navigation and redirects elsewhere are prevented', () => {
    const contents = new FakeWebContents();
    const blocked: string[] = [];
    guardWebContents(contents, (what, url) => blocked.push(`${what} ${url}`));
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect'] as const) {
      expect(contents.navigate(event, 'https://example.com/'), event).toBe(false);
      expect(contents.navigate(event, 'file:///etc/passwd'), event).toBe(false);
      expect(contents.navigate(event, 'app://evil/'), event).toBe(false);
      expect(contents.navigate(event, 'app://tension/index.html'), event).toBe(true);
    }
    expect(blocked).toContain('navigation https://example.com/');
    expect(blocked).toContain('redirect file:///etc/passwd');
  });

  it('deny every new window and every <webview>', () => {
    const contents = new FakeWebContents();
    guardWebContents(contents);
    expect(contents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'app://tension/index.html' })).toEqual({ action: 'deny' });
    const webview = new FakeEvent();
    contents.emit('will-attach-webview', webview);
    expect(webview.defaultPrevented).toBe(true);
  });
});

describe('the session policy (fake session)', () => {
  it('grants no permission, checks none, and turns the dictionary-downloading spell checker off', () => {
    const session = new FakeSession();
    applySessionPolicy(session);
    for (const permission of ['media', 'notifications', 'clipboard-read', 'geolocation', 'openExternal', 'fullscreen']) {
      let granted: boolean | undefined;
      session.requestHandler?.(null, permission, (answer) => {
        granted = answer;
      });
      expect(granted, permission).toBe(false);
      expect(session.checkHandler?.(null, permission), permission).toBe(false);
    }
    expect(session.spellChecker).toBe(false);
  });

  it('cancels every request that leaves the app: no remote content, whatever the page asks for', () => {
    const session = new FakeSession();
    const blocked: string[] = [];
    applySessionPolicy(session, (url) => blocked.push(url));
    const cancelled = (url: string) => {
      let answer: { cancel?: boolean } | undefined;
      session.beforeRequest?.({ url }, (response) => {
        answer = response;
      });
      return answer?.cancel;
    };
    expect(cancelled('app://tension/assets/app.js')).toBe(false);
    expect(cancelled('data:image/png;base64,AAAA')).toBe(false);
    expect(cancelled('devtools://devtools/bundled/inspector.html')).toBe(false);
    for (const url of ['https://cdn.example.com/lib.js', 'http://127.0.0.1:5173/', 'ws://localhost:1/', 'file:///etc/passwd', 'app://elsewhere/x.js', 'nonsense']) {
      expect(cancelled(url), url).toBe(true);
    }
    expect(blocked).toContain('https://cdn.example.com/lib.js');
    expect(isAllowedRequestUrl('blob:app://tension/1234')).toBe(true);
  });
});

describe('the Content Security Policy', () => {
  it('denies by default and allows only the app itself: no inline or eval script, no remote hosts, no frames, no forms', () => {
    const directives = new Map(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    expect(directives.get('default-src')).toBe("'none'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('object-src')).toBe("'none'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(directives.get('base-uri')).toBe("'none'");
    expect(directives.get('form-action')).toBe("'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|https?:|\*|wasm-eval/);
  });

  it('is the same in the placeholder page as in the header the scheme sends', async () => {
    const fs = await import('node:fs');
    const html = fs.readFileSync(new URL('../../build/placeholder/index.html', import.meta.url), 'utf8');
    const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBe(CONTENT_SECURITY_POLICY);
    expect(html).not.toMatch(/<script>|<style|\sstyle=|\son[a-z]+=/i); // nothing inline: the CSP would refuse it
  });
});
