// How the tests start a TypeScript script in a child process of its own (a writer killed at a
// counted call, a torture writer, a lock holder): from a bundle of the script, built once per
// test run. Through the tsx loader each child compiled and loaded the engine's modules one by
// one, about 0.6 s of wall time and 0.9 s of CPU before its first line; the crash and torture
// tests start hundreds of them. A bundle starts in about the time Node itself takes.
//
// Vitest's global setup (test/buildCliOnce.ts) names a fresh folder for this run's bundles in
// TENSION_TEST_CHILDREN; a script is bundled there the first time a test starts it. Without that
// folder (a script started outside Vitest), or with TENSION_TEST_CHILDREN=tsx set before the run
// (stack traces then name source lines), the tsx loader runs the script.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The environment variable naming this test run's folder of bundles. */
export const CHILD_BUNDLES = 'TENSION_TEST_CHILDREN';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// The loader in the child itself, not tsx's CLI: that runs the script in a grandchild process,
// and a SIGKILL would end only the wrapper and leave the writer running.
const tsxLoader = pathToFileURL(path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const bundler = path.join(repoRoot, 'test', 'helpers', 'bundleChildScript.mjs');

/** The arguments to give `node`, before the script's own, to run the TypeScript file `script`. */
export function nodeArgsFor(script: string): string[] {
  const folder = process.env[CHILD_BUNDLES];
  if (folder === undefined || folder === '' || folder === 'tsx') return ['--import', tsxLoader, script];
  return [bundleOf(path.resolve(repoRoot, script), folder)];
}

/** This process's bundles, by script. */
const bundles = new Map<string, string>();

function bundleOf(script: string, folder: string): string {
  let bundle = bundles.get(script);
  if (bundle !== undefined) return bundle;
  bundle = path.join(folder, `${path.relative(repoRoot, script).replace(/\.tsx?$/, '').replace(/[^A-Za-z0-9]+/g, '-')}.mjs`);
  // Another worker of this run may have built it already (the name is the script's; the folder is this run's).
  if (!fs.existsSync(bundle)) execFileSync(process.execPath, [bundler, script, bundle], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  bundles.set(script, bundle);
  return bundle;
}
