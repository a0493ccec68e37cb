// createBackup stores and reads back a backup a slice at a time, outside the data folder's lock
// and the engine's queue (backupCreation.ts): what happens meanwhile must neither wait for it
// nor change what it holds, and a prune in another process must leave it whole. Each backup
// here is held at one pause (slicePause) while real CLI processes commit and prune.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine.ts';
import { contextPaths, resolveLayout, rootPaths } from '../../electron/core/dataRoot.ts';
import { createBackup, listBackups, type BackupProgress } from '../../electron/core/backups.ts';
import { readBackupFile, verifyBackup } from '../../electron/core/backupChecking.ts';
import { backupInProgressIn } from '../../electron/core/backupInProgress.ts';
import { runDueBackups } from '../../electron/core/backupDue.ts';
import { storedObjects } from '../../electron/core/backupObjects.ts';
import { deleteEntity, setEntity } from '../../electron/core/knowledgeGraph.ts';
import { cliEntry, exitOf, spawnCli } from '../helpers/runCli.ts';
import { noisyEntityLines } from '../helpers/noisyEntityLines.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

/** About 1 MB of entity lines per 3,000: several pieces of the backup store. */
const lines = noisyEntityLines;

/**
 * A backup held at its first pause once `when` is true: `held` resolves when it is there, and it
 * goes on at `release()`. Every other pause is a plain turn of the event loop.
 */
