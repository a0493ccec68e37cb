// A process that kills itself in the middle of the backup schedule's work: it opens the engine
// through a file system that counts every call that can change the disk and sends SIGKILL to
// itself right before (or after) the N-th (test/helpers/killingFileSystem.ts), then runs one
// scheduled check at a fixed moment (`due`: prune, back up, refresh the plain copies, prune) or
// pruning alone by the policy (`prune`). Prints `{"t":"done","calls":n}` when it finished
// without reaching N. Configuration: CRASH_CHILD (JSON, BackupCrashConfig).
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { runDueBackups } from '../../electron/core/backupDue.ts';
import { pruneByPolicy } from '../../electron/core/backupPruning.ts';
import { utcCalendar } from '../../electron/core/backupCalendar.ts';
import { KillingFileSystem, runCrashChild, say } from '../helpers/killingFileSystem.ts';

export interface BackupCrashConfig {
  readonly root: string;
  readonly op: 'due' | 'prune';
  readonly nowMs: number;
  readonly killAt: number | null;
  readonly when: 'before' | 'after';
}

const config = JSON.parse(process.env.CRASH_CHILD ?? 'null') as BackupCrashConfig | null;
if (!config) throw new Error('CRASH_CHILD is not set');

async function main(cfg: BackupCrashConfig): Promise<void> {
  const fsys = new KillingFileSystem(cfg.killAt, cfg.when, true);
  // The lock is taken and released by the operation itself (no lease), so the count is fixed.
  const engine = await Engine.open({ layout: resolveLayout({ data: cfg.root }), fs: fsys, rewriteDelayMs: -1, lockStaleMs: 2000, lockLeaseMs: 0 });
  for (const context of engine.listContextNames()) await engine.read(context, () => undefined);
  fsys.armed = true;
  const now = new Date(cfg.nowMs);
  const result = cfg.op === 'due' ? await runDueBackups(engine, { now, calendar: utcCalendar }) : await pruneByPolicy(engine, { now, calendar: utcCalendar });
  await engine.close();
  say({ t: 'done', calls: fsys.calls, result: { pruned: 'pruned' in result ? result.pruned : result.removed } });
}

runCrashChild(main(config));
