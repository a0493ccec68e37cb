// A writer whose context file is large, so that each rewrite takes long enough to be killed in
// the middle of: it commits many records at once, then commits one record and flushes, over
// and over, until SIGKILL.
//
// Configuration: TORTURE_REWRITER (JSON: { root, context, records }).
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { setEntity } from '../../electron/core/knowledgeGraph.ts';
import { say } from './support.ts';

const config = JSON.parse(process.env.TORTURE_REWRITER ?? '{}') as { root: string; context: string; records: number };

async function main(): Promise<void> {
  const engine = await Engine.open({ layout: resolveLayout({ data: config.root }), rewriteDelayMs: -1, lockStaleMs: 2000 });
  await engine.transact(config.context, (state) => {
    const puts = [];
    for (let i = 0; i < config.records; i += 1) {
      puts.push(...setEntity(state, { name: `bulk-${i}`, entityType: 'action_step', observations: [`bulk record ${i}`, 'y'.repeat(200)], metadata: { i } }).puts);
    }
    return { puts, deletes: [] };
  });
  say({ t: 'ready', pid: process.pid });
  for (let i = 0; ; i += 1) {
    const result = await engine.transact(config.context, (state) => setEntity(state, { name: `step-${i}`, entityType: 'action_step', observations: [`step ${i}`] }));
    say({ t: 'ack', i, seq: result.seq, duplicate: result.duplicate });
    await engine.flush();
  }
}

main().catch((error: unknown) => {
  say({ t: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