function holdAt(when: () => boolean) {
  let reached!: () => void;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (reached = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  let done = false;
  const slicePause = async () => {
    if (!done && when()) {
      done = true;
      reached();
      await gate;
      return;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  return { held, release, slicePause };
}

async function cli(args: string[]) {
  const run = await exitOf(spawnCli(args), 60_000);
  expect(run, `tension ${args.join(' ')} did not finish`).toBeDefined();
  expect(run?.code, `tension ${args.join(' ')}: ${run?.stderr}`).toBe(0);
  return run;
}

const open = (data: string) => Engine.open({ layout: resolveLayout({ data }), rewriteDelayMs: -1, rewriteSliceMs: 0, lockStaleMs: 2000 });

describe('a backup stored in slices, outside the lock', () => {
  it('holds the files as they were when it began, while a window reads, the app commits and rewrites, and the CLI commits meanwhile', async () => {
    const data = tempDir('tension-backup-slices-');
    const paths = contextPaths(resolveLayout({ data }), 'work');
    // Over 4 MB: read in more than one step, so the hold comes with the file read in part.
    fs.writeFileSync(paths.file, lines('a', 15000));
    const engine = await open(data);
    try {
      await engine.transact('work', (state) => setEntity(state, { name: 'before', entityType: 'x' }));
      await engine.flush();
      const fileAtStart = fs.readFileSync(paths.file);
      const journalAtStart = fs.readFileSync(paths.journal);
      expect(fileAtStart.length).toBeGreaterThan(4 * 1024 * 1024);
      const hold = holdAt(() => true);
      const backup = createBackup(engine, 'manual', { slicePause: hold.slicePause });
      await hold.held;
      // Half-way: the engine answers, commits, and swaps a rewritten file in; another process commits.
      expect(await engine.read('work', (state) => state.size)).toBeGreaterThan(15000);
      await engine.transact('work', (state) => setEntity(state, { name: 'during-app', entityType: 'x' }));
      // The first line goes: the rewritten file differs from the first byte on.
      await engine.transact('work', (state) => deleteEntity(state, 'a0'));
      await engine.flush();
      await cli(['entity', 'set', '--name', 'during-cli', '--type', 'x', '--context', 'work', '--data', data]);
      expect(fs.readFileSync(paths.file)).not.toEqual(fileAtStart);
      hold.release();
      const info = await backup;

      expect(verifyBackup(engine, info.id).ok).toBe(true);
      const stored = (role: 'context' | 'journal') => {
        const read = readBackupFile(engine, info, info.files.find((f) => f.context === 'work' && f.role === role)!);
        if ('problem' in read) throw new Error(read.problem);
        return read.bytes;
      };
      expect(stored('context').equals(fileAtStart)).toBe(true);
      expect(stored('journal').equals(journalAtStart)).toBe(true);
      // Every acknowledged write is in the data.
      const names = await engine.read('work', (state) => ['a0', 'before', 'during-app', 'during-cli'].filter((name) => [...state.values()].some((r) => r.name === name)));
      expect(names).toEqual(['before', 'during-app', 'during-cli']);
    } finally {
      await engine.close();
    }
  });

  it("another process's prune meanwhile leaves the unfinished backup and every piece alone; the next prune removes what is no longer named", async () => {
    const data = tempDir('tension-backup-slices-');
    const paths = contextPaths(resolveLayout({ data }), 'work');
    const { backups } = rootPaths(resolveLayout({ data }));
    fs.writeFileSync(paths.file, lines('a', 3000));
    const engine = await open(data);
    try {
      const first = await createBackup(engine, 'first');
      // New content: the second backup stores pieces no manifest names until it is finished.
      fs.appendFileSync(paths.file, lines('b', 3000));
      expect(await engine.read('work', (state) => state.size)).toBe(6000);
      await engine.flush();
      let verifying = false;
      const hold = holdAt(() => verifying);
      const backup = createBackup(engine, 'second', { slicePause: hold.slicePause, onProgress: (p: BackupProgress) => (verifying ||= p.phase === 'verifying') });
      await hold.held;
      const partial = fs.readdirSync(backups).filter((name) => name.endsWith('.partial'));
      expect(partial).toHaveLength(1);
      expect(backupInProgressIn(engine.fs, path.join(backups, partial[0] as string))).toBe(true);
      const objectsBefore = storedObjects(engine.fs, backups).size;
      // Would remove every unfinished folder and every piece no manifest names.
      await cli(['backup', 'prune', '--days', '0', '--keep', '1', '--data', data]);
      expect(fs.existsSync(path.join(backups, partial[0] as string))).toBe(true);
      expect(storedObjects(engine.fs, backups).size).toBe(objectsBefore);
      hold.release();
      const second = await backup;
      expect(verifyBackup(engine, second.id).ok).toBe(true);
      expect(listBackups(engine).map((b) => b.id).sort()).toEqual([first.id, second.id].sort());

      // Finished, it holds nothing off: the first backup goes, with the pieces only it named.
      await cli(['backup', 'prune', '--days', '0', '--keep', '1', '--data', data]);
      expect(listBackups(engine).map((b) => b.id)).toEqual([second.id]);
      expect(storedObjects(engine.fs, backups).size).toBeLessThan(objectsBefore);
      expect(verifyBackup(engine, second.id).ok).toBe(true);
    } finally {
      await engine.close();
    }
  });

  it('stops when the engine closes half-way: the unfinished folder goes, nothing is listed, and the close is not held up', async () => {
    const data = tempDir('tension-backup-slices-');
    const layout = resolveLayout({ data });
    fs.writeFileSync(contextPaths(layout, 'work').file, lines('a', 3000));
    const engine = await open(data);
    let storing = 0;
    const hold = holdAt(() => storing > 0);
    const backup = createBackup(engine, 'manual', { slicePause: hold.slicePause, onProgress: (p: BackupProgress) => (storing += p.phase === 'storing' ? 1 : 0) });
    const failed = backup.catch((error: unknown) => error);
    await hold.held;
    await engine.close();
    hold.release();
    expect(await failed).toMatchObject({ message: expect.stringMatching(/closing; the backup was not finished/) });
    expect(fs.readdirSync(rootPaths(layout).backups).filter((name) => name !== 'objects')).toEqual([]);
    const again = await open(data);
    try {
      expect(listBackups(again)).toEqual([]);
    } finally {
      await again.close();
    }
  });

  it("an unfinished folder's note holds prunes off only while its process lives, and for a day at most", async () => {
    const data = tempDir('tension-backup-slices-');
    const { backups } = rootPaths(resolveLayout({ data }));
    const note = (name: string, pid: number, started: Date, host = os.hostname()) => {
      fs.mkdirSync(path.join(backups, name), { recursive: true });
      fs.writeFileSync(path.join(backups, name, 'in-progress.json'), JSON.stringify({ pid, host, started: started.toISOString() }));
      return path.join(backups, name);
    };
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid as number;
    const livePid = process.ppid;
    const now = Date.now();
    const fsys = (await import('../../electron/core/fileSystem.ts')).realFileSystem;
    expect(backupInProgressIn(fsys, note('a.partial', livePid, new Date(now - 60_000)), now)).toBe(true);
    expect(backupInProgressIn(fsys, note('b.partial', deadPid, new Date(now - 60_000)), now)).toBe(false);
    expect(backupInProgressIn(fsys, note('c.partial', livePid, new Date(now - 25 * 3600_000)), now)).toBe(false);
    // A note of this very process that no backup of it holds (one that could not remove it).
    expect(backupInProgressIn(fsys, note('d.partial', process.pid, new Date(now - 60_000)), now)).toBe(false);
    fs.mkdirSync(path.join(backups, 'e.partial'));
    expect(backupInProgressIn(fsys, path.join(backups, 'e.partial'), now)).toBe(false);
    // Written on another machine sharing the folder: its process cannot be looked at from here.
    expect(backupInProgressIn(fsys, note('f.partial', deadPid, new Date(now - 60_000), 'another-machine'), now)).toBe(true);
    expect(backupInProgressIn(fsys, note('g.partial', deadPid, new Date(now - 25 * 3600_000), 'another-machine'), now)).toBe(false);
    // A real prune removes every unfinished folder but those of live processes (to it, this
    // test's process is one: d stays).
    await cli(['backup', 'prune', '--days', '0', '--keep', '1', '--data', data]);
    expect(fs.readdirSync(backups).filter((name) => name.endsWith('.partial')).sort()).toEqual(['a.partial', 'd.partial', 'f.partial']);
  });

  it('a scheduled backup claims its slots while it is stored: another process checking the schedule then takes none', async () => {
    const data = tempDir('tension-backup-slices-');
    fs.writeFileSync(contextPaths(resolveLayout({ data }), 'work').file, lines('a', 3000));
    const now = new Date();
    const engine = await open(data);
    try {
      const hold = holdAt(() => true);
      const due = runDueBackups(engine, { now, slicePause: hold.slicePause });
      await hold.held;
      // The same moment, in another process: the daily slot is being taken.
      const other = await cli(['backup', 'due', '--now', now.toISOString(), '--data', data]);
      expect(other?.stdout).not.toMatch(/took the/);
      hold.release();
      const report = await due;
      expect(report.taken?.kinds).toContain('daily');
      const list = listBackups(engine);
      expect(list.map((b) => b.id)).toEqual([report.taken?.id]);
      expect(verifyBackup(engine, list[0]?.id as string).ok).toBe(true);
    } finally {
      await engine.close();
    }
  });

  // Review: a torn tail (a crash mid-append) is cut by the next writer and written over; taken
  // into the size read, the backup stored commits made after it began (or failed, cut shorter).
  it("stores a journal up to its last complete entry: a torn tail, written over by another process's commits meanwhile, is not stored", async () => {
    const data = tempDir('tension-backup-slices-');
    const paths = contextPaths(resolveLayout({ data }), 'work');
    fs.writeFileSync(paths.file, lines('a', 6000));
    let engine = await open(data);
    await engine.transact('work', (state) => setEntity(state, { name: 'before', entityType: 'x' }));
    await engine.flush();
    await engine.close();
    const complete = fs.readFileSync(paths.journal);
    expect(complete.length).toBeGreaterThan(1024 * 1024);
    fs.appendFileSync(paths.journal, `{"kind":"commit","seq":99,"torn":"${'z'.repeat(1500)}`);
    engine = await open(data);
    try {
      const hold = holdAt(() => true);
      const backup = createBackup(engine, 'manual', { slicePause: hold.slicePause });
      await hold.held;
      for (let i = 0; fs.statSync(paths.journal).size < complete.length + 2000; i += 1) await cli(['entity', 'set', '--name', `cli-${i}`, '--type', 'x', '--context', 'work', '--data', data]);
      hold.release();
      const info = await backup;
      const journal = readBackupFile(engine, info, info.files.find((f) => f.role === 'journal')!);
      expect('bytes' in journal && journal.bytes.equals(complete)).toBe(true);
      expect(verifyBackup(engine, info.id).ok).toBe(true);
    } finally {
      await engine.close();
    }
  });

  // Review: a peer that writes the file in place (truncate and write, as the reference MCP server
  // does) while it was read in slices left a backup of a file that never existed, verified.
  it.each([
    ['as long as before', 15000],
    ['shorter than the part already read', 3000],
  ])('stores again, whole, a context file another program wrote in place while it was read (%s)', async (_how, peerLines) => {
    const data = tempDir('tension-backup-slices-');
    const paths = contextPaths(resolveLayout({ data }), 'work');
    fs.writeFileSync(paths.file, lines('a', 15000));
    const engine = await open(data);
    try {
      await engine.read('work', () => undefined);
      const hold = holdAt(() => true);
      const backup = createBackup(engine, 'manual', { slicePause: hold.slicePause });
      await hold.held;
      const peer = lines('p', peerLines);
      fs.writeFileSync(paths.file, peer);
      hold.release();
      const info = await backup;
      const stored = readBackupFile(engine, info, info.files.find((f) => f.role === 'context')!);
      expect('bytes' in stored && stored.bytes.toString('utf8') === peer).toBe(true);
      expect(verifyBackup(engine, info.id).ok).toBe(true);
    } finally {
      await engine.close();
    }
  });

  // Review: every file was held open at once (two per context); with many contexts the backup
  // failed with EMFILE, the schedule's and the safety copies' too.
  it('backs up 60 contexts in a real CLI process allowed 64 open files', async () => {
    const data = tempDir('tension-backup-slices-');
    const layout = resolveLayout({ data });
    for (let i = 0; i < 60; i += 1) fs.writeFileSync(contextPaths(layout, `c${i}`).file, lines('a', 20));
    // A manual backup, then the schedule's (whose policy then lets the manual one go).
    for (const [args, kind] of [[['backup', 'create'], 'manual'], [['backup', 'due'], 'monthly']] as const) {
      const run = spawnSync('bash', ['-c', `ulimit -n 64 && exec "$0" "$@"`, process.execPath, cliEntry, ...args, '--data', data], { encoding: 'utf8', timeout: 120_000 });
      expect(run.status, `${args.join(' ')}: ${run.stderr}`).toBe(0);
      const engine = await open(data);
      try {
        const [newest] = listBackups(engine);
        expect(newest?.kind).toBe(kind);
        expect(newest?.files).toHaveLength(60);
        expect(verifyBackup(engine, newest?.id as string).ok).toBe(true);
      } finally {
        await engine.close();
      }
    }
  });

  it('is not listed when a piece it stored goes missing before it finishes, and says so', async () => {
    const data = tempDir('tension-backup-slices-');
    fs.writeFileSync(contextPaths(resolveLayout({ data }), 'work').file, lines('a', 6000));
    const { backups } = rootPaths(resolveLayout({ data }));
    const engine = await open(data);
    try {
      let removed = false;
      const onProgress = (p: BackupProgress) => {
        // Read back whole: one of its pieces now goes, as another program might remove it.
        if (p.phase === 'verifying' && p.done === p.total && !removed) {
          const [piece] = storedObjects(engine.fs, backups).keys();
          fs.rmSync(path.join(backups, 'objects', (piece as string).slice(0, 2), piece as string));
          removed = true;
        }
      };
      const error = await createBackup(engine, 'manual', { onProgress }).catch((e: unknown) => e);
      expect(removed).toBe(true);
      expect(error).toMatchObject({ code: 'IO_ERROR', message: expect.stringMatching(/went missing before the backup was finished/) });
      expect(listBackups(engine)).toEqual([]);
      expect(fs.readdirSync(backups).filter((name) => name.endsWith('.partial'))).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  // Review: the claim named only the kind of slot; a check just past midnight left the new
  // day's daily to a backup that fills the day before, and (run once a day) never took it.
  it("a scheduled backup's claim is for its own day, week and month: a check on the next day takes that day's daily", async () => {
    const data = tempDir('tension-backup-slices-');
    fs.writeFileSync(contextPaths(resolveLayout({ data }), 'work').file, lines('a', 3000));
    const tuesday = new Date('2026-03-10T12:00:00Z');
    const wednesday = new Date('2026-03-11T12:00:00Z');
    const engine = await open(data);
    try {
      const hold = holdAt(() => true);
      const due = runDueBackups(engine, { now: tuesday, slicePause: hold.slicePause });
      await hold.held;
      const other = await cli(['backup', 'due', '--now', wednesday.toISOString(), '--data', data]);
      expect(other?.stdout).toMatch(/took the daily backup/);
      hold.release();
      expect((await due).taken?.kinds).toEqual(['daily', 'weekly', 'monthly']);
      const kinds = listBackups(engine).map((b) => [b.created, b.kinds]);
      expect(kinds).toEqual([[wednesday.toISOString(), ['daily']], [tuesday.toISOString(), ['daily', 'weekly', 'monthly']]]);
    } finally {
      await engine.close();
    }
  });

  // Review: the claim named its periods by the app's calendar; a check in another time zone
  // (a cron job with its own TZ, a second machine) read another day and took a second backup.
  it('a claim is read with the checking process\'s own calendar, as a finished backup is: a check in another time zone takes nothing', async () => {
    const data = tempDir('tension-backup-slices-');
    fs.writeFileSync(contextPaths(resolveLayout({ data }), 'work').file, lines('a', 3000));
    const now = new Date('2026-03-10T20:00:00Z');
    const engine = await open(data);
    try {
      const hold = holdAt(() => true);
      const due = runDueBackups(engine, { now, slicePause: hold.slicePause });
      await hold.held;
      // UTC+14: the same moment is already 11 March there.
      const run = await exitOf(spawnCli(['backup', 'due', '--now', now.toISOString(), '--data', data], { env: { TZ: 'Pacific/Kiritimati' } }), 60_000);
      expect(run?.code, run?.stderr).toBe(0);
      expect(run?.stdout).not.toMatch(/took the/);
      hold.release();
      expect((await due).taken?.id).toBeDefined();
      expect(listBackups(engine)).toHaveLength(1);
    } finally {
      await engine.close();
    }
  });
});
