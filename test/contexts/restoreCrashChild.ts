// A process that kills itself (real SIGKILL) in the middle of `context restore`, at the N-th
// counted file-system call (test/helpers/killingFileSystem.ts, every call that changes the
// disk), then, if it got that far, closes as the CLI would.
//
// Configuration: CRASH_CHILD (JSON: { root, context, killAt }).
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { restoreDeletedContext } from '../../electron/core/contexts/contextDelete.ts';
import { KillingFileSystem, runCrashChild, say } from '../helpers/killingFileSystem.ts';

const config = JSON.parse(process.env.CRASH_CHILD ?? 'null') as { root: string; context: string; killAt: number | null } | null;
if (!config) throw new Error('CRASH_CHILD is not set');

async function main(cfg: { root: string; context: string; killAt: number | null }): Promise<void> {
  const fsys = new KillingFileSystem(cfg.killAt, 'before', true);
  const engine = await Engine.open({ layout: resolveLayout({ data: cfg.root }), fs: fsys, rewriteDelayMs: -1, lockStaleMs: 2000, lockLeaseMs: 0 });
  fsys.armed = true;
  const result = await restoreDeletedContext(engine, cfg.context);
  await engine.close();
  say({ t: 'done', calls: fsys.calls, result });
}

runCrashChild(main(config));
