// A real full disk: a 1 MB tmpfs, filled until the kernel says ENOSPC (no simulation: the
// kernel's own short writes and ENOSPC). Commits go on until one fails; that one must fail
// clearly (DISK_FULL, naming the journal), everything acknowledged before must still be there
// for a fresh process, the context file must never be swapped for a cut one, and once space
// is freed the next commit and rewrite must simply work.
// Needs root (or CAP_SYS_ADMIN) to mount; without it the tests skip and say why.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../electron/core/errors.ts';
import { contextPaths, resolveLayout, type DataLayout } from '../../electron/core/dataRoot.ts';
import { setEntity } from '../../electron/core/knowledgeGraph.ts';
import { createBackup, listBackups } from '../../electron/core/backups.ts';
import { verifyBackup } from '../../electron/core/backupChecking.ts';
import { readJournal } from '../../electron/core/journalFile.ts';
import { realFileSystem } from '../../electron/core/fileSystem.ts';
import { parseContextBytes } from '../../electron/core/contextFile.ts';
import { openEngine } from '../helpers/tempRoot.ts';
import { failureOf, graphsOnDisk, verifyProblems } from './support.ts';
import { fileView, writeChart } from './scenarios.ts';

let mountPoint = '';
let mounted = false;
let whyNot = '';

beforeAll(() => {
  mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'tension-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    mounted = true;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    whyNot = `cannot mount a 1 MB tmpfs at ${mountPoint} (${stderr || (error as Error).message}); a real full disk needs root or CAP_SYS_ADMIN — the simulated ENOSPC walk in ioErrors.test.ts still runs`;
    console.warn(`diskFull.test.ts skipped: ${whyNot}`);
  }
});

afterAll(() => {
  if (mounted) {
    try {
      execFileSync('umount', [mountPoint], { stdio: 'pipe' });
    } catch {
      execFileSync('umount', ['-l', mountPoint], { stdio: 'pipe' });
    }
  }
  fs.rmSync(mountPoint, { recursive: true, force: true });
});

/** Fills the file system to the last byte with one file; returns it (shrink it to free space). */
function fillDisk(dir: string): { filler: string } {
  const filler = path.join(dir, 'filler.bin');
  const fd = fs.openSync(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    fs.closeSync(fd);
  }
  return { filler };
}

/** Frees `bytes` of the filler (tmpfs gives the pages back at once). */
function freeSome(disk: { filler: string }, bytes: number): void {
  const size = fs.statSync(disk.filler).size;
  fs.truncateSync(disk.filler, Math.max(0, size - bytes));
}

function freeSpace(disk: { filler: string }): void {
  fs.rmSync(disk.filler, { force: true });
}

function freshRoot(name: string): DataLayout {
  return resolveLayout({ data: path.join(mountPoint, name, '.coaia') });
}

const big = (i: number) => ({ name: `note_${i}`, entityType: 'note', observations: [`${i}: ${'x'.repeat(1500)}`] });

