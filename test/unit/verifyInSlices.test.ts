// The check of the data reads a whole context file and journal (13 s at 100k charts). It ran in
// one piece inside the engine, and every request waited for it: the app's check a few seconds
// after start held the first chart list 17 s at 100k charts, and so did the check after every
// change another program made. It runs a slice at a time now: requests are answered between
// two slices. Counted, not timed: how many reads were answered while one check ran.
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { verifyAll } from '../../electron/core/verify.ts';
import { writeChartFile } from '../bench/chartGenerator.ts';
import { openEngine, removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

it('requests are answered while a check of a context of 6,000 charts runs, and the check still finds what it found', async () => {
  const data = path.join(tempDir(), '.coaia');
  writeChartFile(path.join(data, 'charts.jsonl'), 6_000);
  const engine = await openEngine(resolveLayout({ data }));
  try {
    const records = await engine.read('default', (state) => state.size);
    let done = false;
    const checking = verifyAll(engine, { backups: false }).finally(() => (done = true));
    let answered = 0;
    while (!done) {
      await engine.read('default', (state) => state.size);
      if (!done) answered += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const report = await checking;
    expect(report.contexts).toHaveLength(1);
    expect(report.contexts[0]).toMatchObject({ context: 'default', records });
    // In one piece, a read waited for the whole check: at most the one queued before it began.
    console.log('reads answered during the check:', answered);
    expect(answered).toBeGreaterThan(4);
  } finally {
    await engine.close();
  }
});
