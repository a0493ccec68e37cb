// `npm start`: bundles the shell, makes sure the Electron runtime is there, then opens the app.
// `npm ci` never downloads the Electron binary (its install script is refused in package.json's
// allowScripts: an install must work without the internet), so the first start fetches it, as
// `npx install-electron` would, with @electron/get's progress bar; without the internet it says
// what to do instead of Electron's own "failed to install correctly". The app then opens on the
// same data folder the CLI would use from here (the same routing: electron/app/dataLocation.ts).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleElectron, projectRoot } from './bundle.ts';

const require = createRequire(import.meta.url);

/** The Electron binary's path, or undefined when it has not been downloaded. */
export function electronBinary(): string | undefined {
  try {
    return require('electron') as string;
  } catch {
    return undefined;
  }
}

/** What to tell a person whose first start could not fetch Electron, from the downloader's output. */
export function explainMissingElectron(output: string, code: number | null): string {
  const network = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH)\b/.exec(output) ?? /fetch failed|network/i.exec(output);
  const reason = network ? `this machine cannot reach the server it comes from (${network[0]})` : `the download failed (exit ${code ?? 'signal'})`;
  return [
    `tension-desk: the desktop app needs the Electron runtime (downloaded once, about 100 MB, from github.com or $ELECTRON_MIRROR), and ${reason}. Either:`,
    '  - connect to the internet and run `npm start` again (nothing else is needed), or',
    '  - point ELECTRON_OVERRIDE_DIST_PATH at an unpacked Electron of the version in package.json, or',
    '  - use the same data without a window: `node out/cli/tension.mjs --help` (the CLI needs no Electron).',
    'Nothing was changed in your data folder.',
  ].join('\n');
}

/** Downloads the runtime (electron's own install script, showing its progress). */
function installElectron(): Promise<{ code: number | null; output: string }> {
  process.stderr.write('tension-desk: first start: downloading the Electron runtime (about 100 MB, once)…\n');
  const child = spawn(process.execPath, [path.join(path.dirname(require.resolve('electron/package.json')), 'install.js')], { stdio: ['ignore', 'inherit', 'pipe'] });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    process.stderr.write(chunk);
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

export async function startApp(args: string[]): Promise<number> {
  await bundleElectron();
  let binary = electronBinary();
  if (!binary) {
    const installed = await installElectron();
    binary = electronBinary();
    if (installed.code !== 0 || !binary) {
      process.stderr.write(`${explainMissingElectron(installed.output, installed.code)}\n`);
      return 1;
    }
  }
  if (process.env.TENSION_START_DRY_RUN === '1') {
    process.stdout.write(`would start ${binary}\n`);
    return 0;
  }
  const app = spawn(binary, [projectRoot, ...args], { stdio: 'inherit' });
  return new Promise((resolve) => app.on('close', (code) => resolve(code ?? 1)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  startApp(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`tension-desk: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
