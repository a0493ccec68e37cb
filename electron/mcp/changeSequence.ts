// Several chart edits as one transaction. Some COAIA tools are two edits of ours (add a step,
// then telescope it; add several observations in turn): each edit is built on the records the
// edits before it left, and together they are one set of puts and deletes for Engine.transact,
// so the tool's change is all or nothing. The edits themselves are the chart service's
// (core/charts/chartEdits.ts); nothing here knows about charts.
import { RecordSet } from '../core/recordSet.ts';
import type { PendingChanges } from '../core/contextStore.ts';
import type { StoredRecord } from '../core/records.ts';

export type StateChange = (state: RecordSet) => PendingChanges;

/**
 * The live records with some changes staged over them, read as one state, without copying the
 * live ones (a context of 10k charts holds some 170k records): what an edit reads is the staged
 * record where there is one, the live one otherwise. It answers what the edits read of a state
 * (get, has, values, chartKeys, relationKeysOf, version); it is never committed itself.
 */
class StagedState extends RecordSet {
  private readonly staged = new Map<string, StoredRecord>();
  private readonly removed = new Set<string>();

  constructor(private readonly live: RecordSet) {
    super();
    this.version = live.version;
  }

  stage(changes: PendingChanges): void {
    for (const key of changes.deletes) {
      this.staged.delete(key);
      if (this.live.has(key)) this.removed.add(key);
    }
    for (const record of changes.puts) {
      this.removed.delete(record.key);
      this.staged.set(record.key, record);
    }
    // A state of its own: caches kept per state and version (the chart index) are made for it,
    // and what is derived from its records (the chart heads) is read again from them.
    this.version += 1;
    this.resetDerived();
  }

  /** What the staged changes amount to, against the live records. */
  changes(): PendingChanges {
    return { puts: [...this.staged.values()], deletes: [...this.removed] };
  }

  override get size(): number {
    let size = this.live.size - this.removed.size;
    for (const key of this.staged.keys()) if (!this.live.has(key)) size += 1;
    return size;
  }

  override get(key: string): StoredRecord | undefined {
    if (this.removed.has(key)) return undefined;
    return this.staged.get(key) ?? this.live.get(key);
  }

  override has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  override *values(): IterableIterator<StoredRecord> {
    for (const record of this.live.values()) {
      if (this.removed.has(record.key)) continue;
      yield this.staged.get(record.key) ?? record;
    }
    for (const record of this.staged.values()) if (!this.live.has(record.key)) yield record;
  }

  override *keys(): IterableIterator<string> {
    for (const record of this.values()) yield record.key;
  }

  override chartKeys(chartId: string): ReadonlySet<string> {
    const keys = new Set(this.live.chartKeys(chartId));
    for (const key of this.removed) keys.delete(key);
    for (const record of this.staged.values()) {
      if (record.chartId === chartId) keys.add(record.key);
      else keys.delete(record.key);
    }
    return keys;
  }

  override relationKeysOf(name: string): ReadonlySet<string> {
    const keys = new Set(this.live.relationKeysOf(name));
    for (const key of this.removed) keys.delete(key);
    for (const record of this.staged.values()) if (record.kind === 'relation' && (record.from === name || record.to === name)) keys.add(record.key);
    return keys;
  }

  override *chartIds(): IterableIterator<string> {
    const seen = new Set<string>();
    for (const record of this.values()) {
      if (record.chartId === undefined || seen.has(record.chartId)) continue;
      seen.add(record.chartId);
      yield record.chartId;
    }
  }

  override snapshotMap(): Map<string, StoredRecord> {
    return new Map([...this.values()].map((record) => [record.key, record]));
  }

  override keysByTime(): readonly string[] {
    throw new Error('A staged state has no time index: an edit that needs it cannot be staged.');
  }
}

export function inSequence(state: RecordSet, changes: readonly StateChange[]): PendingChanges {
  const [first] = changes;
  if (changes.length === 1 && first) return first(state);
  const staged = new StagedState(state);
  for (const change of changes) staged.stage(change(staged));
  return staged.changes();
}
