// The app's own origin. The renderer is served from app://tension/ (a privileged custom scheme
// backed by files on disk), never from http(s) or file://: one origin that no web page can
// share, that the CSP can name as 'self', and that the sender check can trust.

export const APP_SCHEME = 'app';
export const APP_HOST = 'tension';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const START_URL = `${APP_ORIGIN}/index.html`;

/**
 * What protocol.registerSchemesAsPrivileged gets, before the app is ready. `standard` gives
 * the scheme normal URL parsing and an origin; `secure` makes it a secure context;
 * `supportFetchAPI` lets the page fetch its own assets. Nothing else: no CORS bypass, no
 * service workers, no stream privileges.
 */
export const APP_SCHEME_PRIVILEGES = [
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
] as const;

/** True for URLs on the app's own origin (app://tension/…), and nothing else. */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false; // not a URL at all: certainly not ours
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
}
