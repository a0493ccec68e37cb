// `npm run dist`: bundles main and preload, then packages the app with electron-builder
// (build/electron-builder.yml; Linux: AppImage and deb). Extra arguments go to
// electron-builder (`npm run dist -- --dir` packs an unpacked app only).
// electron-builder needs the Electron binary for the target platform and, for AppImage and
// deb, its packaging tools; it downloads them from GitHub unless told where they are. On a
// machine that reaches only the npm registry that download fails: this script then says so
// plainly, after electron-builder's own output, and exits non-zero.
// TENSION_ELECTRON_DIST=/path/to/unpacked/electron (or a folder holding the Electron zip)
// packages with a local Electron instead of downloading one.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleElectron, projectRoot } from './bundle.ts';
import { explainPackagingFailure } from './packagingFailure.ts';

async function runElectronBuilder(args: string[]): Promise<{ code: number; output: string }> {
  const cli = createRequire(import.meta.url).resolve('electron-builder/cli.js');
  const child = spawn(process.execPath, [cli, ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    process.stdout.write(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    process.stderr.write(chunk);
  });
  const code = await new Promise<number>((resolve) => child.on('close', (status) => resolve(status ?? 1)));
  return { code, output };
}

export async function dist(extraArgs: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const bundled = await bundleElectron();
  process.stdout.write(`bundled ${path.relative(projectRoot, bundled.main)} and ${path.relative(projectRoot, bundled.preload)}\n`);
  const args = ['--config', 'build/electron-builder.yml', ...extraArgs];
  if (env.TENSION_ELECTRON_DIST) args.push(`-c.electronDist=${path.resolve(env.TENSION_ELECTRON_DIST)}`);
  const { code, output } = await runElectronBuilder(args);
  if (code !== 0) process.stderr.write(`\n${explainPackagingFailure(output, code)}\n`);
  return code;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  dist(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`npm run dist failed before packaging: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
