// Where a real Electron binary is, if anywhere, found without requiring the `electron`
// package (whose index.js starts a download when the binary is missing). On machines that
// reach only the npm registry there is none: the e2e test then skips and says why.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type ElectronBinary = { readonly path: string; readonly reason?: undefined } | { readonly path?: undefined; readonly reason: string };

export function findElectronBinary(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): ElectronBinary {
  const display = platform !== 'linux' || env.DISPLAY || env.WAYLAND_DISPLAY ? undefined : 'no display to open a window on (set DISPLAY, e.g. run under xvfb-run)';
  const chosen = env.TENSION_ELECTRON_BINARY;
  if (chosen) {
    if (!fs.existsSync(chosen)) return { reason: `TENSION_ELECTRON_BINARY=${chosen} does not exist` };
    return display ? { reason: display } : { path: chosen };
  }
  const packageDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = path.join(packageDir, 'path.txt');
  if (!fs.existsSync(pathFile)) {
    return { reason: 'no Electron binary on this machine (node_modules/electron/dist was never downloaded: only the npm registry is reachable here); set TENSION_ELECTRON_BINARY to run it' };
  }
  const binary = path.join(packageDir, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
  if (!fs.existsSync(binary)) return { reason: `the Electron binary ${binary} is missing` };
  return display ? { reason: display } : { path: binary };
}
