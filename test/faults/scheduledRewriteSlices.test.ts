// The app's scheduled rewrite of a large file writes it a slice at a time, outside the engine's
// queue of work (Engine.scheduledFlush): a window's request waits for a slice, not for the
// whole write (seconds at 100k charts). A commit between two slices makes that file stale: it is
// dropped, never swapped in nor left behind, and a later round writes the file with everything;
// a steady stream of commits cannot keep the file behind past a limit. The file system is the
// real one seen through the engine's seam (each write of the temporary file is told, and may
// fail as on a full disk); these folders are small, so the engine is told to treat them as large
// (rewriteOutsideLockFromBytes 0) and to pause after every step (rewriteSliceMs 0).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { contextPaths, rootPaths, type DataLayout } from '../../electron/core/dataRoot.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { listCharts } from '../../electron/core/charts/chartSummaries.ts';
import type { Engine } from '../../electron/core/engine.ts';
import type { EngineError } from '../../electron/core/errors.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { systemError } from './faultyFileSystem.ts';
import { rewriteTempSeam } from './rewriteTempSeam.ts';

afterEach(removeTempDirs);

const SLICED = { rewriteOutsideLockFromBytes: 0, rewriteSliceMs: 0, rewriteDelayMs: 1 };

const leftovers = (root: string) => fs.readdirSync(root).filter((name) => name.includes('.tmp-'));
const fileText = (root: string) => fs.readFileSync(path.join(root, 'charts-work.jsonl'), 'utf8');

/** Another program's file of about 2 MB: its rewrite is written in two chunks or more, with pauses between. */
function writeFiller(root: string): void {
  fs.mkdirSync(root, { recursive: true });
  const filler = Array.from({ length: 4000 }, (_, i) => JSON.stringify({ type: 'entity', name: `note_${i}`, entityType: 'note', observations: ['x'.repeat(500)] }));
  fs.writeFileSync(path.join(root, 'charts-work.jsonl'), `${filler.join('\n')}\n`);
}

