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

afterEach(() => removeTempDirs());

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
      const original = engine.read.bind(engine);
      engine.read = ((context: string, reader: Parameters<Engine['read']>[1]) => {
        slices += 1;
        return original(context, reader);
      }) as Engine['read'];
      await warmSearchIndexes(engine, { sliceMs: 0 });
      clearInterval(ticker);
      engine.read = original;
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
