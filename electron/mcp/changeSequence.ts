// Several chart edits as one transaction. Some COAIA tools are two edits of ours (add a step,
// then telescope it; add several observations in turn): each edit is built on the records the
// edits before it left, and together they are one set of puts and deletes for Engine.transact,
// so the tool's change is all or nothing. The edits themselves are the chart service's
// (core/charts/chartEdits.ts); nothing here knows about charts.
import { RecordSet } from '../core/recordSet.ts';
import type { PendingChanges } from '../core/contextStore.ts';
import type { StoredRecord } from '../core/records.ts';

export type StateChange = (state: RecordSet) => PendingChanges;

export function inSequence(state: RecordSet, changes: readonly StateChange[]): PendingChanges {
  const [first] = changes;
  if (changes.length === 1 && first) return first(state);
  // A scratch copy of the key -> record map (records are immutable and shared, so this copies
  // references only); the live state is not touched until the engine commits.
  const scratch = new RecordSet();
  scratch.adopt(state.snapshotMap());
  const puts = new Map<string, StoredRecord>();
  const deletes = new Set<string>();
  for (const change of changes) {
    const step = change(scratch);
    for (const key of step.deletes) {
      scratch.delete(key);
      puts.delete(key);
      if (state.has(key)) deletes.add(key);
    }
    for (const record of step.puts) {
      scratch.set(record);
      deletes.delete(record.key);
      puts.set(record.key, record);
    }
  }
  return { puts: [...puts.values()], deletes: [...deletes] };
}
