// A writer of ownFileWithoutSnapshot.test.ts, a fresh process per step, killing itself where a
// crash leaves our own rewrite on disk without the journal saying so (CRASH_CHILD, JSON):
// - `seed`: commits the records and closes (the file and its snapshot line written);
// - `swap-kill`: commits changes, then rewrites the file and is killed (SIGKILL, its own) right
//   after the rewrite swapped the file into place, before the snapshot line naming it;
// - `stage-kill`: as `swap-kill`, killed when the rewrite is staged under the keep name, before
//   the exchange (the context file is still the last one);
// - `commit-kill`: commits changes and is killed before any rewrite (no close);
// - `open-kill`: opens and reads, and is killed right after it removes a kept copy
//   (`<file>.replaced-…`) that a killed rewrite left.
// It prints `{"t":"ack",...}` after each acknowledged commit.
import fs from 'node:fs';
import { Engine } from '../../electron/core/engine.ts';
import { contextPaths, resolveLayout } from '../../electron/core/dataRoot.ts';
import { realFileSystem, type FileSystem } from '../../electron/core/fileSystem.ts';
import { deleteEntity, setEntity } from '../../electron/core/knowledgeGraph.ts';
import { say } from '../helpers/killingFileSystem.ts';

export interface OwnFileChildConfig {
  readonly root: string;
  readonly context: string;
  readonly step: 'seed' | 'swap-kill' | 'stage-kill' | 'commit-kill' | 'open-kill';
  /** Entities to set: name and the value of its metadata field `value`. */
  readonly sets: readonly (readonly [string, string])[];
  /** Entities to delete, after the sets. */
  readonly deletes?: readonly string[];
  /**
   * `swap-kill` only: a line another program adds to the context file (appended in place, as a
   * peer's write lands) right before the rewrite's exchange, which then displaces that version.
   */
  readonly peerLineBeforeSwap?: string;
}

const config = JSON.parse(process.env.CRASH_CHILD ?? 'null') as OwnFileChildConfig | null;
if (!config) throw new Error('CRASH_CHILD is not set');

async function main(cfg: OwnFileChildConfig): Promise<void> {
  const layout = resolveLayout({ data: cfg.root });
  const file = contextPaths(layout, cfg.context).file;
  let armed = false;
  const fsys: FileSystem = {
    ...realFileSystem,
    exchangeSync(a, b) {
      if (armed && b === file && cfg.peerLineBeforeSwap !== undefined) fs.appendFileSync(file, `${cfg.peerLineBeforeSwap}\n`);
      realFileSystem.exchangeSync(a, b);
      if (armed && b === file) process.kill(process.pid, 'SIGKILL');
    },
    unlinkSync(target) {
      realFileSystem.unlinkSync(target);
      if (cfg.step === 'open-kill' && target.startsWith(`${file}.replaced-`)) process.kill(process.pid, 'SIGKILL');
    },
    renameSync(from, to) {
      realFileSystem.renameSync(from, to);
      if (armed && to === file) process.kill(process.pid, 'SIGKILL');
      // stage-kill: the rewrite staged under the keep name, not yet swapped in.
      if (armed && cfg.step === 'stage-kill' && to.startsWith(`${file}.replaced-${process.pid}-`)) process.kill(process.pid, 'SIGKILL');
    },
  };
  const engine = await Engine.open({ layout, fs: fsys, rewriteDelayMs: -1, lockStaleMs: 2000 });
  // Opened as the app opens it (the context read), whether or not anything is set.
  await engine.read(cfg.context, () => undefined);
  for (const [name, value] of cfg.sets) {
    const result = await engine.transact(cfg.context, (state) => setEntity(state, { name, entityType: 'action_step', metadata: { value } }));
    say({ t: 'ack', name, seq: result.seq });
  }
  for (const name of cfg.deletes ?? []) {
    const result = await engine.transact(cfg.context, (state) => deleteEntity(state, name));
    say({ t: 'ack', deleted: name, seq: result.seq });
  }
  if (cfg.step === 'commit-kill') process.kill(process.pid, 'SIGKILL');
  if (cfg.step === 'swap-kill' || cfg.step === 'stage-kill') armed = true;
  await engine.flush();
  await engine.close();
  say({ t: 'closed' });
}

main(config).catch((error: unknown) => {
  say({ t: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(2);
});
