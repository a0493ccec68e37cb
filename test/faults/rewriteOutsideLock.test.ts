// A rewrite writes its file (serialized, fsynced, read back: 5-6 s at 100k charts) without the
// data folder's lock, and takes the lock only to swap it into place (Engine.flush,
// prepareRewrite). Other processes then commit meanwhile instead of waiting for the lock; a
// file written of a state that changed before the swap is not used, and never left behind.
// The file system is the real one, watched through the engine's seam (nothing is mocked): the
// moment the rewrite's file is fsynced, the test looks at the lock, and in one case runs a real
// CLI process that commits right then.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { rootPaths } from '../../electron/core/dataRoot.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { listCharts } from '../../electron/core/charts/chartSummaries.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { cliEntry } from '../helpers/runCli.ts';
import { systemError } from './faultyFileSystem.ts';
import { rewriteTempSeam } from './rewriteTempSeam.ts';

afterEach(removeTempDirs);

/** The real file system, telling `onTempSync` each time a rewrite's temporary file of the context is fsynced. */
const watchingFileSystem = (onTempSync: () => void) => rewriteTempSeam({ onSync: onTempSync });

const leftovers = (root: string) => fs.readdirSync(root).filter((name) => name.includes('.tmp-'));

/** These folders are small: their files are written before the lock from any size (by default, from 4 MB). */
const WRITTEN_FIRST = { rewriteOutsideLockFromBytes: 0 };

