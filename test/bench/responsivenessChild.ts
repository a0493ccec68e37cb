// One run of responsivenessBench.ts in a fresh process: a context of generated charts adopted
// and closed first by a process of its own (adoptContexts.ts: the start is then a re-open, as
// the app's usually is, on a main thread that has read nothing yet), then the engine's
// services started as the app starts them, either in a worker thread (what the app does) or in
// this thread (what it did before, the baseline), and driven through the same IPC channels the
// windows use, as main serves them (each answer serialized for the window, as Electron does). During each activity perf_hooks.monitorEventLoopDelay watches this thread's event
// loop (the app's main thread: windows, menus, IPC), and a request a window might send
// (app.info) goes every 25 ms: its slowest answer is what a click waits for. A bystander
// process watches its own idle event loop meanwhile: what the machine alone makes a loop wait.
// Prints one line: `BENCH_RESULT [Blocking, ...]`.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startEngineServices, type EngineHost, type EngineServicesConfig } from '../../electron/app/engineServices.ts';
import { startEngineWorker } from '../../electron/app/engineWorkerClient.ts';
import { tsEngineWorkerEntry } from '../helpers/engineWorkerEntry.ts';
import type { Blocking } from './responsivenessBench.ts';
import { isAnswerInParts, isEncodedAnswer } from '../../shared/encodedAnswer.ts';
import { HeldAnswers } from '../../electron/app/heldAnswers.ts';

const task = JSON.parse(process.argv[2] ?? '{}') as { root: string; commits: number; thread: 'worker' | 'main'; workerScript?: string };

/**
 * A bystander: a plain Node process beside this one with nothing to do but watch its own event
 * loop as this one's is watched. What it waits in the same activity is the machine's share: on
 * this 2-core machine an idle loop waits up to 20-45 ms while another process allocates memory
 * fast (the engine's worker at 100k charts does), and under 10 ms while others only compute.
 * Asked (any message), it answers its longest and p99 wait since the last question.
 */
const BYSTANDER = `
const { monitorEventLoopDelay } = require('node:perf_hooks');
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
process.on('message', () => {
  process.send({ maxMs: delay.max / 1e6, p99Ms: delay.percentile(99) / 1e6 });
  delay.reset();
});
`;

interface Bystander {
  /** Its longest and p99 wait since the last call. */
  ask(): Promise<{ maxMs: number; p99Ms: number }>;
  stop(): void;
}

