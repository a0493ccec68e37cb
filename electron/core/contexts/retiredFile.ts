// Taking away the file of a retired context once its records are all elsewhere, so peers no
// longer see an empty context under the old name. A peer may write that file at any moment
// (it ignores our lock), so the file is first renamed aside (a peer still writing through a
// descriptor it opened keeps writing into the renamed inode), then read: empty, it goes; with
// records (a peer's write landed), it is put back for the engine to take in, or, if a new file
// took its place meanwhile, its bytes are kept in .recovery/ and logged. Nothing is deleted
// that held a record.
import path from 'node:path';
import type { Engine } from '../engine.ts';
import { readFileIfExists, syncDirectory } from '../fileSystem.ts';
import { removeQuietly } from '../atomicFile.ts';
import { parseContextBytes, statIdentity } from '../contextFile.ts';

/**
 * Under the lock. Returns how many records the context still holds (a peer's write absorbed
 * by the refresh): the caller moves them on and calls this again. 0: the file is gone.
 */
export function takeAwayRetiredFile(engine: Engine, context: string): number {
  const store = engine.storeForLockedWork(context);
  if (store.state.size > 0) return store.state.size;
  engine.flushForLockedWork();
  const { file, checkpoint } = store.paths;
  if (statIdentity(engine.fs, file) !== undefined) {
    const aside = path.join(path.dirname(store.paths.journal), `${path.basename(file, '.jsonl')}.retiring-${process.pid}.tmp`);
    engine.fs.renameSync(file, aside);
    syncDirectory(engine.fs, engine.layout.root);
    const bytes = readFileIfExists(engine.fs, aside) ?? Buffer.alloc(0);
    const records = parseContextBytes(bytes).records.length;
    if (records > 0 || parseContextBytes(bytes).bad.length > 0) {
      if (statIdentity(engine.fs, file) === undefined) {
        engine.fs.renameSync(aside, file);
        syncDirectory(engine.fs, engine.layout.root);
        engine.forget(context);
        return Math.max(1, engine.storeForLockedWork(context).state.size);
      }
      engine.recovery.saveBytes(file, 0, bytes, `another program wrote ${path.basename(file)} while its context was being retired, and wrote it again after`);
    }
    removeQuietly(engine.fs, aside);
  }
  removeQuietly(engine.fs, checkpoint);
  engine.forget(context);
  return 0;
}
