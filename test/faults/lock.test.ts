// The cross-process lock and bad input. A lock held by another live process makes a commit
// fail with BUSY once lockTimeoutMs has passed — never a hang; a lock left behind by a process
// killed with SIGKILL is reclaimed and the next commit goes through quickly. Wall-time bounds:
// the lower ones are exact (nothing gives up early, nothing takes a lock before it is stale);
// the upper ones only tell the behaviour apart from the wrong one (waiting out a stale time of
// 30 s or more, or a hang), so they leave a busy machine many seconds of room. Bad input (empty
// names, huge strings, `../` context names, metadata with `__proto__` keys) gets BAD_INPUT and
// changes nothing on disk, byte for byte.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../electron/core/engine.ts';
import { EngineError } from '../../electron/core/errors.ts';
import { rootPaths, validateContextName, type DataLayout } from '../../electron/core/dataRoot.ts';
import { addRelation, readGraph, setEntity, type EntityInput } from '../../electron/core/knowledgeGraph.ts';
import { createBackup } from '../../electron/core/backups.ts';
import { restoreBackup } from '../../electron/core/backupRestoring.ts';
import { acquireRootLock } from '../../electron/core/rootLock.ts';
import { openEngine, removeTempDirs } from '../helpers/tempRoot.ts';
import { holdLockInChild, killLockHolders } from '../helpers/lockHolderChild.ts';
import { copyRoot, diffTrees, failureOf, graphsOnDisk, removeScratchDirs, snapshotTree } from './support.ts';
import { buildSettledRoot, writeChart } from './scenarios.ts';

afterEach(() => {
  // Only the processes this file started, by their ids.
  killLockHolders();
});

