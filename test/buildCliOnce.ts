// Vitest global setup: the tests run the `tension` command as users do, from its bundle
// (out/cli/tension.mjs, which `npm ci` builds through `prepare`); it is rebuilt first when a
// source is newer, so a test never runs yesterday's command.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  execFileSync(process.execPath, [path.join(root, 'build', 'cliBundle.mjs'), '--if-stale'], { stdio: 'inherit' });
}
