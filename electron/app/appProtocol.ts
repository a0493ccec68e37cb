// The app:// scheme handler: maps app://tension/<path> to a file under one content folder
// (the built renderer, or the placeholder page while there is none) and answers with the
// file and the security headers. A request can never reach a file outside that folder:
// the path is decoded segment by segment, any "..", ".", hidden, drive-letter, backslash or
// NUL segment is refused, the joined path must stay under the folder, and after symlinks are
// resolved the real file must still be under the folder's real path.
import fs from 'node:fs';
import path from 'node:path';
import { APP_HOST, APP_SCHEME } from './appScheme.ts';
import { securityHeaders } from './contentSecurityPolicy.ts';

export type AppPathResolution =
  | { readonly ok: true; readonly file: string; readonly route: boolean }
  | { readonly ok: false; readonly status: 400 | 403 | 404; readonly reason: string };

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function mimeTypeOf(file: string): string {
  return MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Lexical resolution of a request URL to a file under `root` (no disk access). A path with
 * no extension that is not a file is an in-app route: the caller serves index.html for it.
 */
export function resolveAppPath(url: string, root: string): AppPathResolution {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, status: 400, reason: 'not a URL' };
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST || parsed.username !== '' || parsed.password !== '') {
    return { ok: false, status: 403, reason: `not on ${APP_SCHEME}://${APP_HOST}/` };
  }
  const segments: string[] = [];
  for (const raw of parsed.pathname.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return { ok: false, status: 400, reason: 'badly encoded path' };
    }
    if (segment === '.' || segment === '..' || segment.startsWith('.') || /[\\/\0:]/.test(segment)) {
      return { ok: false, status: 403, reason: `refused path segment ${JSON.stringify(segment)}` };
    }
    segments.push(segment);
  }
  if (segments.length === 0 || parsed.pathname.endsWith('/')) segments.push('index.html');
  const base = path.resolve(root);
  const file = path.join(base, ...segments);
  const relative = path.relative(base, file);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    return { ok: false, status: 403, reason: 'outside the content folder' };
  }
  return { ok: true, file, route: path.extname(file) === '' };
}

export interface AppProtocolOptions {
  /** The folder served as app://tension/. */
  readonly root: string;
}

/** The handler given to protocol.handle(APP_SCHEME, …): Fetch API request in, response out. */
export function createAppProtocolHandler(options: AppProtocolOptions): (request: { url: string; method: string }) => Promise<Response> {
  const fsp = fs.promises;
  const root = path.resolve(options.root);
  let realRoot: Promise<string> | undefined;

  const refuse = (status: number, reason: string) => new Response(`${status} ${reason}\n`, { status, headers: { ...securityHeaders(), 'Content-Type': 'text/plain; charset=utf-8' } });

  async function readInside(file: string): Promise<Buffer | undefined> {
    realRoot ??= fsp.realpath(root);
    let real: string;
    try {
      real = await fsp.realpath(file);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    const relative = path.relative(await realRoot, real);
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) throw new OutsideRootError(file);
    if (!(await fsp.stat(real)).isFile()) return undefined;
    return fsp.readFile(real);
  }

  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'only GET and HEAD');
    const resolved = resolveAppPath(request.url, root);
    if (!resolved.ok) return refuse(resolved.status, resolved.reason);
    try {
      let file = resolved.file;
      let body = await readInside(file);
      if (body === undefined && resolved.route) {
        file = path.join(root, 'index.html');
        body = await readInside(file);
      }
      if (body === undefined) return refuse(404, 'not found');
      const headers = { ...securityHeaders(), 'Content-Type': mimeTypeOf(file) };
      return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
    } catch (error) {
      if (error instanceof OutsideRootError) return refuse(403, 'outside the content folder');
      return refuse(500, `could not read the file: ${(error as Error).message}`);
    }
  };
}

class OutsideRootError extends Error {
  constructor(file: string) {
    super(`${file} resolves outside the content folder`);
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * The folder to serve: the built renderer when it exists, otherwise the placeholder page that
 * the bundle step copies next to main (so the shell runs before the renderer is built).
 */
export function chooseContentRoot(appRoot: string, exists: (file: string) => boolean = fs.existsSync): { root: string; kind: 'renderer' | 'placeholder' } {
  const renderer = path.join(appRoot, 'renderer', 'dist');
  if (exists(path.join(renderer, 'index.html'))) return { root: renderer, kind: 'renderer' };
  return { root: path.join(appRoot, 'out', 'placeholder'), kind: 'placeholder' };
}
