import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { listPackage, extractFile } from '@electron/asar';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleElectron, projectRoot } from '../../build/bundle.ts';
import { explainPackagingFailure } from '../../build/packagingFailure.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterAll(removeTempDirs);

const require = createRequire(import.meta.url);

function electronBuilder(args: string[], cwd: string): Promise<{ code: number; output: string }> {
  const child = spawn(process.execPath, [require.resolve('electron-builder/cli.js'), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, output })));
}

describe('packaging with electron-builder', () => {
  it('packs package.json, the three bundles (main, the engine worker, preload), the placeholder page and koffi (its binary unpacked) into app.asar, and no other node_modules (a stand-in Electron binary: none can be downloaded here)', async () => {
    // A copy of the project as `npm run dist` sees it after bundling; its package.json lists only
    // koffi, since the bundle holds every other dependency (the config's file patterns exclude
    // the rest of node_modules, which this checks).
    const project = tempDir('tension-pack-');
    await bundleElectron(path.join(project, 'out'));
    const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as Record<string, unknown>;
    const koffiVersion = (pkg.dependencies as Record<string, string>).koffi;
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ ...pkg, dependencies: { koffi: koffiVersion }, devDependencies: {} }, null, 2));
    fs.mkdirSync(path.join(project, 'build'));
    fs.copyFileSync(path.join(projectRoot, 'build', 'icon.png'), path.join(project, 'build', 'icon.png'));
    fs.mkdirSync(path.join(project, 'node_modules', 'left-over'), { recursive: true });
    fs.writeFileSync(path.join(project, 'node_modules', 'left-over', 'index.js'), '');
    // koffi (native, not bundled) as npm ci installs it.
    for (const dir of ['koffi', `@koromix/koffi-${process.platform}-${process.arch}`]) fs.cpSync(path.join(projectRoot, 'node_modules', dir), path.join(project, 'node_modules', dir), { recursive: true });

    const standIn = tempDir('tension-fake-electron-');
    fs.writeFileSync(path.join(standIn, 'electron'), '#!/bin/sh\necho stand-in\n', { mode: 0o755 });
    const electronVersion = (JSON.parse(fs.readFileSync(require.resolve('electron/package.json'), 'utf8')) as { version: string }).version;
    fs.writeFileSync(path.join(standIn, 'version'), `v${electronVersion}`);
    const output = path.join(tempDir('tension-pack-out-'), 'dist');

    const result = await electronBuilder(
      ['--projectDir', project, '--config', path.join(projectRoot, 'build', 'electron-builder.yml'), '--linux', '--dir', `-c.electronDist=${standIn}`, `-c.electronVersion=${electronVersion}`, `-c.directories.output=${output}`],
      project,
    );
    expect(result.code, result.output).toBe(0);
    const unpacked = path.join(output, 'linux-unpacked');
    expect(fs.existsSync(path.join(unpacked, 'tension-desk'))).toBe(true);
    const asar = path.join(unpacked, 'resources', 'app.asar');
    const all = listPackage(asar, { isPack: false }).map((f) => f.split(path.sep).join('/')).sort();
    // koffi's JavaScript is packed; its binary for this platform sits beside the asar, unpacked.
    const platformPackage = `/node_modules/@koromix/koffi-${process.platform}-${process.arch}`;
    expect(all).toEqual(expect.arrayContaining(['/node_modules/koffi/index.cjs', '/node_modules/koffi/src/koffi/index.cjs', `${platformPackage}/index.js`]));
    const native = path.join(unpacked, 'resources', 'app.asar.unpacked', 'node_modules', '@koromix', `koffi-${process.platform}-${process.arch}`);
    expect(fs.readdirSync(native, { recursive: true }).map(String).filter((f) => f.endsWith('koffi.node')).length).toBeGreaterThan(0);
    expect(all.filter((f) => f.includes('left-over') || f.startsWith('/node_modules/koffi/vendor') || f.startsWith('/node_modules/koffi/doc'))).toEqual([]);
    const files = all.filter((f) => !f.startsWith('/node_modules'));
    expect(files).toEqual([
      '/out',
      '/out/engineWorker.cjs',
      '/out/engineWorker.cjs.LEGAL.txt',
      '/out/main.cjs',
      '/out/placeholder',
      '/out/placeholder/index.html',
      '/out/placeholder/placeholder.css',
      '/out/placeholder/placeholder.js',
      '/out/preload.cjs',
      '/package.json',
    ]);
    const packed = JSON.parse(extractFile(asar, 'package.json').toString()) as { main: string; desktopName: string };
    expect(packed.main).toBe('out/main.cjs');
    expect(packed.desktopName).toBe('tension-desk.desktop');
  }, 120_000);

  it('explains a failed download in plain words after electron-builder’s own output', () => {
    const electron = explainPackagingFailure('  • packaging platform=linux\n  ⨯ getaddrinfo ENOTFOUND github.com  failedTask=build', 1);
    expect(electron).toMatch(/packaging failed \(electron-builder exited with 1\)/);
    expect(electron).toMatch(/download the Electron binary to put in the package from github\.com/);
    expect(electron).toMatch(/TENSION_ELECTRON_DIST=/);
    expect(electron).toContain('(getaddrinfo ENOTFOUND github.com).');
    const tool = explainPackagingFailure('  • using custom unpacked Electron distribution\n  ⨯ failed to build AppImage  error=getaddrinfo ENOTFOUND github.com', 1);
    expect(tool).toMatch(/a packaging tool it needs/);
    expect(explainPackagingFailure('  ⨯ Cannot find module x', 2)).toMatch(/See electron-builder's message above/);
  });
});
