import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseContentRoot, createAppProtocolHandler, resolveAppPath } from '../../electron/app/appProtocol.ts';
import { APP_SCHEME_PRIVILEGES, START_URL, isAppUrl } from '../../electron/app/appScheme.ts';
import { CONTENT_SECURITY_POLICY } from '../../electron/app/contentSecurityPolicy.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

/** A content folder with a page, a script and an asset, and a secret file beside it. */
function site() {
  const base = tempDir('tension-scheme-');
  const root = path.join(base, 'dist');
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>app</title>');
  fs.writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(root, 'assets', 'logo.svg'), '<svg/>');
  fs.writeFileSync(path.join(base, 'secret.txt'), SECRET);
  return { base, root, handler: createAppProtocolHandler({ root }) };
}

const SECRET = 'the content of a file outside the app folder';
const get = (url: string) => ({ url, method: 'GET' });

describe('the app:// scheme', () => {
  it('is one origin, app://tension, registered standard and secure and nothing more', () => {
    expect(START_URL).toBe('app://tension/index.html');
    expect(APP_SCHEME_PRIVILEGES).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    expect(isAppUrl('app://tension/index.html')).toBe(true);
    expect(isAppUrl('app://tension/')).toBe(true);
    for (const other of ['app://tension.evil.example/', 'app://evil/', 'app://tension@evil/', 'app://user:pw@tension/', 'https://tension/', 'file:///etc/passwd', 'tension', '', 'javascript:alert(1)']) {
      expect(isAppUrl(other), other).toBe(false);
    }
  });

  it('serves the page, its scripts and assets with their types and the CSP on every response', async () => {
    const { handler } = site();
    const page = await handler(get('app://tension/index.html'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>app</title>');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const root = await handler(get('app://tension/'));
    expect(await root.text()).toContain('<title>app</title>');
    const script = await handler(get('app://tension/assets/app.js?v=1#x'));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await handler(get('app://tension/assets/logo.svg'))).headers.get('content-type')).toBe('image/svg+xml');
    const missing = await handler(get('app://tension/assets/missing.js'));
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('answers an in-app route (no extension) with index.html, and HEAD without a body', async () => {
    const { handler } = site();
    expect(await (await handler(get('app://tension/charts/chart_123'))).text()).toContain('<title>app</title>');
    const head = await handler({ url: 'app://tension/index.html', method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await handler({ url: 'app://tension/index.html', method: 'POST' })).status).toBe(405);
  });

  it('never reads a file outside the content folder, however the path is spelled', async () => {
    const { handler } = site();
    const attempts = [
      'app://tension/../secret.txt',
      'app://tension/assets/../../secret.txt',
      'app://tension/%2e%2e/secret.txt',
      'app://tension/%2E%2E%2Fsecret.txt',
      'app://tension/..%2fsecret.txt',
      'app://tension/..%5csecret.txt',
      'app://tension/assets%2f..%2f..%2fsecret.txt',
      'app://tension/%00/secret.txt',
      'app://tension/C:%5cWindows%5cwin.ini',
      'app://tension/.git/config',
      'app://tension/%E0%A4%A',
      'app://other/index.html',
      'app://tension@other/index.html',
      'file:///etc/passwd',
    ];
    for (const url of attempts) {
      const response = await handler(get(url));
      const body = await response.text();
      expect(body, url).not.toContain(SECRET);
      expect(response.status === 400 || response.status === 403 || response.status === 404, `${url} -> ${response.status}`).toBe(true);
    }
  });

  it('refuses a symlink inside the folder that points outside it', async () => {
    const { base, root, handler } = site();
    fs.symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'assets', 'link.txt'));
    fs.symlinkSync(base, path.join(root, 'up'));
    const viaFile = await handler(get('app://tension/assets/link.txt'));
    expect(viaFile.status).toBe(403);
    expect(await viaFile.text()).not.toContain(SECRET);
    const viaDir = await handler(get('app://tension/up/secret.txt'));
    expect(viaDir.status).toBe(403);
  });

  it('resolves paths lexically under the root and says why it refuses', () => {
    const root = path.resolve('/srv/app');
    expect(resolveAppPath('app://tension/a/b.js', root)).toEqual({ ok: true, file: path.join(root, 'a', 'b.js'), route: false });
    expect(resolveAppPath('app://tension/', root)).toEqual({ ok: true, file: path.join(root, 'index.html'), route: false });
    expect(resolveAppPath('app://tension/charts', root)).toMatchObject({ ok: true, route: true });
    // The URL parser already folds "..", "%2e%2e" and "." segments, never above the root…
    expect(resolveAppPath('app://tension/%2e%2e/x', root)).toEqual({ ok: true, file: path.join(root, 'x'), route: true });
    // …and what survives it as a decoded segment is refused.
    expect(resolveAppPath('app://tension/..%2fx', root)).toMatchObject({ ok: false, status: 403 });
    expect(resolveAppPath('app://tension/a%5c..%5c..%5cx', root)).toMatchObject({ ok: false, status: 403 });
    expect(resolveAppPath('app://tension/.env', root)).toMatchObject({ ok: false, status: 403 });
    expect(resolveAppPath('not a url', root)).toMatchObject({ ok: false, status: 400 });
  });

  it('serves the built renderer when renderer/dist exists, else the placeholder page the bundle step copies', () => {
    const appRoot = tempDir('tension-approot-');
    expect(chooseContentRoot(appRoot)).toEqual({ root: path.join(appRoot, 'out', 'placeholder'), kind: 'placeholder' });
    fs.mkdirSync(path.join(appRoot, 'renderer', 'dist'), { recursive: true });
    fs.writeFileSync(path.join(appRoot, 'renderer', 'dist', 'index.html'), '');
    expect(chooseContentRoot(appRoot)).toEqual({ root: path.join(appRoot, 'renderer', 'dist'), kind: 'renderer' });
  });
});
