// The `tension` command's bundle: out/cli/tension.mjs and the chunks it loads on demand.
// Compiling TypeScript on every call (tsx) cost about 0.6 s a run; the bundle starts in about
// the time Node itself takes, and code a command does not need (the MCP SDK, for instance) sits
// in chunks only the commands that use it load. Plain JavaScript on purpose: `npm ci` runs it
// (the `prepare` script), and so does `npm run tension` when a source is newer than the bundle.
//   node build/cliBundle.mjs             build
//   node build/cliBundle.mjs --if-stale  build only when a source is newer than the bundle
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
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
  return (
    ['electron', 'shared'].some((dir) => newer(path.join(projectRoot, dir))) ||
    [path.join(projectRoot, 'package-lock.json'), fileURLToPath(import.meta.url)].some((file) => fs.statSync(file).mtimeMs > built)
  );
}

/** Node's modules a command that only reads may never need: loaded at their first use (see nodeModulesByRequire). */
const LOADED_AT_FIRST_USE = new Set(['node:crypto', 'node:perf_hooks', 'node:zlib']);

/**
 * Node's own modules are taken with require(), not import: an import makes Node build an ES
 * module view of the module, reading every export, and some exports are getters that load
 * more (fs.ReadStream loads the streams, crypto.webcrypto all of Web Crypto), which a
 * fresh process pays at every start. node:crypto (a random id or a hash for a write, a backup)
 * is loaded at its first use: each export is a getter that loads it then. Together, about 4 %
 * of the instructions of `tension chart list` at 1,000 charts. So are node:perf_hooks (the
 * clock of work done in slices: about 10 ms of CPU to load) and node:zlib (CRC-32, for a
 * journal's lines: a peer's file read without one never needs it).
 */
const nodeModulesByRequire = {
  name: 'node-modules-by-require',
  setup(build) {
    // The require() inside the module made below is Node's (the banner's), not this plugin's.
    build.onResolve({ filter: /^node:/ }, (args) => (args.kind === 'require-call' ? { path: args.path, external: true } : { path: args.path, namespace: 'node-module' }));
    build.onLoad({ filter: /.*/, namespace: 'node-module' }, (args) => {
      const name = JSON.stringify(args.path);
      if (!LOADED_AT_FIRST_USE.has(args.path)) return { contents: `module.exports = require(${name});`, loader: 'js' };
      const exports = JSON.stringify(Object.keys(createRequire(import.meta.url)(args.path)));
      return {
        contents: `let loaded;\nfor (const key of ${exports}) Object.defineProperty(module.exports, key, { enumerable: true, get: () => (loaded ??= require(${name}))[key] });`,
        loader: 'js',
      };
    });
  },
};

/** How long a chunk no build uses any more is kept for a command still running from an earlier build. */
const RETIRED_CHUNK_KEPT_MS = 60 * 60 * 1000;
/** The chunks the bundle in place uses: the next build tells those from older ones. */
const chunkList = path.join(cliOutDir, 'chunks.json');

/**
 * Builds into a folder of its own, then puts it in place without pulling a file from under a
 * command that is running (tests run many at once; `tension mcp` runs for days): a command loads
 * its chunks as it goes (the engine once its arguments are read, a backup module when a backup
 * starts), so the new chunks, named by their content, are added beside the old ones, and only
 * then is tension.mjs replaced, in one rename. A chunk the new build does not use is kept an
 * hour from the build that stopped using it (its mtime marks that moment), then removed.
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
    plugins: [nodeModulesByRequire],
    // The CommonJS packages inside (proper-lockfile and friends) call require(): an ES module has
    // none. Taken with getBuiltinModule: importing node:module would load its source-map support.
    banner: { js: "#!/usr/bin/env node\nconst require = process.getBuiltinModule('node:module').createRequire(import.meta.url);" },
  });
  fs.chmodSync(path.join(building, 'tension.mjs'), 0o755);
  fs.mkdirSync(cliOutDir, { recursive: true });
  const chunks = fs.readdirSync(building).filter((name) => name !== 'tension.mjs');
  // A chunk already there has the same content (its name is its content's hash).
  for (const name of chunks) if (!fs.existsSync(path.join(cliOutDir, name))) fs.renameSync(path.join(building, name), path.join(cliOutDir, name));
  let previous = [];
  try {
    previous = JSON.parse(fs.readFileSync(chunkList, 'utf8'));
  } catch (error) {
    if (error.code !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
  }
  fs.writeFileSync(path.join(building, 'chunks.json'), JSON.stringify(chunks));
  fs.renameSync(path.join(building, 'chunks.json'), chunkList);
  fs.renameSync(path.join(building, 'tension.mjs'), cliEntry);
  fs.rmSync(building, { recursive: true, force: true });
  retireChunks(new Set(chunks), new Set(previous));
  return cliEntry;
}

/** Marks the chunks the build in place just stopped using (mtime: now), and removes those retired an hour ago. */
function retireChunks(current, previous) {
  const now = Date.now();
  for (const name of fs.readdirSync(cliOutDir)) {
    if (!name.endsWith('.mjs') || name === 'tension.mjs' || current.has(name)) continue;
    const file = path.join(cliOutDir, name);
    try {
      if (previous.has(name)) fs.utimesSync(file, new Date(now), new Date(now));
      else if (now - fs.statSync(file).mtimeMs > RETIRED_CHUNK_KEPT_MS) fs.rmSync(file, { force: true });
    } catch (error) {
      if (error.code !== 'ENOENT') throw error; // another build removed it meanwhile
    }
  }
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
