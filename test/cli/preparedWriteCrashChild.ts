// A process that writes as the CLI does (Engine.prepareToWrite: the file read ahead, a peer
// file's journal start made without the lock; then the commit; then the close, which writes the
// new file before it takes the lock again and swaps it in) and kills itself at the N-th counted
// call that can change the disk (test/helpers/killingFileSystem.ts, countAll: the lock's calls
// too). It prints one JSON line per call, `{"t":"ack"}` once the commit is acknowledged (its
// journal line fsynced), and `{"t":"done"}` when it ends without reaching N.
// Configuration: CRASH_CHILD (JSON: PreparedWriteCrashConfig in preparedWriteCrash.test.ts).
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { setEntity } from '../../electron/core/knowledgeGraph.ts';
import { KillingFileSystem, runCrashChild, say } from '../helpers/killingFileSystem.ts';

const config = JSON.parse(process.env.CRASH_CHILD ?? 'null') as { root: string; context: string; killAt: number | null; when: 'before' | 'after' } | null;
if (!config) throw new Error('CRASH_CHILD is not set');

async function main(cfg: NonNullable<typeof config>): Promise<void> {
  const fsys = new KillingFileSystem(cfg.killAt, cfg.when, true);
  // The lock taken and let go by each operation (lockLeaseMs 0): the counting does not depend on a lease's timing.
  const engine = await Engine.open({ layout: resolveLayout({ data: cfg.root }), origin: 'cli', fs: fsys, rewriteDelayMs: -1, lockStaleMs: 2000, lockLeaseMs: 0 });
  fsys.armed = true;
  await engine.prepareToWrite(cfg.context);
  await engine.transact(cfg.context, (s) => setEntity(s, { name: 'added_by_the_cli', entityType: 'note', observations: ['the write'] }));
  say({ t: 'ack' });
  await engine.close();
  say({ t: 'done', calls: fsys.calls });
}

runCrashChild(main(config));
