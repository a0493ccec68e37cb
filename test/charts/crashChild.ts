// A process that kills itself in the middle of a chart operation. It opens the engine on a
// data root through a FileSystem (the electron/core/fileSystem.ts seam) that counts every
// write, fsync/fdatasync, rename and link once armed (with countAll: every call that can change
// the disk, the lock's mkdir, owner note, unlink, rmdir and utimes among them), and sends SIGKILL to its own process right before (or right after) the N-th. Then it runs the operation (a telescope, or
// a move between contexts) and the rewrite of the context files (flush), as the app would.
//
// It prints one JSON line per counted call (synchronously, so every line is in the pipe before
// the kill), and `{"t":"done","calls":n}` when the operation finished without reaching N.
//
// Configuration: CRASH_CHILD (JSON, see CrashChildConfig in crashSupport.ts).
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { KillingFileSystem, runCrashChild, say } from '../helpers/killingFileSystem.ts';
import type { CrashChildConfig } from './crashSupport.ts';

const config = JSON.parse(process.env.CRASH_CHILD ?? 'null') as CrashChildConfig | null;
if (!config) throw new Error('CRASH_CHILD is not set');

async function main(cfg: CrashChildConfig): Promise<void> {
  const fsys = new KillingFileSystem(cfg.killAt, cfg.when, cfg.countAll === true);
  // With countAll the lock's calls count too: the lock is then taken and released by each
  // operation (lockLeaseMs 0), not kept for a lease whose reuse depends on timing.
  const engine = await Engine.open({ layout: resolveLayout({ data: cfg.root }), fs: fsys, rewriteDelayMs: -1, lockStaleMs: 2000, ...(cfg.countAll === true ? { lockLeaseMs: 0 } : {}) });
  const charts = new ChartService(engine, () => new Date(cfg.nowMs));
  // Load the contexts first: the counting covers the operation, not the first read of the files.
  for (const context of cfg.contexts) await engine.read(context, () => undefined);
  fsys.armed = true;
  let result: unknown;
  if (cfg.op.kind === 'telescope') {
    result = await charts.telescope(cfg.op.context, cfg.op.step, {}, cfg.op.opId);
  } else {
    result = await charts.move(cfg.op.from, cfg.op.id, cfg.op.to, cfg.op.opId === undefined ? {} : { op: cfg.op.opId });
  }
  await engine.flush();
  await engine.close();
  say({ t: 'done', calls: fsys.calls, result });
}

runCrashChild(main(config));
