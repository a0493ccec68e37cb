// The renderer the app ships (renderer/dist, packed by electron-builder) has no HTTP bridge:
// the bridge transport (?bridge=<url>: fetch of <url>/invoke, an EventSource on <url>/events)
// exists only in the browser-test build (renderer.vite.config.ts, --mode bridge). The same
// markers found in the test build show the check can see the bridge where it is.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appRendererBuild, distDir, ensureRendererBuilt } from '../e2e/browser.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

/** What only the bridge transport (renderer/transport/bridgeTransport.ts, chooseTransport.ts) puts in a bundle. */
const BRIDGE_MARKERS = ['EventSource', '/invoke', '/events', '__TENSION_BRIDGE_URL__', 'bridge'];

function scripts(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(js|mjs|html)$/.test(entry.name)) out.set(path.relative(dir, full), fs.readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

const found = (files: Map<string, string>) => [...files].flatMap(([name, text]) => BRIDGE_MARKERS.filter((m) => text.includes(m)).map((m) => `${name}: ${m}`));

afterAll(removeTempDirs);

describe('the HTTP bridge is test code, not in the app', () => {
  it('the production renderer bundle holds no bridge code (no fetch of /invoke, no EventSource, no ?bridge=)', () => {
    const files = scripts(appRendererBuild(tempDir('tension-renderer-app-')));
    expect([...files.keys()].some((name) => name.endsWith('.js')), 'the app build has scripts').toBe(true);
    expect(found(files)).toEqual([]);
  }, 120_000);

  it('the browser-test build has it (so the check above can see bridge code)', () => {
    ensureRendererBuilt();
    const markers = new Set(found(scripts(distDir)).map((line) => line.slice(line.lastIndexOf(': ') + 2)));
    expect([...markers].sort()).toEqual(['/events', '/invoke', 'EventSource', '__TENSION_BRIDGE_URL__', 'bridge']);
  }, 120_000);
});
