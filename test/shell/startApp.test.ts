// `npm start` on a fresh clone: the Electron runtime is not there (npm ci never downloads it);
// the first start fetches it, and where it cannot, says plainly what to do. The download is
// pointed at a closed local port (ELECTRON_MIRROR) so the failure is the same with or without
// the internet, and with an empty download cache.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/runCli.ts';
import { tempDir, removeTempDirs } from '../helpers/tempRoot.ts';
import { electronBinary, explainMissingElectron } from '../../build/startApp.ts';

describe('npm start without the Electron runtime', () => {
  it.skipIf(electronBinary() !== undefined)('tries to download it, and when that fails says what to do, exit 1', () => {
    const cache = tempDir('tension-electron-cache-');
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'build', 'startApp.ts')], {
      cwd: repoRoot,
      env: { ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/', electron_config_cache: cache, ELECTRON_GET_NO_PROGRESS: '1', TENSION_START_DRY_RUN: '1' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    removeTempDirs();
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/first start: downloading the Electron runtime/);
    expect(run.stderr).toMatch(/the desktop app needs the Electron runtime .* cannot reach the server it comes from \((ECONNREFUSED|fetch failed)\)/);
    expect(run.stderr).toMatch(/run `npm start` again/);
    expect(run.stderr).toMatch(/node out\/cli\/tension.mjs/);
  });

  it('names the network failure it met, or says the download failed', () => {
    expect(explainMissingElectron('Error: getaddrinfo ENOTFOUND github.com', 1)).toMatch(/cannot reach the server it comes from \(ENOTFOUND\)/);
    expect(explainMissingElectron('checksum mismatch', 1)).toMatch(/the download failed \(exit 1\)/);
  });
});
