// Part 7: how long the app's main process stops answering. The engine runs in the main process
// (electron/app/lifecycle.ts), so whatever it does synchronously (parsing a context file at its
// open, rewriting the file after commits, hashing a backup) holds every IPC call and every
// window event until it ends. Here one engine is driven as the app drives it, in this process,
// while perf_hooks.monitorEventLoopDelay watches the event loop: its longest wait is what a
// click waits at worst. Each size is measured in a fresh child process (openChild-like), so
// earlier sizes leave nothing behind. Issue 15's target: never more than 50 ms.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeChartFile } from './chartGenerator.ts';
import { runBenchChild } from './benchChild.ts';
import { ms, table } from './stats.ts';
import type { Check, SectionResult } from './report.ts';

export interface ResponsivenessConfig {
  readonly workDir: string;
  readonly repoRoot: string;
  readonly sizes: readonly number[];
  /** Commits in the burst (the app's rewrite delay, 100 ms, runs between them as it does). */
  readonly commits: number;
}

/** What the child measures for one activity: the event loop's longest and p99 wait, and how long it took. */
export interface Blocking {
  readonly activity: string;
  readonly tookMs: number;
  readonly maxDelayMs: number;
  readonly p99DelayMs: number;
}

const TARGET_MS = 50;
const childScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'responsivenessChild.ts');

export async function responsivenessBench(config: ResponsivenessConfig): Promise<SectionResult> {
  const rows: string[][] = [];
  const checks: Check[] = [];
  for (const charts of config.sizes) {
    const root = path.join(config.workDir, `responsive-${charts}`, '.coaia');
    writeChartFile(path.join(root, 'charts.jsonl'), charts);
    const { result, failure } = await runChild(config.repoRoot, { root, commits: config.commits });
    fs.rmSync(path.dirname(root), { recursive: true, force: true });
    if (!result) {
      checks.push({ what: `event loop at ${charts} charts`, measured: 'FAILED', against: failure ?? '', target: `< ${TARGET_MS} ms`, pass: false });
      continue;
    }
    for (const b of result) {
      rows.push([String(charts), b.activity, ms(b.tookMs), ms(b.maxDelayMs), ms(b.p99DelayMs)]);
      checks.push({
        what: `event loop during ${b.activity} (${charts} charts)`,
        measured: `longest wait ${ms(b.maxDelayMs)} (p99 ${ms(b.p99DelayMs)})`,
        against: `the activity took ${ms(b.tookMs)}`,
        target: `< ${TARGET_MS} ms`,
        pass: b.maxDelayMs < TARGET_MS,
      });
    }
  }
  return {
    title: '7. The main process answering while the engine works (issue 15: never blocked more than 50 ms)',
    detail: table(['charts', 'activity', 'took', 'longest event-loop wait', 'p99 wait'], rows),
    notes: [
      'one engine in one process, as in the app; perf_hooks.monitorEventLoopDelay (10 ms resolution) during each activity',
      'open: the first read of the context after a plain close (the checkpoint path); burst: commits one after another with the app\'s 100 ms rewrite delay, then the flush; search: the index built in slices as the app does; backup: createBackup of every context',
      'a wait near the activity\'s whole duration means the work ran in one synchronous piece: the cure is moving it off the main thread (a worker or a utility process), not in this change',
    ],
    checks,
  };
}

function runChild(repoRoot: string, task: { root: string; commits: number }): Promise<{ result?: Blocking[]; failure?: string }> {
  return runBenchChild<Blocking[]>(childScript, task, { cwd: repoRoot, timeoutMs: 30 * 60_000 });
}
