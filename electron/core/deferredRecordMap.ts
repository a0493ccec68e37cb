// A map of records by key whose hashing is put off until a key is first looked up. Every parse
// of a context file reads it as a list of records in file order (contextFile.ts); putting 1.3M
// records into a Map at 100k charts cost as much again as reading them (0.8-1.2 s), and much of
// what follows an open never looks a key up: the chart list from its cache, the search index, a
// `graph`, a close with nothing to write. What does look one up (a change, a lookup, a copy)
// builds the map then, once; the app builds it in slices after an open (searchWarmUp.ts).
import { asOpaque, type StoredRecord } from './records.ts';
import { monotonicMs } from './monotonicClock.ts';

export class DeferredRecordMap extends Map<string, StoredRecord> {
  /** Every record in file order until the map is built (undefined from then on). */
  private pending: StoredRecord[] | undefined;
  /** How many of `pending` are in the map already (buildFor builds it a slice at a time). */
  private built = 0;

  /**
   * `records` in file order, each line's reading, not yet told apart from an earlier line of the
   * same record: the build applies a file's rule (the first line is the record, a later one an
   * opaque line by its occurrence), so a repeat reads as a full parse would read it.
   */
  constructor(records: StoredRecord[]) {
    super();
    this.pending = records;
  }

  /** True until the first lookup or change builds the map. */
  get deferred(): boolean {
    return this.pending !== undefined;
  }

  override get size(): number {
    return this.pending === undefined ? super.size : this.pending.length;
  }

  override get(key: string): StoredRecord | undefined {
    this.build();
    return super.get(key);
  }

  override has(key: string): boolean {
    this.build();
    return super.has(key);
  }

  override set(key: string, record: StoredRecord): this {
    this.build();
    return super.set(key, record);
  }

  override delete(key: string): boolean {
    this.build();
    return super.delete(key);
  }

  override clear(): void {
    this.pending = undefined;
    super.clear();
  }

  override values(): MapIterator<StoredRecord> {
    return this.pending === undefined ? super.values() : this.pending.values();
  }

  override keys(): MapIterator<string> {
    return this.pending === undefined ? super.keys() : keysOf(this.pending);
  }

  override entries(): MapIterator<[string, StoredRecord]> {
    return this.pending === undefined ? super.entries() : entriesOf(this.pending);
  }

  override [Symbol.iterator](): MapIterator<[string, StoredRecord]> {
    return this.entries();
  }

  override forEach(visit: (record: StoredRecord, key: string, map: Map<string, StoredRecord>) => void, thisArg?: unknown): void {
    if (this.pending === undefined) {
      super.forEach(visit, thisArg);
      return;
    }
    for (const record of this.pending) visit.call(thisArg, record, record.key, this);
  }

  /** Builds the map now (a lookup does it anyway). */
  build(): void {
    if (this.pending === undefined) return;
    this.insert(this.pending.length);
    this.pending = undefined;
  }

  /**
   * Builds the map for about `ms` milliseconds (the app does it in slices after an open, so
   * that its first change finds the map built); true once it is built.
   */
  buildFor(ms: number): boolean {
    const records = this.pending;
    if (records === undefined) return true;
    const deadline = monotonicMs() + ms;
    // At least one step each call: a slice of no time still gets on.
    do this.insert(Math.min(records.length, this.built + SLICE_RECORDS));
    while (this.built < records.length && monotonicMs() < deadline);
    if (this.built < records.length) return false;
    this.pending = undefined;
    return true;
  }

  private insert(upTo: number): void {
    const records = this.pending as StoredRecord[];
    for (let i = this.built; i < upTo; i += 1) {
      const record = records[i] as StoredRecord;
      if (!super.has(record.key)) super.set(record.key, record);
      else this.keepAsRepeat(record);
    }
    this.built = upTo;
  }

  /**
   * The maker of this map vouched for distinct keys (contextFile.ts: the repeats it found are
   * opaque lines already): should one come twice anyway, the later line is kept as the opaque
   * line a full parse makes of it, not dropped.
   */
  private keepAsRepeat(record: StoredRecord): void {
    let occurrence = 1;
    while (super.has(asOpaque(record.raw, occurrence).key)) occurrence += 1;
    const opaque = asOpaque(record.raw, occurrence);
    super.set(opaque.key, opaque);
  }
}

/** Records inserted between two looks at the clock. */
const SLICE_RECORDS = 2048;

function* keysOf(records: readonly StoredRecord[]): MapIterator<string> {
  for (const record of records) yield record.key;
}

function* entriesOf(records: readonly StoredRecord[]): MapIterator<[string, StoredRecord]> {
  for (const record of records) yield [record.key, record];
}