/** Waits (polling) until `done()`, failing with `what` after 20 s. */
async function until(what: string, done: () => boolean): Promise<void> {
  const give = Date.now() + 20_000;
  while (!done()) {
    if (Date.now() > give) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Whether the data folder's lock was held at each write of a temporary file: `note` from the seam's beforeWrite. */
function lockAtWrites(layout: DataLayout): { readonly held: boolean[]; note(): void } {
  const lock = rootPaths(layout).lock;
  const held: boolean[] = [];
  return { held, note: () => void held.push(fs.existsSync(lock)) };
}

/**
 * The temporary files were written at least twice (the stale one, then the next round's), each
 * write with the data folder's lock free: none was written again under the lock in one piece.
 */
function expectEveryWriteLockFree(lockHeldAtWrites: readonly boolean[]): void {
  expect(lockHeldAtWrites.length).toBeGreaterThanOrEqual(2);
  expect(lockHeldAtWrites.every((held) => !held), String(lockHeldAtWrites)).toBe(true);
}

/** Every rewrite of `work` swapped in, as the engine tells its timing observer. */
function rewritesOf(engine: Engine): { context?: string; failed?: string }[] {
  const seen: { context?: string; failed?: string }[] = [];
  engine.timingObserver = (timing) => {
    if (timing.what === 'rewrite') seen.push(timing);
  };
  return seen;
}

describe('a scheduled rewrite of a large file, a slice at a time', () => {
  it('answers a request made while the file is written before the rewrite ends', async () => {
    const layout = tempLayout();
    const events: string[] = [];
    const late: { engine?: Engine } = {};
    let asked = false;
    const engine = await openEngine(layout, {
      ...SLICED,
      fs: rewriteTempSeam({
        beforeWrite() {
          if (asked || !late.engine) return;
          asked = true;
          // As a window's request arriving in the middle of the write.
          void late.engine.read('work', (state) => state.size).then(() => events.push('answered'));
        },
      }),
    });
    late.engine = engine;
    engine.timingObserver = (timing) => {
      if (timing.what === 'rewrite') events.push('rewritten');
    };
    await new ChartService(engine).create('work', { outcome: 'Written in slices', reality: 'r', steps: ['one'] });
    await until('the scheduled rewrite', () => events.includes('rewritten'));
    expect(asked).toBe(true);
    // In the queue behind the whole rewrite, the request would be answered after it.
    expect(events).toEqual(['answered', 'rewritten']);
    expect(fileText(layout.root)).toContain('Written in slices');
    await until('no temporary file left', () => leftovers(layout.root).length === 0);
    await engine.close();
    const reopened = await openEngine(layout);
    expect(await reopened.read('work', (_state, store) => store.openedFast), 'the swapped-in file is the checkpointed one').toBe(true);
    await reopened.close();
  });

  it('drops a file made stale by a commit between slices, writes no file under the lock, and a later round writes both', async () => {
    const layout = tempLayout();
    const late: { charts?: ChartService } = {};
    let committed: Promise<unknown> | undefined;
    const writes = lockAtWrites(layout);
    const engine = await openEngine(layout, {
      ...SLICED,
      fs: rewriteTempSeam({
        beforeWrite() {
          writes.note();
          committed ??= late.charts?.create('work', { outcome: 'Made between two slices', reality: 'r' });
        },
      }),
    });
    const charts = (late.charts = new ChartService(engine));
    const rewrites = rewritesOf(engine);
    await charts.create('work', { outcome: 'Before the rewrite', reality: 'r' });
    await until('a rewrite holding both charts', () => rewrites.length > 0 && fs.existsSync(path.join(layout.root, 'charts-work.jsonl')) && fileText(layout.root).includes('Made between two slices'));
    await committed;
    expect(fileText(layout.root)).toContain('Before the rewrite');
    // The stale file was not finished and then written again under the lock: every write of a
    // temporary file was made with the lock free (a file written in the queue is written under it).
    expectEveryWriteLockFree(writes.held);
    expect(rewrites).toHaveLength(1);
    await until('no temporary file left', () => leftovers(layout.root).length === 0);
    await engine.close();
    const reopened = await openEngine(layout);
    expect((await listCharts(reopened, 'work')).map((c) => c.desiredOutcome).sort()).toEqual(['Before the rewrite', 'Made between two slices']);
    await reopened.close();
  });

  it('leaves a file to the next round when a commit comes after it is written, before the lock\'s turn', async () => {
    const layout = tempLayout();
    const late: { charts?: ChartService } = {};
    let closes = 0;
    let committed: Promise<unknown> | undefined;
    const writes = lockAtWrites(layout);
    const engine = await openEngine(layout, {
      ...SLICED,
      fs: rewriteTempSeam({
        beforeWrite: () => writes.note(),
        onClose() {
          closes += 1;
          // The second close of the first file ends its reading back: the last step of the
          // write. A commit sent now is queued ahead of the swap under the lock.
          if (closes === 2) committed = late.charts?.create('work', { outcome: 'Queued before the swap', reality: 'r' });
        },
      }),
    });
    const charts = (late.charts = new ChartService(engine));
    const rewrites = rewritesOf(engine);
    await charts.create('work', { outcome: 'Before the rewrite', reality: 'r' });
    await until('a rewrite holding both charts', () => rewrites.length > 0 && fs.existsSync(path.join(layout.root, 'charts-work.jsonl')) && fileText(layout.root).includes('Queued before the swap'));
    await committed;
    expect(closes).toBeGreaterThanOrEqual(2);
    // The first file was not swapped in nor written again under the lock: the next round wrote it.
    expectEveryWriteLockFree(writes.held);
    await until('no temporary file left', () => leftovers(layout.root).length === 0);
    await engine.close();
  });

  it('leaves a file to the next round when another program writes the file while it is written (a peer\'s whole-file write), writing nothing under the lock', async () => {
    const layout = tempLayout();
    const file = path.join(layout.root, 'charts-work.jsonl');
    let peerWrote = false;
    const writes = lockAtWrites(layout);
    const engine = await openEngine(layout, {
      ...SLICED,
      fs: rewriteTempSeam({
        beforeWrite() {
          writes.note();
          if (peerWrote || !fs.existsSync(file)) return;
          peerWrote = true;
          // As the reference server writes: the file it read (without our chart, not yet
          // written there) and its own entity, rewritten in place, no final newline.
          const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
          fs.writeFileSync(file, [...lines, JSON.stringify({ type: 'entity', name: 'peer_note', entityType: 'note', observations: ['from a peer'] })].join('\n'));
        },
      }),
    });
    const charts = new ChartService(engine);
    // A first file to read (a peer's write needs one), then ours made while the next is written.
    await charts.create('work', { outcome: 'Ours, first', reality: 'r' });
    await engine.flush();
    writes.held.length = 0;
    await charts.create('work', { outcome: 'Ours, before the write', reality: 'r' });
    await until('a file holding ours and the peer\'s', () => peerWrote && ['Ours, first', 'Ours, before the write', 'peer_note'].every((text) => fileText(layout.root).includes(text)));
    await until('no temporary file left', () => leftovers(layout.root).length === 0);
    // The peer's version, taken in under the lock, made the first file stale: it was not
    // written again there; the next round wrote the file in slices, the lock free.
    expectEveryWriteLockFree(writes.held);
    await engine.close();
    const reopened = await openEngine(layout);
    expect((await listCharts(reopened, 'work')).map((c) => c.desiredOutcome).sort()).toEqual(['Ours, before the write', 'Ours, first']);
    expect(await reopened.read('work', (state) => state.has('e\u0000peer_note'))).toBe(true);
    await reopened.close();
  });

  it('under a steady stream of commits, writes the file in the queue once it has been left behind past the limit', async () => {
    const layout = tempLayout();
    const late: { charts?: ChartService } = {};
    let made = 0;
    let acknowledged = 0;
    const engine = await openEngine(layout, {
      ...SLICED,
      staleRewriteLimitMs: 0,
      fs: rewriteTempSeam({
        beforeWrite() {
          // Every write of the file meets a new commit: each sliced round goes stale.
          made += 1;
          // Those sent once the close has begun are refused (nothing changed): not counted.
          late.charts?.create('work', { outcome: `Stream ${made}`, reality: 'r' }).then(
            () => (acknowledged += 1),
            () => undefined,
          );
        },
      }),
    });
    const charts = (late.charts = new ChartService(engine));
    const rewrites = rewritesOf(engine);
    await charts.create('work', { outcome: 'First', reality: 'r' });
    await until('a rewrite despite the stream', () => rewrites.length > 0);
    expect(fileText(layout.root)).toContain('First');
    await engine.close();
    expect(leftovers(layout.root)).toEqual([]);
    const reopened = await openEngine(layout);
    // Every commit of the stream that was acknowledged is there (the close's rewrite wrote the last ones).
    expect(acknowledged).toBeGreaterThan(0);
    expect((await listCharts(reopened, 'work')).length).toBe(acknowledged + 1);
    await reopened.close();
  });

  it('on a full disk while it writes in slices: writes the file under the lock instead, or says the rewrite failed and leaves nothing behind', async () => {
    for (const always of [false, true]) {
      const layout = tempLayout();
      const lock = rootPaths(layout).lock;
      let refused = 0;
      const failures: EngineError[] = [];
      const engine = await openEngine(layout, {
        ...SLICED,
        onBackgroundError: (error) => failures.push(error),
        fs: rewriteTempSeam({
          beforeWrite(file) {
            if (always || !fs.existsSync(lock)) {
              refused += 1;
              throw systemError('ENOSPC', 'writeSync', file);
            }
          },
        }),
      });
      const rewrites = rewritesOf(engine);
      await new ChartService(engine).create('work', { outcome: 'Kept through a full disk', reality: 'r' });
      await until('the scheduled rewrite', () => rewrites.length > 0);
      expect(refused, `always ${always}`).toBeGreaterThan(0);
      await until('no temporary file left', () => leftovers(layout.root).length === 0);
      if (always) {
        expect(rewrites[0]?.failed).toBeDefined();
        await until('the failure reported', () => failures.length > 0);
        expect(failures[0]?.message).toMatch(/space|ENOSPC/i);
      } else {
        expect(rewrites[0]?.failed).toBeUndefined();
        expect(fileText(layout.root)).toContain('Kept through a full disk');
      }
      await engine.close().catch(() => undefined);
      const reopened = await openEngine(layout);
      expect((await listCharts(reopened, 'work')).map((c) => c.desiredOutcome)).toEqual(['Kept through a full disk']);
      await reopened.close();
    }
  });

  it('a file read back other than written (a failing disk) is removed, and the file is written under the lock instead', async () => {
    const layout = tempLayout();
    let corrupted = 0;
    const lock = rootPaths(layout).lock;
    const temporaryFiles = new Map<string, boolean>();
    const engine = await openEngine(layout, {
      ...SLICED,
      // The sliced writer reads its file back in pieces (readSync); the one under the lock reads it whole.
      fs: rewriteTempSeam({
        beforeWrite: (file) => temporaryFiles.set(file, fs.existsSync(lock)),
        afterRead(bytes) {
          corrupted += 1;
          bytes[0] = (bytes[0] ?? 0) ^ 0xff;
        },
      }),
    });
    const rewrites = rewritesOf(engine);
    await new ChartService(engine).create('work', { outcome: 'Read back wrong once', reality: 'r' });
    await until('the scheduled rewrite', () => rewrites.length > 0);
    expect(corrupted).toBeGreaterThan(0);
    // Two files: the sliced one, not verified and removed; then one under the lock.
    expect([...temporaryFiles.values()]).toEqual([false, true]);
    expect(rewrites[0]?.failed).toBeUndefined();
    expect(fileText(layout.root)).toContain('Read back wrong once');
    await until('no temporary file left', () => leftovers(layout.root).length === 0);
    await engine.close();
    const reopened = await openEngine(layout);
    expect(await reopened.read('work', (_state, store) => store.openedFast)).toBe(true);
    await reopened.close();
  });

  it('runs one round at a time: a window reading while the file is written does not start another beside it', async () => {
    const layout = tempLayout();
    writeFiller(layout.root);
    const late: { engine?: Engine } = {};
    let mostAtOnce = 0;
    const engine = await openEngine(layout, {
      ...SLICED,
      fs: rewriteTempSeam({
        beforeWrite() {
          mostAtOnce = Math.max(mostAtOnce, leftovers(layout.root).length);
          // A window's read (it asks for a rewrite while the context is behind its journal).
          void late.engine?.read('work', (state) => state.size);
        },
      }),
    });
    late.engine = engine;
    const rewrites = rewritesOf(engine);
    await new ChartService(engine).create('work', { outcome: 'Read about meanwhile', reality: 'r' });
    await until('the scheduled rewrite', () => rewrites.length > 0);
    await until('no temporary file left', () => leftovers(layout.root).length === 0);
    expect(mostAtOnce).toBe(1);
    expect(fileText(layout.root)).toContain('Read about meanwhile');
    await engine.close();
  });

  it('stops writing when the engine closes meanwhile, and reports no failure; the close writes the file', async () => {
    const layout = tempLayout();
    writeFiller(layout.root);
    const late: { engine?: Engine } = {};
    let closing: Promise<void> | undefined;
    const writesPerFile = new Map<string, number>();
    const failures: EngineError[] = [];
    const engine = await openEngine(layout, {
      ...SLICED,
      onBackgroundError: (error) => failures.push(error),
      fs: rewriteTempSeam({
        beforeWrite(file) {
          writesPerFile.set(file, (writesPerFile.get(file) ?? 0) + 1);
          closing ??= late.engine?.close();
        },
      }),
    });
    late.engine = engine;
    await new ChartService(engine).create('work', { outcome: 'Closed mid-write', reality: 'r' });
    await until('the close', () => closing !== undefined);
    await closing;
    await until('no temporary file left', () => leftovers(layout.root).length === 0);
    // The scheduled write stopped at its next pause; the close wrote the whole file, chunk by chunk.
    const [first, ...rest] = [...writesPerFile.values()];
    expect(first).toBe(1);
    expect(rest.length).toBe(1);
    expect(rest[0]).toBeGreaterThan(1);
    expect(fileText(layout.root)).toContain('Closed mid-write');
    expect(fileText(layout.root)).toContain('note_3999');
    expect(failures).toEqual([]);
    const reopened = await openEngine(layout);
    expect(await reopened.read('work', (_state, store) => store.openedFast)).toBe(true);
    await reopened.close();
  });

  it('waits for a hold (the app\'s first screen): the journal of a peer\'s file is started only once it settles; a flush is not held', async () => {
    const layout = tempLayout();
    writeFiller(layout.root);
    const journal = contextPaths(layout, 'work').journal;
    const engine = await openEngine(layout, { rewriteDelayMs: 1 });
    let release: () => void = () => undefined;
    engine.holdScheduledRewritesUntil(new Promise<void>((resolve) => (release = resolve)));
    try {
      await engine.read('work', () => undefined); // the open asks for the round that starts the journal
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(fs.existsSync(journal), 'started while held').toBe(false);
      release();
      await until('the journal started after the hold', () => fs.existsSync(journal) && fs.statSync(journal).size > 0);
    } finally {
      await engine.close();
    }
    // A flush does not wait for a hold that never settles.
    const other = tempLayout();
    writeFiller(other.root);
    const held = await openEngine(other, { rewriteDelayMs: 1 });
    held.holdScheduledRewritesUntil(new Promise<void>(() => undefined));
    try {
      await held.read('work', () => undefined);
      await held.flush();
      expect(fs.statSync(contextPaths(other, 'work').journal).size).toBeGreaterThan(0);
    } finally {
      await held.close();
    }
  });
});
