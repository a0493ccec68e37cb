// The app's services make ready what the window asks first while it loads (firstScreen.ts):
// every context's chart list, read back from the list the last close saved when the file is
// unchanged. Here the services run as the app runs them (in this thread) on a folder a real CLI
// process wrote, and no window asks anything: the lists must be made all the same, and after a
// restart read back rather than made by a pass over every record.
import path from 'node:path';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startEngineServices } from '../../electron/app/engineServices.ts';
import { chartHeadOf } from '../../electron/core/charts/chartModel.ts';
import { contextPaths, resolveLayout } from '../../electron/core/dataRoot.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { exitOf, spawnCli } from '../helpers/runCli.ts';

afterEach(removeTempDirs);

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > 20_000) throw new Error(`never: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the first screen at the start', () => {
  it('has every context\'s chart list made before the window asks, and read back after a restart', async () => {
    const home = tempDir('tension-first-screen-');
    const data = path.join(home, '.coaia');
    for (const context of ['work', 'home']) {
      const cli = await exitOf(spawnCli(['chart', 'create', '--context', context, '--outcome', `A chart of ${context}`, '--reality', 'r', '--step', 'one'], { env: { TENSION_DATA: data } }), 60_000);
      expect(cli?.code, cli?.stderr).toBe(0);
    }
    const start = () =>
      startEngineServices(
        {
          dataLocation: { argv: ['--data', data], env: {}, cwd: home, home },
          version: 'test',
          backgroundOptions: { scheduler: { startDelayMs: 3_600_000 }, verification: { startDelayMs: 3_600_000 } },
        },
        { emit: () => undefined, log: () => undefined },
      );
    // A pass over every record keeps the chart heads; a list read back does not (chartSummary.ts).
    const heads = (host: Awaited<ReturnType<typeof start>>, context: string) => host.engine.read(context, (state) => state.derivedIfKept(chartHeadOf) !== undefined);

    const first = await start();
    try {
      // Made at the start: nobody listed, and the chart heads of both contexts are kept.
      await until('both lists made at the start', async () => (await heads(first, 'work')) && (await heads(first, 'home')));
    } finally {
      await first.close();
    }
    const layout = resolveLayout({ data });
    for (const context of ['work', 'home']) expect(fs.existsSync(contextPaths(layout, context).summaries), context).toBe(true);

    const again = await start();
    try {
      await again.watching;
      const answer = (await again.handle('charts.list', {})) as { ok: boolean; value: { desiredOutcome: string }[] };
      expect(answer.value.map((c) => c.desiredOutcome).sort()).toEqual(['A chart of home', 'A chart of work']);
      // Read back, not made: no pass kept the chart heads.
      expect(await heads(again, 'work')).toBe(false);
      expect(await heads(again, 'home')).toBe(false);
    } finally {
      await again.close();
    }
  });
});
