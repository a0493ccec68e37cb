// The real reference server (`@modelcontextprotocol/server-memory`) keeps writing the old
// context's file while `tension context rename work job` runs in another process: it re-reads
// the file before each call and rewrites it whole (no metadata, no final newline), so some of
// its writes land before the move, some between the move and the old file being taken away,
// some after (into a file that is gone, or from a copy it read before the rename). At the end
// every entity whose creation the server acknowledged is in `job` exactly once, the old
// context is gone from the list, and the charts that were renamed are whole.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeAfterEachTest, tracked, trackedEngine } from '../helpers/tracked.ts';
import { tempDir } from '../helpers/tempRoot.ts';
import { exitOf, spawnCli } from '../helpers/runCli.ts';
import { contextPaths, resolveLayout } from '../../electron/core/dataRoot.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { adoptLeftovers } from '../../electron/core/contexts/contextRename.ts';
import { LONG } from '../charts/crashSupport.ts';
import { MemoryServer } from '../peers/memoryServerClient.ts';

closeAfterEachTest();

const ROUNDS = LONG ? 12 : 2;

describe('the reference server writing the old file while a context is renamed', () => {
  for (let round = 1; round <= ROUNDS; round += 1) {
    it(`loses none of its acknowledged writes (round ${round} of ${ROUNDS})`, async () => {
      const root = path.join(tempDir('tension-rename-peer-'), '.coaia');
      const layout = resolveLayout({ data: root });
      const engine = await trackedEngine(layout);
      const charts = new ChartService(engine);
      const made = [];
      for (let i = 0; i < 5; i += 1) made.push((await charts.create('work', { outcome: `Outcome ${i}`, reality: [`Reality ${i}`], steps: ['First step'] })).id);
      await engine.flush();
      await engine.close();

      const server = tracked(await MemoryServer.start(contextPaths(layout, 'work').file));
      const acknowledged: string[] = [];
      let writing = true;
      const writer = (async () => {
        for (let i = 0; writing || i < 3; i += 1) {
          const name = `peer_${round}_${i}`;
          await server.createEntities([{ name, entityType: 'note', observations: [`written by the reference server, ${i}`] }]);
          acknowledged.push(name);
          if (!writing) break;
        }
      })();
      // A few writes land before the rename starts; the rest while it runs and after.
      while (acknowledged.length < 3 + round) await new Promise((resolve) => setTimeout(resolve, 5));
      const rename = await exitOf(spawnCli(['context', 'rename', 'work', 'job', '--data', root, '--json']), 60_000);
      expect(rename?.code, rename?.stderr).toBe(0);
      const during = acknowledged.length;
      await new Promise((resolve) => setTimeout(resolve, 100));
      writing = false;
      await writer;
      await server.close();
      expect(acknowledged.length).toBeGreaterThan(during);

      // What the server wrote after the rename is adopted into job (the app does this before every context operation).
      const check = await trackedEngine(layout);
      await adoptLeftovers(check);
      const job = await check.read('job', (state) => [...state.values()].map((r) => r.name ?? r.raw));
      for (const name of acknowledged) expect(job.filter((n) => n === name), `${name} in job`).toHaveLength(1);
      expect(new Set(job).size, 'no record twice').toBe(job.length);
      await check.flush();
      expect((await check.listContexts()).map((c) => c.context)).toEqual(['job']);
      const service = new ChartService(check);
      for (const id of made) expect((await service.show('job', id)).steps.map((s) => s.title)).toEqual(['First step']);
      // The file the peers read holds the same.
      const file = fs.readFileSync(contextPaths(layout, 'job').file, 'utf8');
      for (const name of acknowledged) expect(file).toContain(`"name":"${name}"`);
    });
  }
});