afterAll(() => {
  removeScratchDirs();
  removeTempDirs();
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

const timed = async <T>(work: () => Promise<T>): Promise<{ ms: number; error: unknown }> => {
  const start = Date.now();
  const error = await failureOf(work);
  return { ms: Date.now() - start, error };
};

const note: EntityInput = { name: 'lock_test_note', entityType: 'note', observations: ['written once the lock is free'] };

describe('the data folder lock', () => {
  let base: DataLayout;
  beforeAll(async () => {
    base = await buildSettledRoot();
  });

  it('a commit while another live process holds the lock fails with BUSY after lockTimeoutMs, never hangs, and changes nothing', async () => {
    const layout = copyRoot(base);
    const engine = await openEngine(layout, { lockTimeoutMs: 300 });
    try {
      await engine.read('work', (state) => readGraph(state));
      const holder = await holdLockInChild(layout);
      const lockDir = rootPaths(layout).lock;
      const before = snapshotTree(layout.root);

      const attempts: [string, () => Promise<unknown>][] = [
        ['a commit', () => engine.transact('work', (state) => setEntity(state, note))],
        ['a backup', () => createBackup(engine, 'while locked')],
      ];
      for (const [what, attempt] of attempts) {
        const { ms, error } = await timed(attempt);
        expect(error, `${what} did not fail while another process held the lock`).toBeInstanceOf(EngineError);
        expect((error as EngineError).code, what).toBe('BUSY');
        expect((error as EngineError).file).toBe(lockDir);
        expect((error as EngineError).message).toContain(lockDir);
        expect(ms, `${what} gave up too early`).toBeGreaterThanOrEqual(250);
        // Not a hang: the holder stays alive and keeps its lock fresh, so only the deadline ends the wait.
        expect(ms, `${what} waited far longer than lockTimeoutMs`).toBeLessThan(15_000);
      }
      expect(diffTrees(before, snapshotTree(layout.root))).toEqual([]);
      expect(isAlive(holder.pid)).toBe(true);
    } finally {
      await engine.close().catch(() => undefined);
    }
    expect((await graphsOnDisk(layout)).work!.entities[note.name]).toBeUndefined();
  });

  it('a process waiting for the lock takes it as soon as its holder releases it, not after its pause between tries', async () => {
    const layout = copyRoot(base);
    const lockDir = rootPaths(layout).lock;
    const holder = await holdLockInChild(layout);
    // A pause of a minute between two tries: only being woken by the release makes the wait short.
    let takenAt: number | undefined;
    const waiting = acquireRootLock(layout.root, lockDir, { timeoutMs: 180_000, staleMs: 10_000, pauseMs: 60_000 }).then((lock) => {
      takenAt = Date.now();
      return lock;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(takenAt, 'the lock was taken while another live process held it').toBeUndefined();
    const releasedAt = Date.now();
    holder.child.kill('SIGTERM');
    const lock = await waiting;
    try {
      expect(takenAt!).toBeGreaterThanOrEqual(releasedAt);
      expect(fs.existsSync(lockDir)).toBe(true);
    } finally {
      await lock.release();
    }
  }, 30_000);

  it('a waiter whose watch fails (watch mocked: running out of inotify watches cannot be made for one process here) still takes the lock after the release, by its pause', async () => {
    const failures: { what: string; watch: typeof fs.watch }[] = [
      {
        what: 'watch throws (ENOSPC, the inotify limit)',
        watch: (() => {
          throw Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' });
        }) as unknown as typeof fs.watch,
      },
      {
        what: 'the watcher reports an error and never an event',
        watch: ((folder: string, options: fs.WatchOptions) => {
          const watcher = fs.watch(folder, options, () => undefined);
          setImmediate(() => watcher.emit('error', Object.assign(new Error('EIO'), { code: 'EIO' })));
          return watcher;
        }) as unknown as typeof fs.watch,
      },
    ];
    for (const { what, watch } of failures) {
      const layout = copyRoot(base);
      const lockDir = rootPaths(layout).lock;
      const holder = await holdLockInChild(layout);
      let takenAt: number | undefined;
      // Pauses of at most 400 ms between tries: without the watch, the pause is what ends the wait.
      const waiting = acquireRootLock(layout.root, lockDir, { timeoutMs: 60_000, staleMs: 10_000, pauseMs: 200, watch }).then((lock) => {
        takenAt = Date.now();
        return lock;
      });
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(takenAt, `${what}: the lock was taken while another live process held it`).toBeUndefined();
      const releasedAt = Date.now();
      holder.child.kill('SIGTERM');
      const lock = await waiting;
      try {
        expect(takenAt!, what).toBeGreaterThanOrEqual(releasedAt);
        expect(takenAt! - releasedAt, `${what}: the waiter did not try again within a few pauses`).toBeLessThan(10_000);
        expect(fs.existsSync(lockDir), what).toBe(true);
      } finally {
        await lock.release();
      }
    }
  }, 60_000);

  it('a lock left by a process killed with SIGKILL is reclaimed: the next commit succeeds quickly', async () => {
    const layout = copyRoot(base);
    const holder = await holdLockInChild(layout);
    holder.child.kill('SIGKILL');
    process.kill(holder.pid, 'SIGKILL');
    expect(await waitFor(() => !isAlive(holder.pid), 5_000), 'the lock holder did not die').toBe(true);
    const lockDir = rootPaths(layout).lock;
    expect(fs.existsSync(lockDir), 'the killed process should have left its lock behind').toBe(true);

    // The stale time is long (30 s): only knowing the owner is dead makes this quicker than that.
    const engine = await openEngine(layout, { lockTimeoutMs: 40_000, lockStaleMs: 30_000 });
    try {
      const { ms, error } = await timed(() => engine.transact('work', (state) => setEntity(state, note)));
      expect(error).toBeUndefined();
      expect(ms, 'the dead process lock was waited out (30 s stale time) instead of reclaimed at once').toBeLessThan(15_000);
    } finally {
      await engine.close();
    }
    // (Whether close() waits for the release is its own test below.)
    expect(await waitFor(() => !fs.existsSync(lockDir), 1_000), 'the lock was not released after the commit').toBe(true);
    expect((await graphsOnDisk(layout)).work!.entities[note.name]).toBeDefined();
  });

  it.each([
    ['released at once after each operation (lockLeaseMs 0)', 0],
    ['kept as a short lease (the default)', undefined],
  ] as const)('close() resolves only once the lock is released, so a process can exit right after it: %s', async (_label, lockLeaseMs) => {
    const layout = copyRoot(base);
    const lockDir = rootPaths(layout).lock;
    const leftBehind: number[] = [];
    // A race: one round shows it now and then, fifty nearly always.
    for (let round = 0; round < 50; round += 1) {
      const engine = await openEngine(layout, lockLeaseMs === undefined ? { lockLeaseMs: undefined } : { lockLeaseMs });
      await engine.transact('work', (state) => setEntity(state, { ...note, observations: [`round ${round}`] }));
      await engine.close();
      if (fs.existsSync(lockDir)) leftBehind.push(round);
      // Let a trailing release finish before the next round.
      await waitFor(() => !fs.existsSync(lockDir), 2_000);
    }
    expect(leftBehind, 'the lock directory still existed when close() had resolved (in these rounds)').toEqual([]);
  });

  it('a lock left without an owner note (a crash right after taking it) is reclaimed once it is stale', async () => {
    const layout = copyRoot(base);
    const lockDir = rootPaths(layout).lock;
    fs.mkdirSync(lockDir);
    const engine = await openEngine(layout, { lockTimeoutMs: 30_000, lockStaleMs: 2_000 });
    try {
      const { ms, error } = await timed(() => engine.transact('work', (state) => setEntity(state, note)));
      expect(error, 'the stale lock was not reclaimed before the 30 s deadline').toBeUndefined();
      expect(ms, 'the lock was taken before it was stale').toBeGreaterThanOrEqual(1_500);
      expect(ms, 'reclaiming the stale lock took far longer than its 2 s stale time').toBeLessThan(15_000);
    } finally {
      await engine.close();
    }
  });

  it('a lock without an owner note made after the waiter began (its maker killed right after making it) is waited out, not refused just before it turns stale', async () => {
    const layout = copyRoot(base);
    const lockDir = rootPaths(layout).lock;
    fs.mkdirSync(lockDir);
    // Made as if 2 s from now: stale 4 s from now, after the waiter's 3 s timeout.
    const madeAt = new Date(Date.now() + 2_000);
    fs.utimesSync(lockDir, madeAt, madeAt);
    const engine = await openEngine(layout, { lockTimeoutMs: 3_000, lockStaleMs: 2_000 });
    try {
      const { ms, error } = await timed(() => engine.transact('work', (state) => setEntity(state, note)));
      expect(error, 'refused before the lock turned stale').toBeUndefined();
      expect(ms, 'the lock was taken before it was stale').toBeGreaterThanOrEqual(3_500);
    } finally {
      await engine.close();
    }
  });

  it('a lock that never goes stale in time still ends in BUSY at the deadline, not a hang', async () => {
    const layout = copyRoot(base);
    fs.mkdirSync(rootPaths(layout).lock);
    const engine = await openEngine(layout, { lockTimeoutMs: 400, lockStaleMs: 60_000 });
    try {
      const { ms, error } = await timed(() => engine.transact('work', (state) => setEntity(state, note)));
      expect((error as EngineError).code).toBe('BUSY');
      expect(ms, 'gave up before lockTimeoutMs').toBeGreaterThanOrEqual(350);
      // Neither a hang nor a wait for the 60 s stale time.
      expect(ms, 'waited far past lockTimeoutMs').toBeLessThan(15_000);
    } finally {
      await engine.close().catch(() => undefined);
    }
  });
});

// ------------------------------------------------------------------ bad input

describe('bad input is refused with BAD_INPUT and changes nothing on disk', () => {
  let layout: DataLayout;
  let engine: Engine;
  let backupId: string;

  beforeAll(async () => {
    layout = copyRoot(await buildSettledRoot());
    engine = await openEngine(layout);
    await writeChart(engine, 'default', 'chart_more');
    backupId = (await createBackup(engine, 'for bad restore requests')).id;
    for (const context of engine.listContextNames()) await engine.read(context, (state) => readGraph(state));
    await engine.flush();
  });

  afterAll(async () => {
    await engine.close();
  });

  const proto = JSON.parse('{"__proto__":{"polluted":"yes"}}') as Record<string, unknown>;
  const ctor = JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}') as Record<string, unknown>;
  let deep: unknown = 'leaf';
  for (let i = 0; i < 40; i += 1) deep = { level: deep };

  const entityCases: [string, EntityInput][] = [
    ['an empty name', { name: '', entityType: 'note' }],
    ['a name of spaces', { name: '   ', entityType: 'note' }],
    ['a name of 10 000 characters', { name: 'n'.repeat(10_000), entityType: 'note' }],
    ['a name of 5 MB', { name: 'n'.repeat(5 << 20), entityType: 'note' }],
    ['a NUL in the name', { name: 'a\u0000b', entityType: 'note' }],
    ['an empty type', { name: 'ok_name', entityType: '' }],
    ['an empty observation', { name: 'ok_name', entityType: 'note', observations: [''] }],
    ['an observation of 200 000 characters', { name: 'ok_name', entityType: 'note', observations: ['o'.repeat(200_000)] }],
    ['a name that is not text', { name: 42 as unknown as string, entityType: 'note' }],
    ['observations that are not text', { name: 'ok_name', entityType: 'note', observations: [{ text: 'x' }] as unknown as string[] }],
    ['metadata with a __proto__ key', { name: 'ok_name', entityType: 'note', metadata: proto }],
    ['metadata with a constructor key', { name: 'ok_name', entityType: 'note', metadata: ctor }],
    ['metadata with a __proto__ key deeper down', { name: 'ok_name', entityType: 'note', metadata: { nested: [proto] } }],
    ['metadata that is a list', { name: 'ok_name', entityType: 'note', metadata: [] as unknown as Record<string, unknown> }],
    ['metadata that is null', { name: 'ok_name', entityType: 'note', metadata: null as unknown as Record<string, unknown> }],
    ['metadata with NaN', { name: 'ok_name', entityType: 'note', metadata: { n: Number.NaN } }],
    ['metadata with Infinity', { name: 'ok_name', entityType: 'note', metadata: { n: Number.POSITIVE_INFINITY } }],
    ['metadata with a Date', { name: 'ok_name', entityType: 'note', metadata: { when: new Date(0) } }],
    ['metadata with a function', { name: 'ok_name', entityType: 'note', metadata: { f: () => 1 } }],
    ['metadata with a Map', { name: 'ok_name', entityType: 'note', metadata: { m: new Map([[1, 2]]) } }],
    ['metadata nested 40 deep', { name: 'ok_name', entityType: 'note', metadata: { deep } }],
    ['metadata of 2 MB', { name: 'ok_name', entityType: 'note', metadata: { big: 'm'.repeat(2 << 20) } }],
    ['changing an existing chart with __proto__ metadata', { name: 'chart_more_chart', entityType: 'structural_tension_chart', metadata: proto }],
  ];

  const badContexts: [string, string][] = [
    ...['', '.', '..', '../evil', '../../etc/passwd', 'a/b', 'a\\b', '/absolute', 'has space', 'nul\u0000', 'line\n', '%2e%2e%2f', '...', 'ok/../..'].map((name): [string, string] => [JSON.stringify(name), name]),
    ['of 101 characters', 'x'.repeat(101)],
  ];

  /** The lock folder and its owner note come and go with every operation: process state, not data. */
  const lockFiles = (relative: string) => path.basename(relative).startsWith('.tension.lock');
  const tree = (dir: string) => snapshotTree(dir, lockFiles);

  function expectBadInput(error: unknown, what: string): void {
    expect(error, `${what} was accepted`).toBeInstanceOf(EngineError);
    expect((error as EngineError).code, `${what}: ${(error as Error).message}`).toBe('BAD_INPUT');
  }

  it.each(entityCases)('saving an entity with %s is refused, nothing written', async (what, input) => {
    const parent = path.dirname(layout.root);
    const before = tree(parent);
    const error = await failureOf(() => engine.transact('default', (state) => setEntity(state, input)));
    expectBadInput(error, what);
    expect(diffTrees(before, tree(parent))).toEqual([]);
    expect(({} as Record<string, unknown>).polluted, 'Object.prototype was polluted').toBeUndefined();
  });

  it.each([
    ['an empty from', { from: '', to: 'chart_more_chart', relationType: 'contains' }],
    ['a huge relation type', { from: 'chart_more_chart', to: 'chart_more_chart', relationType: 't'.repeat(50_000) }],
    ['__proto__ metadata', { from: 'chart_more_chart', to: 'chart_more_desired_outcome', relationType: 'contains', metadata: proto }],
  ] as const)('adding a relation with %s is refused, nothing written', async (what, input) => {
    const before = tree(path.dirname(layout.root));
    const error = await failureOf(() => engine.transact('default', (state) => addRelation(state, input)));
    expectBadInput(error, what);
    expect(diffTrees(before, tree(path.dirname(layout.root)))).toEqual([]);
  });

  it.each(badContexts)('the context name %s is refused everywhere, and nothing is written inside or outside the folder', async (_label, context) => {
    // The folder holding the data folder: a name that escaped by one or two levels would land here.
    const parent = path.dirname(layout.root);
    const before = tree(parent);
    expectBadInput(await failureOf(async () => validateContextName(context)), `validateContextName(${JSON.stringify(context)})`);
    expectBadInput(await failureOf(() => engine.transact(context, (state) => setEntity(state, note))), `a commit to ${JSON.stringify(context)}`);
    expectBadInput(await failureOf(() => engine.read(context, (state) => readGraph(state))), `a read of ${JSON.stringify(context)}`);
    expectBadInput(await failureOf(() => engine.transactAcross([[context, (state) => setEntity(state, note)]])), `a move into ${JSON.stringify(context)}`);
    expectBadInput(await failureOf(() => restoreBackup(engine, backupId, [context])), `a restore of ${JSON.stringify(context)}`);
    expect(diffTrees(before, tree(parent))).toEqual([]);
  });

  it.each([
    ...['../x', '', 'a/b', '..', '2026-01-01T00-00-00-000Z'].map((id): [string, string] => [JSON.stringify(id), id]),
    ['of 300 characters', 'x'.repeat(300)],
  ])('restoring the backup id %s is refused with BAD_INPUT or NOT_FOUND, nothing written', async (_label, id) => {
    const before = tree(path.dirname(layout.root));
    const error = await failureOf(() => restoreBackup(engine, id));
    expect(error).toBeInstanceOf(EngineError);
    expect(['BAD_INPUT', 'NOT_FOUND']).toContain((error as EngineError).code);
    expect(diffTrees(before, tree(path.dirname(layout.root)))).toEqual([]);
  });

  it('a restore request with a bad context name is refused through its promise (no synchronous throw)', () => {
    let promise: Promise<unknown> | undefined;
    let thrown: unknown;
    try {
      promise = restoreBackup(engine, backupId, ['../evil']);
    } catch (error) {
      thrown = error;
    }
    expect(thrown, 'restoreBackup threw synchronously instead of rejecting').toBeUndefined();
    return expect(promise).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('after all the refusals the data is as it was, and a good change still works', async () => {
    const before = await graphsOnDisk(layout);
    await engine.transact('default', (state) => setEntity(state, { name: 'good_after_bad', entityType: 'note', metadata: { fine: true } }));
    const after = await graphsOnDisk(layout);
    expect(Object.keys(after.default!.entities).length).toBe(Object.keys(before.default!.entities).length + 1);
  });
});
