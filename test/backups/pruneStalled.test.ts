// A prune stopped (SIGSTOP, as Ctrl-Z or a VM pause stop it) in its garbage collection for
// longer than the lock's stale time, while another process takes the lock over and makes a
// backup: when the prune goes on, every backup listed must still verify. It built its list of
// the pieces in use before the stop, and removed every piece not on it: the other backup's
// new pieces, and the old ones it shared, went (verify failed, the prune exited 0).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { createBackup, listBackups } from '../../electron/core/backups.ts';
import { verifyBackup } from '../../electron/core/backupChecking.ts';
import { pruneBackups } from '../../electron/core/backupRemoval.ts';
import { storedObjects } from '../../electron/core/backupObjects.ts';
import { exitOf, spawnTs } from '../helpers/runCli.ts';
import { noisyEntityLines } from '../helpers/noisyEntityLines.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'stalledPruneChild.ts');

/** About 1 MB of entity lines per 3,000: several pieces of the backup store. */
const lines = noisyEntityLines;

async function backupOf(data: string, content: string): Promise<string> {
  fs.writeFileSync(path.join(data, 'charts-work.jsonl'), content);
  const engine = await Engine.open({ layout: resolveLayout({ data }), origin: 'cli', lockStaleMs: 2000 });
  try {
    return (await createBackup(engine, 'manual')).id;
  } finally {
    await engine.close();
  }
}

/** Resolves with the child's first stdout line starting with `word`. */
function lineOf(child: ReturnType<typeof spawnTs>, word: string): Promise<string> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${word}" line from the prune: ${seen}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const line = seen.split('\n').find((l) => l.startsWith(`${word} `));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    });
  });
}

describe('a prune stopped in its garbage collection while another process backs up (real SIGSTOP/SIGCONT)', () => {
  for (const mode of ['first', 'unlink'] as const) {
    it(`keeps every piece of the other process's backup (stopped at its ${mode === 'first' ? 'first piece set aside' : 'first piece removed'})`, async () => {
      const data = path.join(tempDir(), '.coaia');
      fs.mkdirSync(data, { recursive: true });
      const first = lines('x');
      const old = await backupOf(data, first);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const kept = await backupOf(data, lines('y'));

      const prune = spawnTs(CHILD, [data, mode]);
      const exited = exitOf(prune, 90_000);
      const stalled = await lineOf(prune, 'stalled');
      expect(stalled).toMatch(/^stalled (\.gc-)?[0-9a-f]{64}$/);
      try {
        // The stopped prune's lock goes stale (2 s); this process takes it over and backs up
        // data that shares most of its pieces with the backup being pruned, and has new ones.
        const made = await backupOf(data, `${first}${lines('z', 400)}`);
        const engine = await Engine.open({ layout: resolveLayout({ data }), readOnly: true });
        expect(verifyBackup(engine, made, { record: false }).ok).toBe(true);
        await engine.close();
      } finally {
        prune.kill('SIGCONT');
      }
      const result = await exited;
      expect(result?.code, result?.stderr).toBe(0);

      const engine = await Engine.open({ layout: resolveLayout({ data }), origin: 'cli' });
      try {
        const ids = listBackups(engine).map((b) => b.id);
        expect(ids).not.toContain(old);
        expect(ids).toContain(kept);
        expect(ids).toHaveLength(2);
        for (const id of ids) expect(verifyBackup(engine, id, { record: false }), id).toMatchObject({ ok: true, problems: [] });
        // A later prune removes what the stopped one left, and nothing else.
        await pruneBackups(engine, { maxAgeDays: 365, keepAtLeast: 10 });
        const named = new Set(listBackups(engine).flatMap((b) => b.files.flatMap((f) => (f.chunks ?? []).map((c) => c.sha256))));
        expect(new Set(storedObjects(engine.fs, path.join(data, '.backup')).keys())).toEqual(named);
        for (const id of ids) expect(verifyBackup(engine, id, { record: false }).ok).toBe(true);
      } finally {
        await engine.close();
      }
    }, 120_000);
  }
});
