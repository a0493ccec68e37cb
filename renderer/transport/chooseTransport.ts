// Which transport this page uses: preload's window.tension in the app; otherwise the HTTP
// bridge named by ?bridge=<url> or by a global the page sets (browser tests).
import type { Transport } from './transport.ts';
import { electronTransport } from './electronTransport.ts';
import { bridgeTransport } from './bridgeTransport.ts';

declare global {
  interface Window {
    tension?: Transport;
    __TENSION_BRIDGE_URL__?: string;
  }
}

export function chooseTransport(win: Window): Transport | { problem: string } {
  if (win.tension) return electronTransport(win.tension);
  const url = new URLSearchParams(win.location.search).get('bridge') ?? win.__TENSION_BRIDGE_URL__;
  if (url) return bridgeTransport(new URL(url, win.location.href).href);
  return { problem: 'This page must run inside Tension Desk (window.tension is missing) or be given a bridge URL (?bridge=…).' };
}
