// Debian's Chromium driven by playwright-core, and the built renderer: where Chromium is
// missing the browser tests skip and say so.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';
import { projectRoot } from '../../build/bundle.ts';

export const CHROMIUM = process.env.TENSION_CHROMIUM ?? '/usr/bin/chromium';
export const chromiumMissing = fs.existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set TENSION_CHROMIUM)`;
export const distDir = path.join(projectRoot, 'renderer', 'dist');
export const screenshotDir = path.join(projectRoot, 'test-output', 'screenshots');

/** npm test builds the renderer first; a test run on its own builds it when it is missing. */
export function ensureRendererBuilt(): void {
  if (fs.existsSync(path.join(distDir, 'index.html'))) return;
  execFileSync(process.execPath, [path.join(projectRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'renderer.vite.config.ts'], { cwd: projectRoot, stdio: 'inherit' });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

export function screenshotPath(name: string): string {
  fs.mkdirSync(screenshotDir, { recursive: true });
  return path.join(screenshotDir, `${name}.png`);
}
