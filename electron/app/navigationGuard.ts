// Every web contents the app creates stays on the app's own origin: a page may not navigate
// itself, a frame or a redirect anywhere else, may not open windows, and may not attach a
// <webview>. Applied from app.on('web-contents-created'), so no window escapes it.
import { isAppUrl } from './appScheme.ts';
import type { WebContentsLike } from './electronSurface.ts';

export interface GuardReport {
  (what: 'navigation' | 'frame-navigation' | 'redirect' | 'window-open' | 'webview', url: string): void;
}

export function guardWebContents(contents: WebContentsLike, report: GuardReport = () => undefined): void {
  contents.on('will-navigate', (details) => {
    if (!isAppUrl(details.url)) {
      details.preventDefault();
      report('navigation', details.url);
    }
  });
  contents.on('will-frame-navigate', (details) => {
    if (!isAppUrl(details.url)) {
      details.preventDefault();
      report('frame-navigation', details.url);
    }
  });
  contents.on('will-redirect', (details) => {
    if (!isAppUrl(details.url)) {
      details.preventDefault();
      report('redirect', details.url);
    }
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    report('webview', '');
  });
  // No new windows, ever: links that want one (target=_blank, window.open) go nowhere.
  contents.setWindowOpenHandler((details) => {
    report('window-open', details.url);
    return { action: 'deny' };
  });
}
