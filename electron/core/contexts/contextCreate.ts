// Creating a context: it exists once its journal does, so an empty commit starts it. A name
// retired before (its context deleted, renamed or merged away) is taken up again: the retired
// note, which hides the context while its file is empty, goes first, so the new context is
// listed. A deleted context of that name stays restorable: its deletion is read from the
// journal (contextDelete.ts), and restoring it brings its records back beside the new ones.
import type { Engine } from '../engine.ts';
import type { CommitResult } from '../contextStore.ts';
import { validateContextName } from '../dataRoot.ts';
import { isHiddenRetired } from './retiredContexts.ts';
import { takeUpRetiredName } from './retiredFile.ts';

export async function createContext(engine: Engine, context: string): Promise<CommitResult> {
  validateContextName(context);
  await engine.withLock(() => {
    if (!isHiddenRetired(engine.fs, engine.layout, context)) return;
    // A file set aside while the name was retired may hold another program's last write: taken in first.
    takeUpRetiredName(engine, context);
  });
  return engine.transact(context, () => ({ puts: [], deletes: [] }), { op: `create-context:${context}` });
}
