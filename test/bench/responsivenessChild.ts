// One run of responsivenessBench.ts in a fresh process: a context of generated charts adopted
// and closed first (so the measured open is a re-open, as the app's start usually is), then an
// engine as the app holds it, each activity timed with the event loop watched. Prints one line:
// `BENCH_RESULT [Blocking, ...]`.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { setEntity } from '../../electron/core/knowledgeGraph.ts';
import { createBackup } from '../../electron/core/backups.ts';
import { warmSearchIndexes } from '../../electron/core/searchWarmUp.ts';
import type { Blocking } from './responsivenessBench.ts';

const task = JSON.parse(process.argv[2] ?? '{}') as { root: string; commits: number };
const layout = resolveLayout({ data: task.root });

async function watched(activity: string, work: () => Promise<unknown>): Promise<Blocking> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  // A timer that must fire on time: the histogram only learns of a wait when the loop turns.
  const ticker = setInterval(() => undefined, 5);
  // The histogram measures a wait between two of its own timer callbacks, and only from its
  // second: let it start before the work does, or a block at the very start goes uncounted.
  await new Promise((resolve) => setTimeout(resolve, 30));
  const started = performance.now();
  await work();
  const tookMs = performance.now() - started;
  // One more turn, so that a wait that ended with the work is counted.
  await new Promise((resolve) => setTimeout(resolve, 20));
  clearInterval(ticker);
  delay.disable();
  return { activity, tookMs, maxDelayMs: delay.max / 1e6, p99DelayMs: delay.percentile(99) / 1e6 };
}

async function main(): Promise<void> {
  const first = await Engine.open({ layout, origin: 'cli', rewriteDelayMs: -1 });
  await first.read('default', (state) => state.size);
  await first.close();

  const engine = await Engine.open({ layout, origin: 'app' });
  const results: Blocking[] = [];
  try {
    results.push(await watched('open (re-open from the checkpoint)', () => engine.read('default', (state) => state.size)));
    results.push(
      await watched(`a burst of ${task.commits} commits with their rewrites`, async () => {
        for (let i = 0; i < task.commits; i += 1) {
          await engine.transact('default', (state) => setEntity(state, { name: `burst_${i}`, entityType: 'note', observations: [`commit ${i} of the burst`] }));
          // A person's or an assistant's pace between two edits: the delayed rewrite runs in between.
          await new Promise((resolve) => setTimeout(resolve, 150));
        }
        await engine.flush();
      }),
    );
    results.push(await watched('building the search index in slices', () => warmSearchIndexes(engine)));
    results.push(await watched('a backup of every context', () => createBackup(engine, 'bench')));
  } finally {
    await engine.close();
  }
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(results)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
