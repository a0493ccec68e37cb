// A child process whose change holds its thread for a while under the data folder's lock, as
// a CLI's first write to a peer's 100k-chart file does (the load, then the journal's start:
// 15 s and more of synchronous work, in which the lock's mtime cannot be refreshed). With the
// engine's default options. Usage: tsx longSyncHolder.ts <data> <holdMs>
// Prints "holding" when its change begins, "committed" when it is acknowledged.
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { setEntity } from '../../electron/core/knowledgeGraph.ts';

const [data, holdMs] = process.argv.slice(2);
if (!data || !holdMs) {
  process.stderr.write('usage: longSyncHolder.ts <data> <holdMs>\n');
  process.exit(2);
}
const engine = await Engine.open({ layout: resolveLayout({ data }), rewriteDelayMs: -1 });
await engine.transact('default', (state) => {
  process.stdout.write('holding\n');
  const until = Date.now() + Number(holdMs);
  while (Date.now() < until) {
    // the thread held, as by a long load or journal start
  }
  return setEntity(state, { name: 'FromTheLongHolder', entityType: 'note' });
});
process.stdout.write('committed\n');
await engine.close();
