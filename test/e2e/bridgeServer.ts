// The built renderer served on 127.0.0.1 with the contract over HTTP, for browser tests:
// POST /bridge/invoke {channel, input} -> the REAL handler table (with the app's own sender),
// GET /bridge/events -> server-sent events from a DataRootWatcher on the data folder (as the
// Electron shell broadcasts them). The page is opened as /?bridge=/bridge.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { DataRootWatcher } from '../../electron/core/dataRootWatcher.ts';
import { prepareFirstScreen } from '../../electron/core/firstScreen.ts';
import { createHandlerTable, type SenderInfo } from '../../electron/ipc/handlerTable.ts';
import type { EventName, Events } from '../../shared/contract.ts';
import { CONTENT_SECURITY_POLICY } from '../../electron/app/contentSecurityPolicy.ts';
import { startBackgroundWork, type BackgroundWork, type BackgroundWorkOptions } from '../../electron/app/backgroundWork.ts';

const OWN: SenderInfo = { id: 1, url: 'app://tension/index.html' };
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml' };

export interface BridgeServer {
  readonly url: string;
  readonly engine: Engine;
  emit<E extends EventName>(event: E, payload: Events[E]): void;
  close(): Promise<void>;
}

/** `background`: also run the app's backup timer and scheduled check (as the Electron shell does), with these options. */
export async function startBridgeServer(options: { data: string; distDir: string; watcherPollMs?: number; background?: BackgroundWorkOptions }): Promise<BridgeServer> {
  const engine = await Engine.open({ layout: resolveLayout({ data: options.data }), origin: 'app', rewriteDelayMs: 50, lockLeaseMs: 0 });
  // As the app's services do at their start (engineServices.ts): what the window asks first, made ready while it loads.
  const listsReady = prepareFirstScreen(engine);
  const http = await serveBridge({ distDir: options.distDir, handle: (channel, input) => table.handle(channel, input, OWN) });
  const background: BackgroundWork | undefined = options.background ? startBackgroundWork(engine, http.emit, () => undefined, options.background) : undefined;
  // Made before anyone has the address to ask (the table needs the bridge's emit).
  const table = createHandlerTable({ engine, isOwnSender: (s) => s.id === OWN.id, version: 'e2e', emit: http.emit, ...(background ? { background } : {}) });
  const watcher = new DataRootWatcher(
    engine,
    (c) => {
      http.emit('data.changed', { context: c.context, seq: c.seq, external: c.findings });
      background?.outsideChange(c.context);
    },
    () => undefined,
    { debounceMs: 30, pollMs: options.watcherPollMs ?? 500 },
  );
  // Started before the page can be opened: a test's outside change is then always seen live.
  await watcher.start();
  return {
    url: http.url,
    engine,
    emit: http.emit,
    async close() {
      await http.close();
      await background?.stop();
      await listsReady;
      await watcher.stop();
      await engine.close();
    },
  };
}

/** The bridge's HTTP side: the built renderer, requests handed to `handle`, events pushed to the open pages. */
export interface BridgeHttp {
  readonly url: string;
  emit<E extends EventName>(event: E, payload: Events[E]): void;
  /** Ends the event streams and stops serving. */
  close(): Promise<void>;
}

/**
 * Serves the built renderer from `distDir` on 127.0.0.1, each request of its client handed to
 * `handle` (its answer sent back as JSON), and the events given to `emit` pushed to every open page.
 */
export async function serveBridge(options: { distDir: string; handle: (channel: string, input: unknown) => Promise<unknown> }): Promise<BridgeHttp> {
  const clients = new Set<http.ServerResponse>();
  const emit = <E extends EventName>(event: E, payload: Events[E]) => {
    for (const client of clients) client.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`);
  };

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/bridge/invoke' && request.method === 'POST') {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        let body: { channel?: unknown; input?: unknown };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
        } catch {
          body = {};
        }
        void options.handle(String(body.channel), body.input).then((result) => {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify(result));
        });
      });
      return;
    }
    if (url.pathname === '/bridge/events') {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      response.write(': connected\n\n');
      clients.add(response);
      request.on('close', () => clients.delete(response));
      return;
    }
    // Static files of the built renderer, under the app's own CSP (so a CSP breach fails here).
    const relative = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
    const file = path.join(options.distDir, relative);
    if (!file.startsWith(options.distDir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-security-policy': CONTENT_SECURITY_POLICY });
    fs.createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    emit,
    async close() {
      for (const client of clients) client.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
    },
  };
}
