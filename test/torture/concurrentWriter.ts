// One of several processes committing to the same context at once. It waits for `go` on
// stdin (so all start together), commits `count` operations from concurrentProtocol.ts, each
// under its own operation id, acknowledges each after transact resolved, then closes.
//
// Configuration: TORTURE_CONCURRENT (JSON, see ConcurrentConfig).
import readline from 'node:readline';
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { addRelation, setEntity } from '../../electron/core/knowledgeGraph.ts';
import type { PendingChanges } from '../../electron/core/contextStore.ts';
import type { RecordSet } from '../../electron/core/recordSet.ts';
import { entityKey, parseValue } from '../../electron/core/records.ts';
import { say } from './support.ts';
import { COUNTER, HUB, concurrentOp, opId, type ConcurrentConfig } from './concurrentProtocol.ts';

const config = JSON.parse(process.env.TORTURE_CONCURRENT ?? '{}') as ConcurrentConfig;

function build(state: RecordSet, i: number): PendingChanges {
  const op = concurrentOp(config.worker, i);
  switch (op.kind) {
    case 'put':
      return setEntity(state, op.entity);
    case 'hub':
      return setEntity(state, { name: HUB, entityType: 'current_reality', observations: [op.observation] });
    case 'inc': {
      const existing = state.get(entityKey(COUNTER));
      const count = existing ? Number((parseValue(existing).metadata as { count?: number } | undefined)?.count ?? 0) : 0;
      return setEntity(state, { name: COUNTER, entityType: 'counter', metadata: { count: count + 1 } });
    }
    case 'chart': {
      const parts = [...op.entities.map((e) => setEntity(state, e)), ...op.relations.map((r) => addRelation(state, r))];
      return { puts: parts.flatMap((p) => p.puts), deletes: parts.flatMap((p) => p.deletes) };
    }
  }
}

async function main(): Promise<void> {
  const engine = await Engine.open({
    layout: resolveLayout({ data: config.root }),
    rewriteDelayMs: config.rewriteDelayMs,
    lockTimeoutMs: 60_000,
    origin: 'app',
  });
  const lines = readline.createInterface({ input: process.stdin });
  const go = new Promise<void>((resolve) => lines.on('line', (line) => line === 'go' && resolve()));
  say({ t: 'ready', pid: process.pid });
  await go;
  lines.close();
  for (let i = 0; i < config.count; i += 1) {
    const result = await engine.transact(config.context, (state) => build(state, i), { op: opId(config.worker, i) });
    say({ t: 'ack', i, seq: result.seq, duplicate: result.duplicate, changed: result.changed });
    if (config.flushEvery > 0 && i % config.flushEvery === config.flushEvery - 1) await engine.flush();
  }
  await engine.close();
  say({ t: 'done' });
}

main().catch((error: unknown) => {
  say({ t: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
