// Vitest global setup: the tests run the `tension` command as users do, from its bundle
// (out/cli/tension.mjs, which `npm ci` builds through `prepare`); it is rebuilt first when a
// source is newer, so a test never runs yesterday's command. The TypeScript scripts tests start
// in processes of their own are bundled into a folder of this run (test/helpers/childScripts.ts),
// removed at the end.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHILD_BUNDLES } from './helpers/childScripts.ts';

export default function setup(): () => void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  execFileSync(process.execPath, [path.join(root, 'build', 'cliBundle.mjs'), '--if-stale'], { stdio: 'inherit' });
  if (process.env[CHILD_BUNDLES] === 'tsx') return () => undefined;
  // Inside the checkout: a bundle imports its packages from node_modules.
  const cache = path.join(root, 'node_modules', '.cache', 'tension-test-children');
  fs.mkdirSync(cache, { recursive: true });
  // A run stopped before its teardown (Ctrl-C) leaves its folder: gone a day later.
  for (const name of fs.readdirSync(cache)) {
    const old = path.join(cache, name);
    // Another run's teardown may remove it meanwhile.
    const made = fs.statSync(old, { throwIfNoEntry: false })?.mtimeMs;
    if (made !== undefined && Date.now() - made > 86_400_000) fs.rmSync(old, { recursive: true, force: true });
  }
  const folder = fs.mkdtempSync(path.join(cache, 'run-'));
  process.env[CHILD_BUNDLES] = folder;
  return () => fs.rmSync(folder, { recursive: true, force: true });
}
