// The `tension` command's bundle: out/cli/tension.mjs and the chunks it loads on demand.
// Compiling TypeScript on every call (tsx) cost about 0.6 s a run; the bundle starts in about
// the time Node itself takes, and code a command does not need (the MCP SDK, for instance) sits
// in chunks only the commands that use it load. Plain JavaScript on purpose: `npm ci` runs it
// (the `prepare` script), and so does `npm run tension` when a source is newer than the bundle.
//   node build/cliBundle.mjs             build
//   node build/cliBundle.mjs --if-stale  build only when a source is newer than the bundle
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const cliOutDir = path.join(projectRoot, 'out', 'cli');
export const cliEntry = path.join(cliOutDir, 'tension.mjs');

/** True when the bundle is missing or older than any source it is built from. */
export function cliBundleIsStale() {
  let built;
  try {
    built = fs.statSync(cliEntry).mtimeMs;
  } catch {
    return true;
  }
  const newer = (dir) =>
    fs.readdirSync(dir, { withFileTypes: true }).some((entry) => {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) return newer(file);
      return /\.tsx?$/.test(entry.name) && fs.statSync(file).mtimeMs > built;
    });
  return ['electron', 'shared'].some((dir) => newer(path.join(projectRoot, dir))) || fs.statSync(path.join(projectRoot, 'package-lock.json')).mtimeMs > built;
}

/**
 * Builds into a folder of its own, then swaps it in: a command already running from the old
 * bundle (tests run many at once) never finds it half-written.
 */
export async function bundleCli() {
  const building = `${cliOutDir}.building-${process.pid}`;
  fs.rmSync(building, { recursive: true, force: true });
  await build({
    entryPoints: { tension: path.join(projectRoot, 'electron', 'cli.ts') },
    outdir: building,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // koffi is native (loaded from node_modules when a command writes: atomicExchange.ts).
    external: ['koffi'],
    absWorkingDir: projectRoot,
    logLevel: 'warning',
    legalComments: 'none',
    // The CommonJS packages inside (proper-lockfile and friends) call require(): an ES module has none.
    banner: { js: "#!/usr/bin/env node\nimport { createRequire as __tensionRequire } from 'node:module';\nconst require = __tensionRequire(import.meta.url);" },
  });
  fs.chmodSync(path.join(building, 'tension.mjs'), 0o755);
  const old = `${cliOutDir}.old-${process.pid}`;
  try {
    fs.renameSync(cliOutDir, old);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  fs.renameSync(building, cliOutDir);
  fs.rmSync(old, { recursive: true, force: true });
  return cliEntry;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const onlyIfStale = process.argv.includes('--if-stale');
  if (!onlyIfStale || cliBundleIsStale()) {
    bundleCli().then(
      (file) => {
        if (!onlyIfStale) process.stdout.write(`bundled ${path.relative(projectRoot, file)}\n`);
      },
      (error) => {
        process.stderr.write(`build:cli failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      },
    );
  }
}
