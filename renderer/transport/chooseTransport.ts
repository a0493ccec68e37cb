// Which transport this page uses: preload's window.tension in the app. Only in the
// browser-test build (renderer.vite.config.ts, --mode bridge): otherwise the HTTP bridge named
// by ?bridge=<url> or by a global the page sets. In the app's build HTTP_BRIDGE is the
// constant false, so the bridge transport is not in the bundle at all.
import type { Transport } from './transport.ts';
import { electronTransport } from './electronTransport.ts';
import { bridgeTransport } from './bridgeTransport.ts';

declare global {
  interface Window {
    tension?: Transport;
    __TENSION_BRIDGE_URL__?: string;
  }
}

/** Replaced at build time (define); absent elsewhere (unit tests), where it counts as false. */
declare const __TENSION_HTTP_BRIDGE__: boolean | undefined;
const HTTP_BRIDGE = typeof __TENSION_HTTP_BRIDGE__ === 'boolean' && __TENSION_HTTP_BRIDGE__;

export function chooseTransport(win: Window): Transport | { problem: string } {
  if (win.tension) return electronTransport(win.tension);
  if (HTTP_BRIDGE) {
    const url = new URLSearchParams(win.location.search).get('bridge') ?? win.__TENSION_BRIDGE_URL__;
    if (url) return bridgeTransport(new URL(url, win.location.href).href);
    return { problem: 'This test build needs a bridge URL (?bridge=…) when it runs outside Tension Desk.' };
  }
  return { problem: 'This page must run inside Tension Desk (window.tension is missing).' };
}