describe('a real disk that fills up (1 MB tmpfs)', () => {
  it('commits go on until the disk is full; the failing one says DISK_FULL and names the journal; nothing acknowledged is lost; freeing space makes the next commit and rewrite work', async (ctx) => {
    ctx.skip(!mounted, whyNot);
    const layout = freshRoot('commits');
    const paths = contextPaths(layout, 'default');
    const engine = await openEngine(layout, { lockTimeoutMs: 5_000 });
    let disk: { filler: string } | undefined;
    try {
      await writeChart(engine, 'default', 'chart_alpha');
      await engine.flush();
      const fileBefore = fs.readFileSync(paths.file);

      disk = fillDisk(mountPoint);
      // 24 KB free: some commits fit, then one meets the full disk (often mid-write).
      freeSome(disk, 24 * 1024);

      const acknowledged: string[] = [];
      let failure: unknown;
      for (let i = 0; i < 200 && failure === undefined; i += 1) {
        failure = await failureOf(() => engine.transact('default', (state) => setEntity(state, big(i))));
        if (failure === undefined) acknowledged.push(`note_${i}`);
      }
      expect(acknowledged.length, 'some commits should fit in the space left').toBeGreaterThan(0);
      expect(failure, 'the disk never filled up').toBeInstanceOf(EngineError);
      const error = failure as EngineError;
      expect(error.code).toBe('DISK_FULL');
      expect(error.file).toBe(paths.journal);
      expect(error.message).toContain(path.basename(paths.journal));
      expect(error.message).toMatch(/disk is full/);
      const failedName = `note_${acknowledged.length}`;

      // It stays a clear error while the disk stays full.
      const again = await failureOf(() => engine.transact('default', (state) => setEntity(state, big(acknowledged.length))));
      expect((again as EngineError).code).toBe('DISK_FULL');

      // The journal was cut back to its last whole entry: no torn line left by the failed append.
      const journal = readJournal(realFileSystem, paths.journal);
      expect(journal.tornTail, 'a failed append left a torn line in the journal').toBeUndefined();
      expect(journal.bad).toEqual([]);

      // Rewriting the context file cannot work now; the old file must stay, whole.
      const flushFailure = await failureOf(() => engine.flush());
      expect(flushFailure).toBeInstanceOf(EngineError);
      expect((flushFailure as EngineError).code).toBe('DISK_FULL');
      expect((flushFailure as EngineError).message).toContain(path.basename(paths.file));
      expect(fs.readFileSync(paths.file).equals(fileBefore), 'the context file was replaced while the disk was full').toBe(true);
      expect(parseContextBytes(fs.readFileSync(paths.file)).bad).toEqual([]);

      // Some space, but less than the new file needs: the rewrite fails part-way through its
      // temporary file; the old file stays and no temporary file is left to eat the space.
      freeSome(disk, 8 * 1024);
      const partFailure = await failureOf(() => engine.flush());
      expect((partFailure as EngineError)?.code).toBe('DISK_FULL');
      expect(fs.readFileSync(paths.file).equals(fileBefore), 'the context file was replaced by a cut one').toBe(true);
      expect(fs.readdirSync(layout.root).filter((name) => name.includes('.tmp-')), 'temporary files were left behind').toEqual([]);

      // A fresh process sees every acknowledged commit and not the failed one.
      const seen = (await graphsOnDisk(layout)).default!;
      for (const name of acknowledged) expect(seen.entities[name], `${name} was acknowledged but is lost`).toBeDefined();
      expect(seen.entities[failedName], 'the failed commit became visible').toBeUndefined();

      // Space comes back: the same change now commits, and the rewrite goes through.
      freeSpace(disk);
      disk = undefined;
      await engine.transact('default', (state) => setEntity(state, big(acknowledged.length)));
      await engine.flush();
      const file = fileView(layout, 'default');
      expect(file.bad).toBe(0);
      for (const name of [...acknowledged, failedName]) expect(file.view.entities[name], `${name} is missing from the rewritten file`).toBeDefined();
      await engine.close();
      expect(await verifyProblems(layout)).toEqual([]);
    } finally {
      if (disk) freeSpace(disk);
      await engine.close().catch(() => undefined);
    }
  });

  it('a backup on a full disk fails with DISK_FULL, leaves no half-made backup, and works once space is freed', async (ctx) => {
    ctx.skip(!mounted, whyNot);
    const layout = freshRoot('backups');
    const engine = await openEngine(layout, { lockTimeoutMs: 5_000 });
    let disk: { filler: string } | undefined;
    try {
      await writeChart(engine, 'default', 'chart_alpha');
      await writeChart(engine, 'work', 'chart_beta');
      await engine.flush();
      const before = await graphsOnDisk(layout);

      disk = fillDisk(mountPoint);
      const failure = await failureOf(() => createBackup(engine, 'on a full disk'));
      expect(failure).toBeInstanceOf(EngineError);
      expect((failure as EngineError).code).toBe('DISK_FULL');
      expect((failure as EngineError).file).toBeDefined();
      expect(listBackups(engine)).toEqual([]);
      const backups = path.join(layout.root, '.backup');
      const leftovers = fs.existsSync(backups) ? fs.readdirSync(backups) : [];
      expect(leftovers, 'an unfinished backup folder was left on the full disk').toEqual([]);
      expect(await graphsOnDisk(layout)).toEqual(before);

      freeSpace(disk);
      disk = undefined;
      const info = await createBackup(engine, 'after freeing space');
      expect(verifyBackup(engine, info.id).ok).toBe(true);
      await engine.close();
    } finally {
      if (disk) freeSpace(disk);
      await engine.close().catch(() => undefined);
    }
  });
});
