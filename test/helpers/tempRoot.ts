// Temporary data roots for tests: a real folder on the real disk, removed afterwards.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine, type EngineOptions } from '../../electron/core/engine.ts';
import { resolveLayout, type DataLayout } from '../../electron/core/dataRoot.ts';

const made: string[] = [];

export function tempDir(prefix = 'tension-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function tempLayout(): DataLayout {
  return resolveLayout({ data: path.join(tempDir(), '.coaia') });
}

/** Linux's memory-backed folder, where fsync costs nothing; undefined elsewhere. */
const MEMORY_FOLDER = process.platform === 'linux' && fs.existsSync('/dev/shm') ? '/dev/shm' : undefined;

/**
 * A data root in memory where the system has one (else on disk, as tempLayout): for tests of
 * what the engine decides over hundreds of steps (a simulated year of backups), where the
 * fsyncs of a real disk would only cost time. Durability is tested elsewhere, on the real disk.
 */
export function memoryTempLayout(): DataLayout {
  const dir = fs.mkdtempSync(path.join(MEMORY_FOLDER ?? os.tmpdir(), 'tension-test-'));
  made.push(dir);
  return resolveLayout({ data: path.join(dir, '.coaia') });
}

/**
 * An engine for tests: context files rewritten on flush/close only, and the lock released after
 * every operation (no lease), since tests run the CLI with spawnSync, which blocks this event
 * loop: a lease could then not be released while the CLI waits for it.
 */
export function openEngine(layout: DataLayout, options: Partial<EngineOptions> = {}): Promise<Engine> {
  return Engine.open({ layout, rewriteDelayMs: -1, lockLeaseMs: 0, ...options });
}

/** Removes the folders made; with KEEP_TEMP=1 in the environment, keeps them and says where (to look into a failing race). */
export function removeTempDirs(): void {
  if (process.env.KEEP_TEMP) {
    for (const dir of made.splice(0)) process.stdout.write(`kept ${dir}\n`);
    return;
  }
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
