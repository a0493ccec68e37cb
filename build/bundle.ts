// Bundles the Electron side with esbuild (`npm run build:electron`):
//   out/main.cjs      the main process: electron/main.ts and the shell (windows, IPC, menu)
//                     in one CommonJS file ('electron' stays external); it holds no engine;
//   out/engineWorker.cjs  the engine's worker thread (electron/app/engineWorker.ts): the
//                     storage engine, its timers and live updates, and their dependencies in
//                     one CommonJS file (the native 'koffi' stays external);
//   out/preload.cjs   the preload script: ONE CommonJS file whose only require is 'electron'
//                     (a sandboxed preload cannot require anything else);
//   out/placeholder/  the page app://tension/ serves while renderer/dist is not built.
// Electron 45 runs Node 22 and Chromium 140+, hence the targets.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface BundleResult {
  readonly outDir: string;
  readonly main: string;
  readonly worker: string;
  readonly preload: string;
  readonly placeholder: string;
  /** Modules each bundle kept as require() calls. */
  readonly external: { readonly main: string[]; readonly worker: string[]; readonly preload: string[] };
}

function externalImports(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const output of Object.values(metafile.outputs)) for (const item of output.imports) if (item.external) found.add(item.path);
  return [...found].sort();
}

export async function bundleElectron(outDir = path.join(projectRoot, 'out')): Promise<BundleResult> {
  fs.mkdirSync(outDir, { recursive: true });
  const main = path.join(outDir, 'main.cjs');
  const worker = path.join(outDir, 'engineWorker.cjs');
  const preload = path.join(outDir, 'preload.cjs');
  const common = { bundle: true, format: 'cjs', sourcemap: 'linked', metafile: true, logLevel: 'warning', absWorkingDir: projectRoot, legalComments: 'linked' } as const;
  const [mainBuild, workerBuild, preloadBuild] = await Promise.all([
    build({ ...common, entryPoints: [path.join(projectRoot, 'electron/main.ts')], outfile: main, platform: 'node', target: 'node22', external: ['electron'] }),
    // koffi is a native module: shipped beside the bundle (build/electron-builder.yml).
    build({ ...common, entryPoints: [path.join(projectRoot, 'electron/app/engineWorker.ts')], outfile: worker, platform: 'node', target: 'node22', external: ['koffi'] }),
    // platform 'browser': a Node built-in reaching the preload fails the build instead of
    // becoming a require() the sandbox would refuse at run time.
    // Minified: every window evaluates it, and the contract's zod schemas come along with its
    // channel names (shared/contract.ts declares both in one object).
    build({ ...common, entryPoints: [path.join(projectRoot, 'electron/preload.ts')], outfile: preload, platform: 'browser', target: 'chrome140', external: ['electron'], minify: true }),
  ]);
  const preloadExternal = externalImports(preloadBuild.metafile);
  if (preloadExternal.some((name) => name !== 'electron')) {
    throw new Error(`The preload bundle must require nothing but 'electron'; it requires ${preloadExternal.join(', ')}.`);
  }
  const placeholder = path.join(outDir, 'placeholder');
  fs.rmSync(placeholder, { recursive: true, force: true });
  fs.cpSync(path.join(projectRoot, 'build', 'placeholder'), placeholder, { recursive: true });
  const mainExternal = externalImports(mainBuild.metafile);
  // The engine stays out of the main thread: a change that imports it there would quietly bring back the freezes.
  const engineInMain = Object.keys(mainBuild.metafile.inputs).filter((input) => input.startsWith('electron/core/'));
  if (engineInMain.length > 0) throw new Error(`The main bundle must not hold the storage engine (it runs in out/engineWorker.cjs); it holds ${engineInMain.slice(0, 5).join(', ')}.`);
  return { outDir, main, worker, preload, placeholder, external: { main: mainExternal, worker: externalImports(workerBuild.metafile), preload: preloadExternal } };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  bundleElectron().then(
    (result) => {
      const size = (file: string) => `${(fs.statSync(file).size / 1024).toFixed(0)} KiB`;
      process.stdout.write(`bundled ${path.relative(projectRoot, result.main)} (${size(result.main)}), ${path.relative(projectRoot, result.worker)} (${size(result.worker)}), ${path.relative(projectRoot, result.preload)} (${size(result.preload)}), ${path.relative(projectRoot, result.placeholder)}/\n`);
    },
    (error: unknown) => {
      process.stderr.write(`build:electron failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
