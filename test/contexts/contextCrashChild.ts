// A process that kills itself in the middle of a context operation (rename, merge or delete),
// at the N-th counted file-system call (test/helpers/killingFileSystem.ts), then, if it got
// that far, rewrites the files and closes, as the app would.
//
// Configuration: CRASH_CHILD (JSON, see ContextCrashConfig in contextCrash.test.ts).
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { renameContext } from '../../electron/core/contexts/contextRename.ts';
import { mergeContext } from '../../electron/core/contexts/contextMerge.ts';
import { deleteContext } from '../../electron/core/contexts/contextDelete.ts';
import { KillingFileSystem, runCrashChild, say } from '../helpers/killingFileSystem.ts';

export interface ContextCrashConfig {
  readonly root: string;
  readonly contexts: readonly string[];
  readonly op: { kind: 'rename'; from: string; to: string } | { kind: 'merge'; from: string; into: string } | { kind: 'delete'; context: string };
  readonly killAt: number | null;
  readonly when: 'before' | 'after';
}

const config = JSON.parse(process.env.CRASH_CHILD ?? 'null') as ContextCrashConfig | null;
if (!config) throw new Error('CRASH_CHILD is not set');

async function main(cfg: ContextCrashConfig): Promise<void> {
  const fsys = new KillingFileSystem(cfg.killAt, cfg.when, true);
  const engine = await Engine.open({ layout: resolveLayout({ data: cfg.root }), fs: fsys, rewriteDelayMs: -1, lockStaleMs: 2000, lockLeaseMs: 0 });
  for (const context of cfg.contexts) await engine.read(context, () => undefined);
  fsys.armed = true;
  const op = cfg.op;
  const result =
    op.kind === 'rename' ? await renameContext(engine, op.from, op.to, { op: 'crash-rename' })
    : op.kind === 'merge' ? await mergeContext(engine, op.from, op.into, { op: 'crash-merge' })
    : await deleteContext(engine, op.context, { op: 'crash-delete' });
  await engine.flush();
  await engine.close();
  say({ t: 'done', calls: fsys.calls, result: { ok: true, records: 'move' in result ? result.move.records : result.records } });
}

runCrashChild(main(config));
