// The app's search warm-up on a real engine and real files: it builds every context's index in
// slices (a slice of 0 ms adds one batch), yields between them, and leaves the index complete:
// a search afterwards builds nothing and finds what a fresh process finds.
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { warmSearchIndexes } from '../../electron/core/searchWarmUp.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { writeChartFile } from '../bench/chartGenerator.ts';
import { holdLockInChild, killLockHolders } from '../helpers/lockHolderChild.ts';

afterEach(() => {
  killLockHolders();
  removeTempDirs();
});

describe('search warm-up', () => {
  it('builds each context index in slices, letting other work run between them, then searches need no build', async () => {
    const data = `${tempDir()}/.coaia`;
    const engine = await Engine.open({ layout: resolveLayout({ data }), origin: 'app', rewriteDelayMs: -1 });
    try {
      const charts = new ChartService(engine);
      for (const context of ['work', 'home']) {
        for (let i = 0; i < 60; i += 1) await charts.create(context, { outcome: `Ship invoice run ${i} for ${context}`, reality: [`Pilot ${i}`], steps: [{ title: `Bill customer ${i}` }] });
      }
      let slices = 0;
      let interleaved = 0;
      const ticker = setInterval(() => (interleaved += 1), 0);
      // Both contexts are loaded: each slice works on them in memory (Engine.inMemory).
      const original = engine.inMemory.bind(engine);
      engine.inMemory = ((context: string, work: Parameters<Engine['inMemory']>[1]) => {
        slices += 1;
        return original(context, work);
      }) as Engine['inMemory'];
      await warmSearchIndexes(engine, { sliceMs: 0 });
      clearInterval(ticker);
      engine.inMemory = original;
      // Each context holds more entities than one batch of 256: more than one slice each.
      expect(slices).toBeGreaterThan(2);
      expect(interleaved, 'timers ran between the slices').toBeGreaterThan(0);
      const built = await engine.read('work', (_state, store) => store.buildSearchIndexStep(0));
      expect(built, 'the index is complete').toBe(true);
      const found = await charts.searchCounted('invoice', { context: 'work' });
      expect(found.total).toBe(60);
    } finally {
      await engine.close();
    }
  });

  it('a search that comes before the index is built builds it in slices: a request sent meanwhile is answered first', async () => {
    const data = `${tempDir()}/.coaia`;
    writeChartFile(`${data}/charts.jsonl`, 4_000);
    const engine = await Engine.open({ layout: resolveLayout({ data }), origin: 'app', rewriteDelayMs: -1 });
    try {
      await engine.read('default', (state) => state.size); // opened; its index not built
      const charts = new ChartService(engine);
      const order: string[] = [];
      const search = charts.searchCounted('invoice').then(() => order.push('search'));
      // Another window's request, sent once the search has started building.
      const other = new Promise((resolve) => setTimeout(resolve, 5)).then(() => engine.read('default', (state) => state.size)).then(() => order.push('other request'));
      await Promise.all([search, other]);
      expect(order).toEqual(['other request', 'search']);
      expect(await engine.read('default', (_state, store) => store.buildSearchIndexStep(0)), 'the index is complete').toBe(true);
    } finally {
      await engine.close();
    }
  });

  it("readies a loaded context and builds its index while another process holds the lock (a real child holding it), not after", async () => {
    const data = `${tempDir()}/.coaia`;
    writeChartFile(`${data}/charts.jsonl`, 4_000);
    const layout = resolveLayout({ data });
    // A lock wait short enough that work which waits for the lock fails with BUSY in this test.
    const engine = await Engine.open({ layout, origin: 'app', rewriteDelayMs: -1, lockTimeoutMs: 1_500 });
    try {
      await engine.read('default', (state) => state.size); // loaded: its map the file's, not yet its own
      expect(engine.inMemory('default', (state) => state.readyForChanges(0)), 'not ready after the open').toBe(false);
      await holdLockInChild(layout);
      await expect(engine.read('default', (state) => state.size), 'the child holds the lock').rejects.toThrow(/held/);
      await warmSearchIndexes(engine, { sliceMs: 1 });
      expect(engine.inMemory('default', (state) => state.readyForChanges(0)), 'its own map, key map and indexes, made meanwhile').toBe(true);
      expect(engine.inMemory('default', (_state, store) => store.buildSearchIndexStep(0)), 'the search index is complete').toBe(true);
      killLockHolders();
      const found = await new ChartService(engine).searchCounted('chart');
      expect(found.total).toBeGreaterThan(0);
    } finally {
      killLockHolders();
      await engine.close();
    }
  });

  it('works in memory only on a loaded context, and not once the engine is closing', async () => {
    const data = `${tempDir()}/.coaia`;
    writeChartFile(`${data}/charts.jsonl`, 50);
    const engine = await Engine.open({ layout: resolveLayout({ data }), origin: 'app', rewriteDelayMs: -1 });
    expect(engine.inMemory('default', (state) => state.size), 'not loaded yet: nothing is read from disk here').toBeUndefined();
    const size = await engine.read('default', (state) => state.size);
    expect(engine.inMemory('default', (state) => state.size)).toBe(size);
    // A context not loaded is loaded by a read (the slice's fallback): warm-up of a fresh engine works.
    await warmSearchIndexes(engine, { sliceMs: 0 });
    const closing = engine.close();
    expect(engine.inMemory('default', (state) => state.size)).toBeUndefined();
    await closing;
  });

  it('stops between slices when the app is closing', async () => {
    const data = `${tempDir()}/.coaia`;
    const engine = await Engine.open({ layout: resolveLayout({ data }), origin: 'app', rewriteDelayMs: -1 });
    try {
      const charts = new ChartService(engine);
      for (let i = 0; i < 100; i += 1) await charts.create('work', { outcome: `Outcome ${i}`, reality: ['Now'], steps: [] });
      await warmSearchIndexes(engine, { sliceMs: 0, isStopped: () => true });
      expect(await engine.read('work', (_state, store) => store.buildSearchIndexStep(0)), 'nothing was built: a step of 0 ms leaves it incomplete').toBe(false);
    } finally {
      await engine.close();
    }
  });
});
