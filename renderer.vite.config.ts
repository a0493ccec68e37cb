// Vite builds the renderer into renderer/dist, which the Electron shell serves as
// app://tension/ under a strict CSP (no inline script or style): relative asset paths, one
// external module script, CSS as files.
//
// `--mode bridge` (npm run build:renderer:bridge) is the browser-test build instead: the same
// renderer plus the HTTP bridge transport (?bridge=<url>), into test-output/renderer-bridge/.
// Only that build defines __TENSION_HTTP_BRIDGE__ true; in the app's build the bridge code is
// dead and left out, so the packaged app has no code path that talks HTTP.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';
import react from '@vitejs/plugin-react';

const repo = path.dirname(fileURLToPath(import.meta.url));
const here = path.join(repo, 'renderer');

export default defineConfig(({ mode }) => {
  // Both builds are production builds (React in development mode is several times slower), also
  // when a test runner that set NODE_ENV=test starts the browser-test build: the chart list
  // measured at 100k charts (npm run measure:list) must measure what the app runs.
  process.env.NODE_ENV = 'production';
  return config(mode);
});

const config = (mode: string): UserConfig => ({
  root: here,
  base: './',
  plugins: [react()],
  define: { __TENSION_HTTP_BRIDGE__: JSON.stringify(mode === 'bridge') },
  build: {
    outDir: mode === 'bridge' ? path.join(repo, 'test-output', 'renderer-bridge') : path.join(here, 'dist'),
    emptyOutDir: true,
    target: 'chrome120',
    // The polyfill would be an inline-free module anyway; Chromium needs none.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
  },
  logLevel: 'warn',
});
