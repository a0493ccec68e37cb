// The desktop app's write path in a process of its own, as the app runs it: one long-lived
// engine with the app's default options, the real handler table (called as the app's window
// calls it) and the live-update watcher on the data folder. It creates charts at a given rate
// (0: as fast as they are answered) and prints one JSON line per acknowledged chart.
// Stops when "stop" arrives on stdin: the watcher stops, the engine closes (flushing rewrites).
import readline from 'node:readline';
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { DataRootWatcher } from '../../electron/core/dataRootWatcher.ts';
import { createHandlerTable } from '../../electron/ipc/handlerTable.ts';

export interface AppWriterConfig {
  /** --data DIR or --memory-path FILE, as the app is started. */
  readonly data?: string;
  readonly memoryPath?: string;
  readonly context: string;
  /** Charts a second; 0 = as fast as the handler answers. */
  readonly ratePerSecond: number;
  /** Every n-th chart also gets its first step completed (0: never). */
  readonly completeEvery: number;
  readonly prefix: string;
}

const config = JSON.parse(process.env.RACE_APP ?? '{}') as AppWriterConfig;
const say = (message: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(message)}\n`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const OWN = { id: 1, url: 'app://tension/index.html' };

async function main(): Promise<void> {
  const layout = resolveLayout({ ...(config.data ? { data: config.data } : {}), ...(config.memoryPath ? { memoryPath: config.memoryPath } : {}) });
  const engine = await Engine.open({ layout, origin: 'app', onBackgroundError: (error) => say({ t: 'background-error', message: error.message }) });
  const table = createHandlerTable({ engine, isOwnSender: (sender) => sender.id === OWN.id, version: 'race' });
  const watcher = new DataRootWatcher(engine, () => undefined, (error) => say({ t: 'watch-error', message: String(error) }));
  await watcher.start();
  let stopping = false;
  const commands = readline.createInterface({ input: process.stdin });
  commands.on('line', (line) => {
    if (line.trim() === 'stop') stopping = true;
  });
  say({ t: 'ready' });
  const interval = config.ratePerSecond > 0 ? 1000 / config.ratePerSecond : 0;
  for (let i = 1; !stopping; i += 1) {
    const started = Date.now();
    const created = await table.handle(
      'charts.create',
      { context: config.context, outcome: `${config.prefix} outcome ${i}`, reality: [`${config.prefix} reality ${i}`], steps: [{ title: `${config.prefix} step ${i}` }], op: `${config.prefix}-create-${i}` },
      OWN,
    );
    if (created.ok) {
      const id = (created.value as { id: string }).id;
      let completed = false;
      if (config.completeEvery > 0 && i % config.completeEvery === 0) {
        const done = await table.handle('steps.complete', { context: config.context, name: `${id}_action_1`, op: `${config.prefix}-complete-${i}` }, OWN);
        completed = done.ok;
        if (!done.ok) say({ t: 'error', op: 'steps.complete', message: done.error.message });
      }
      say({ t: 'ack', id, completed });
    } else say({ t: 'error', op: 'charts.create', message: created.error.message });
    const wait = interval - (Date.now() - started);
    await sleep(wait > 0 ? wait : 0);
  }
  await watcher.stop();
  await engine.close();
  // stdin would keep the process alive.
  commands.close();
  process.stdin.destroy();
  say({ t: 'closed' });
}

main().catch((error: unknown) => {
  say({ t: 'fatal', message: String((error as Error)?.stack ?? error) });
  process.exitCode = 1;
});
