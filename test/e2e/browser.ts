// Debian's Chromium driven by playwright-core, and the renderer's browser-test build: where
// Chromium is missing the browser tests skip and say so (with TENSION_REQUIRE_E2E=1, as CI
// sets it, they fail instead).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';
import { projectRoot } from '../../build/bundle.ts';

export const CHROMIUM = process.env.TENSION_CHROMIUM ?? '/usr/bin/chromium';
export const chromiumMissing = fs.existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set TENSION_CHROMIUM)`;
/** CI sets TENSION_REQUIRE_E2E=1: a missing Chromium is then a failure, never a skip. */
export const chromiumRequired = process.env.TENSION_REQUIRE_E2E === '1';
/** The app's renderer build (what the packaged app ships). */
export const appDistDir = path.join(projectRoot, 'renderer', 'dist');
/** The browser-test build: the same renderer plus the HTTP bridge transport (renderer.vite.config.ts, --mode bridge). */
export const distDir = path.join(projectRoot, 'test-output', 'renderer-bridge');
export const screenshotDir = path.join(projectRoot, 'test-output', 'screenshots');

/** The newest modification time of the renderer's sources (what a build is made from). */
function newestSource(): number {
  let newest = fs.statSync(path.join(projectRoot, 'renderer.vite.config.ts')).mtimeMs;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (full !== appDistDir) walk(full);
      } else {
        newest = Math.max(newest, fs.statSync(full).mtimeMs);
      }
    }
  };
  walk(path.join(projectRoot, 'renderer'));
  walk(path.join(projectRoot, 'shared'));
  return newest;
}

const viteBuild = (args: readonly string[]) =>
  execFileSync(process.execPath, [path.join(projectRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'renderer.vite.config.ts', ...args], { cwd: projectRoot, stdio: 'inherit' });

const isFresh = (out: string) => fs.existsSync(path.join(out, 'index.html')) && fs.statSync(path.join(out, 'index.html')).mtimeMs >= newestSource();

/**
 * The browser-test build, built when it is missing or older than its sources (npm test builds
 * it first), under a lock folder so two test files never build into it at once.
 */
export function ensureRendererBuilt(): void {
  if (isFresh(distDir)) return;
  const lock = path.join(projectRoot, 'test-output', '.building-renderer-bridge');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() > deadline) throw new Error(`another test has been building the renderer for 2 minutes (${lock}); remove that folder if no build runs`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (!isFresh(distDir)) viteBuild(['--mode', 'bridge']);
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * The app's renderer build: renderer/dist when it is as new as its sources (npm test builds it
 * first), else a fresh build into `scratch` (tests never rebuild renderer/dist under other tests' feet).
 */
export function appRendererBuild(scratch: string): string {
  if (isFresh(appDistDir)) return appDistDir;
  viteBuild(['--outDir', scratch, '--emptyOutDir']);
  return scratch;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

export function screenshotPath(name: string): string {
  fs.mkdirSync(screenshotDir, { recursive: true });
  return path.join(screenshotDir, `${name}.png`);
}
