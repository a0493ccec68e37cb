// The session every window uses: no permission is ever granted (camera, notifications,
// clipboard-read, geolocation…: the app needs none), nothing is fetched from outside the
// app's own origin (the CSP says so to the page; this says so to the network stack as well),
// and the spell checker, which downloads dictionaries, is off.
import { isAppUrl } from './appScheme.ts';
import type { SessionLike } from './electronSurface.ts';

/** Schemes a page of ours may load besides app://tension: inline data, its own blobs, devtools. */
const LOCAL_SCHEMES = new Set(['data:', 'blob:', 'devtools:', 'chrome-devtools:']);

export function isAllowedRequestUrl(url: string): boolean {
  if (isAppUrl(url)) return true;
  try {
    return LOCAL_SCHEMES.has(new URL(url).protocol);
  } catch {
    return false; // unparseable: refuse
  }
}

export function applySessionPolicy(session: SessionLike, report: (blockedUrl: string) => void = () => undefined): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setSpellCheckerEnabled(false);
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedRequestUrl(details.url);
    if (!allowed) report(details.url);
    callback({ cancel: !allowed });
  });
}
