// Vite builds the renderer into renderer/dist, which the Electron shell serves as
// app://tension/ under a strict CSP (no inline script or style): relative asset paths, one
// external module script, CSS as files.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = path.join(path.dirname(fileURLToPath(import.meta.url)), 'renderer');

export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  build: {
    outDir: path.join(here, 'dist'),
    emptyOutDir: true,
    target: 'chrome120',
    // The polyfill would be an inline-free module anyway; Chromium needs none.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
  },
  logLevel: 'warn',
});