describe('a rewrite writes its file without the lock', () => {
  it('holds the lock only to swap the file in: nothing holds it while the file is written, and the file is written once', async () => {
    const layout = tempLayout();
    const lock = rootPaths(layout).lock;
    const seen: boolean[] = [];
    const engine = await openEngine(layout, { ...WRITTEN_FIRST, fs: watchingFileSystem(() => seen.push(fs.existsSync(lock))) });
    const charts = new ChartService(engine);
    for (let i = 0; i < 3; i += 1) await charts.create('work', { outcome: `Chart ${i}`, reality: 'r', steps: ['one'] });
    await engine.flush();
    // Written once, with the lock free; then swapped in under it.
    expect(seen).toEqual([false]);
    expect(fs.readFileSync(path.join(layout.root, 'charts-work.jsonl'), 'utf8').split('\n').filter(Boolean)).toHaveLength(await engine.read('work', (state) => state.size));
    expect(leftovers(layout.root)).toEqual([]);
    await engine.close();
    const reopened = await openEngine(layout);
    expect((await listCharts(reopened, 'work')).map((c) => c.desiredOutcome).sort()).toEqual(['Chart 0', 'Chart 1', 'Chart 2']);
    expect(await reopened.read('work', (_state, store) => store.openedFast), 'the swapped-in file is the checkpointed one').toBe(true);
    await reopened.close();
  });

  it('writes a small file under the lock, as before: written first, it would cost more than it spares', async () => {
    const layout = tempLayout();
    const lock = rootPaths(layout).lock;
    const seen: boolean[] = [];
    const engine = await openEngine(layout, { fs: watchingFileSystem(() => seen.push(fs.existsSync(lock))) });
    await new ChartService(engine).create('work', { outcome: 'A small folder', reality: 'r' });
    await engine.flush(); // the file's first write (no size known yet)
    await new ChartService(engine).create('work', { outcome: 'Another', reality: 'r' });
    await engine.flush();
    expect(seen).toEqual([true, true]);
    await engine.close();
  });

  it('lets go of a lease still held from the last commit before it writes the file', async () => {
    const layout = tempLayout();
    const lock = rootPaths(layout).lock;
    const seen: boolean[] = [];
    // A long lease: the lock stays held after each operation, for the next one.
    const engine = await openEngine(layout, { ...WRITTEN_FIRST, lockLeaseMs: 60_000, fs: watchingFileSystem(() => seen.push(fs.existsSync(lock))) });
    await new ChartService(engine).create('work', { outcome: 'Committed under a lease', reality: 'r' });
    expect(fs.existsSync(lock), 'the lease holds the lock after the commit').toBe(true);
    await engine.flush();
    expect(seen).toEqual([false]);
    await engine.close();
  });

  it('lets another process commit while the file is written; that file is not used, the rewrite under the lock holds both', async () => {
    const layout = tempLayout();
    let cli: ReturnType<typeof spawnSync> | undefined;
    let lockHeld: boolean | undefined;
    const engine = await openEngine(layout, {
      ...WRITTEN_FIRST,
      fs: watchingFileSystem(() => {
        if (cli) return;
        lockHeld = fs.existsSync(rootPaths(layout).lock);
        // Right now, in a process of its own, as a person would run it: it must get the lock.
        cli = spawnSync(process.execPath, [cliEntry, 'chart', 'create', '--data', layout.root, '--context', 'work', '--outcome', 'From the CLI, mid-rewrite', '--reality', 'r'], { encoding: 'utf8', timeout: 60_000 });
      }),
    });
    const charts = new ChartService(engine);
    for (let i = 0; i < 3; i += 1) await charts.create('work', { outcome: `Ours ${i}`, reality: 'r' });
    await engine.flush();
    // Not a lock it had to wait for (or take over as stale: ours, held by a thread blocked right here).
    expect(lockHeld).toBe(false);
    expect(cli?.status, String(cli?.stderr)).toBe(0);
    // The CLI's chart is in the file the rewrite left, beside ours.
    const file = fs.readFileSync(path.join(layout.root, 'charts-work.jsonl'), 'utf8');
    for (const outcome of ['Ours 0', 'Ours 1', 'Ours 2', 'From the CLI, mid-rewrite']) expect(file, outcome).toContain(outcome);
    expect(leftovers(layout.root)).toEqual([]);
    await engine.close();
    const reopened = await openEngine(layout);
    expect((await listCharts(reopened, 'work')).map((c) => c.desiredOutcome).sort()).toEqual(['From the CLI, mid-rewrite', 'Ours 0', 'Ours 1', 'Ours 2']);
    await reopened.close();
  });

  it('a commit of this process made while the file is written waits for the swap: the file is written once, and the commit after it', async () => {
    const layout = tempLayout();
    let writes = 0;
    let commit: Promise<unknown> | undefined;
    // The service is made once the engine is open; the seam's hook, made before, finds it here.
    const late: { charts?: ChartService } = {};
    const engine = await openEngine(layout, {
      ...WRITTEN_FIRST,
      fs: watchingFileSystem(() => {
        writes += 1;
        // As a window's request arriving in the middle of the rewrite.
        commit ??= late.charts?.create('work', { outcome: 'Made during the rewrite', reality: 'r' });
      }),
    });
    const charts = (late.charts = new ChartService(engine));
    await charts.create('work', { outcome: 'Before the rewrite', reality: 'r' });
    await engine.flush();
    expect(writes, 'the file written before the lock was the one swapped in').toBe(1);
    await commit;
    const file = () => fs.readFileSync(path.join(layout.root, 'charts-work.jsonl'), 'utf8');
    expect(file()).toContain('Before the rewrite');
    expect(file()).not.toContain('Made during the rewrite');
    await engine.flush();
    expect(file()).toContain('Made during the rewrite');
    expect(leftovers(layout.root)).toEqual([]);
    await engine.close();
  });

  it('removes the file it wrote when the lock never comes', async () => {
    const layout = tempLayout();
    const engine = await openEngine(layout, { ...WRITTEN_FIRST, lockTimeoutMs: 300 });
    await new ChartService(engine).create('work', { outcome: 'Waiting for its rewrite', reality: 'r' });
    // Another process holds the lock (a real one, sleeping with it).
    const holder = spawnSync(process.execPath, ['-e', `fs=require('fs');fs.mkdirSync(${JSON.stringify(rootPaths(layout).lock)});`], { encoding: 'utf8' });
    expect(holder.status).toBe(0);
    await expect(engine.flush()).rejects.toThrow();
    expect(leftovers(layout.root)).toEqual([]);
    fs.rmSync(rootPaths(layout).lock, { recursive: true, force: true });
    await engine.close();
  });

  it('on a full disk: a file that could not be written before the lock is written under it, and one that cannot be written at all leaves nothing behind and loses nothing', async () => {
    for (const always of [false, true]) {
      const layout = tempLayout();
      const lock = rootPaths(layout).lock;
      let refused = 0;
      // ENOSPC on the rewrite's temporary file: before the lock only, or always.
      const seam = rewriteTempSeam({
        beforeWrite(file) {
          if (always || !fs.existsSync(lock)) {
            refused += 1;
            throw systemError('ENOSPC', 'writeSync', file);
          }
        },
      });
      const engine = await openEngine(layout, { ...WRITTEN_FIRST, fs: seam });
      await new ChartService(engine).create('work', { outcome: 'Kept through a full disk', reality: 'r' });
      if (always) await expect(engine.flush()).rejects.toThrow(/space|ENOSPC/i);
      else await engine.flush();
      expect(refused, `always ${always}`).toBeGreaterThan(0);
      expect(leftovers(layout.root), `always ${always}`).toEqual([]);
      if (!always) expect(fs.readFileSync(path.join(layout.root, 'charts-work.jsonl'), 'utf8')).toContain('Kept through a full disk');
      await engine.close().catch(() => undefined);
      // Whatever the file holds, the journal has the commit: a fresh engine shows it.
      const again = await openEngine(layout);
      expect((await listCharts(again, 'work')).map((c) => c.desiredOutcome), `always ${always}`).toEqual(['Kept through a full disk']);
      await again.close();
    }
  });
});