function startBystander(): Bystander {
  const child = spawn(process.execPath, ['-e', BYSTANDER], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return {
    // Settles on the answer, or fails if the bystander cannot answer (gone before or after the
    // question): a bench that waited for it would hang until its own timeout.
    ask: () =>
      new Promise((resolve, reject) => {
        const settle = () => {
          child.off('message', onAnswer);
          child.off('error', onError);
          child.off('exit', onExit);
        };
        const onAnswer = (answer: unknown) => {
          settle();
          resolve(answer as { maxMs: number; p99Ms: number });
        };
        const onError = (error: Error) => {
          settle();
          reject(error);
        };
        const onExit = (code: number | null, signal: string | null) => onError(new Error(`the bystander process ended (${signal ?? `exit code ${code}`}) before it answered`));
        child.on('message', onAnswer);
        child.on('error', onError);
        child.on('exit', onExit);
        child.send('ask', (error) => {
          if (error) onError(error);
        });
      }),
    stop: () => child.kill(),
  };
}

async function watched(activity: string, host: () => EngineHost | undefined, bystander: Bystander, work: () => Promise<unknown>): Promise<Blocking> {
  // Resolution 1 ms: the histogram records the time between two turns of its own timer, so an
  // idle loop reads the resolution itself (10 ms at 10 ms); at 1 ms a figure is the wait within 1 ms.
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let slowestAnswerMs = 0;
  let asking = false;
  const asker = setInterval(() => {
    const current = host();
    if (!current || asking) return;
    asking = true;
    const sent = performance.now();
    void current.handle('app.info', {}).then(() => {
      slowestAnswerMs = Math.max(slowestAnswerMs, performance.now() - sent);
      asking = false;
    });
  }, 25);
  // The histogram measures a wait between two of its own timer callbacks, and only from its
  // second: let it start before the work does, or a block at the very start goes uncounted.
  await new Promise((resolve) => setTimeout(resolve, 30));
  await bystander.ask();
  const started = performance.now();
  await work();
  const tookMs = performance.now() - started;
  // One more turn, so that a wait that ended with the work is counted.
  await new Promise((resolve) => setTimeout(resolve, 20));
  clearInterval(asker);
  delay.disable();
  const beside = await bystander.ask();
  return { activity, tookMs, maxDelayMs: delay.max / 1e6, p99DelayMs: delay.percentile(99) / 1e6, slowestAnswerMs, bystanderMaxMs: beside.maxMs, bystanderP99Ms: beside.p99Ms };
}

/** Large answers held for the windows, as main's bridge holds them (ipcBridge.ts). */
const held = new HeldAnswers();

/**
 * A window's request as main serves it (ipcBridge.ts): handleForWindow, then the answer
 * serialized for the window as Electron's IPC does (V8's serializer, on main's thread). A large
 * answer from the worker is bytes, and only copied; past one part it is held, and the window
 * fetches each part by a request of its own (a task of its own on main's thread). The window's
 * parse is not main's.
 */
async function fromWindow(host: EngineHost, channel: string, input: unknown): Promise<void> {
  const answer = await host.handleForWindow(channel, input);
  const reply = held.prepare(answer, 1);
  v8.serialize(reply);
  if (isAnswerInParts(reply)) {
    for (let index = 0; index < reply.answerInParts.parts; index += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      v8.serialize(held.part(reply.answerInParts.id, index, 1));
    }
  }
  if (!isEncodedAnswer(answer) && !answer.ok) throw new Error(answer.error.message);
}

/** Resolves once the context file has been rewritten since `since` (the burst's rewrites landed). */
async function rewrittenSince(file: string, since: number): Promise<void> {
  for (let waited = 0; waited < 120_000; waited += 20) {
    if (fs.statSync(file).mtimeMs > since) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the burst\'s rewrite never came');
}

async function main(): Promise<void> {
  execFileSync(process.execPath, ['--import', 'tsx', path.join(path.dirname(fileURLToPath(import.meta.url)), 'adoptContexts.ts'), task.root], { stdio: ['ignore', 'ignore', 'inherit'] });

  const config: EngineServicesConfig = {
    dataLocation: { argv: ['--data', task.root], env: {}, cwd: process.cwd(), home: path.dirname(task.root) },
    version: 'bench',
    // The timers stay quiet: each activity below is started on purpose.
    backgroundOptions: { scheduler: { startDelayMs: 3_600_000 }, verification: { startDelayMs: 3_600_000 } },
  };
  const output = { emit: () => undefined, log: (message: string) => process.stderr.write(`${message}\n`) };
  let host: EngineHost | undefined;
  const current = () => host;
  const results: Blocking[] = [];
  const bystander = startBystander();
  try {
    results.push(
      await watched('start: open the data, list contexts and charts', current, bystander, async () => {
        host = task.thread === 'worker' ? await startEngineWorker(task.workerScript ? { script: task.workerScript, execArgv: [] } : tsEngineWorkerEntry, config, output) : await startEngineServices(config, output);
        await fromWindow(host, 'contexts.list', {});
        // As the window asks (chartsStore.ts): the first rows, then the whole list by field.
        await fromWindow(host, 'charts.firstRows', { context: 'default', count: 100, sort: 'due', filter: 'open' });
        await fromWindow(host, 'charts.changes', { context: 'default' });
      }),
    );
    const started = host!;
    results.push(
      await watched('live updates start, the search index is built, a first search', current, bystander, async () => {
        await started.watching;
        await fromWindow(started, 'charts.search', { query: 'invoice', context: 'default', limit: 50 });
      }),
    );
    const file = path.join(task.root, 'charts.jsonl');
    results.push(
      await watched(`a burst of ${task.commits} new charts with their rewrites`, current, bystander, async () => {
        let lastAck = 0;
        for (let i = 0; i < task.commits; i += 1) {
          await fromWindow(started, 'charts.create', { context: 'default', outcome: `Burst chart ${i}`, reality: [`commit ${i} of the burst`] });
          lastAck = Date.now();
          // A person's or an assistant's pace between two edits: the delayed rewrite runs in between.
          await new Promise((resolve) => setTimeout(resolve, 150));
        }
        await rewrittenSince(file, lastAck);
      }),
    );
    results.push(await watched('a backup of every context', current, bystander, () => fromWindow(started, 'backups.create', { reason: 'bench' })));
    results.push(
      await watched('close: flush and stop', current, bystander, async () => {
        await started.handle('charts.create', { context: 'default', outcome: 'Written just before the close', reality: ['pending rewrite'] });
        host = undefined;
        await started.close();
      }),
    );
  } finally {
    bystander.stop();
    await host?.close();
  }
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(results)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
