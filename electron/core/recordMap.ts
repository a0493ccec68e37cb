// The records of a context by key, in file order: what a parse of the file makes
// (contextFile.ts), what the state holds (RecordSet) and what the file is known to hold
// (ContextMemory.materialized). A Map in all it answers (code that reads records takes it as one).
//
// Why not a plain Map: at 100k charts a context holds 1.3M records. A Map grows by rehashing all
// of its entries at once (one insertion at 1,048,576 entries took 232 ms, in which the engine's
// thread answered nothing), and a copy (the state and what the file holds each had one after an
// open) is 1.3M insertions and as much memory again. Here the keys are spread over 64 maps by a
// hash of the key (shardedMap.ts), each giving the record's position in a list in file order; none of those
// maps grows past some 20k keys at 100k charts, so a rehash costs a few milliseconds. A copy
// shares the list and the maps until one side changes: the first change copies the list (a
// copy of pointers, a few ms at 1.3M), and a key added or removed copies its own shard.
//
// Until the first lookup no key is hashed (DeferredRecordMap's idea, kept): an open of a file
// often never looks one up (the chart list from its cache, the search index, a `graph`, a
// close with nothing to write). The first lookup hashes them all; the app hashes them a slice
// at a time after an open (buildFor: RecordSet.readyForChanges, searchWarmUp.ts).
import { asOpaque, type StoredRecord } from './records.ts';
import { monotonicMs } from './monotonicClock.ts';
import { SHARDS, shardOf } from './shardedMap.ts';

/** Records hashed between two looks at the clock (buildFor). */
const SLICE_RECORDS = 2048;
/** Deleted places the list keeps before it is closed up (and then only when they outnumber the records). */
const HOLES_KEPT = 4096;

/** What copies share until one of them changes: the list and the maps of positions. */
interface Layout {
  /** The records by position, in file order; undefined where one was deleted. */
  readonly order: (StoredRecord | undefined)[];
  /** key -> position in `order`, spread by shardOf(key); a shard is made at its first key. */
  readonly shards: (Map<string, number> | undefined)[];
  /** How many of `order`, from the start, are in `shards` (all, once built). */
  indexed: number;
}

export class RecordMap extends Map<string, StoredRecord> {
  private layout: Layout;
  /** This map's own list (false: shared with a copy, or a copy's). */
  private ownsOrder: boolean;
  /** Which shards are this map's own (the others are shared with a copy). */
  private ownsShard: boolean[];
  private count: number;
  private holes = 0;
  /** How many times the list was closed up (for the tests). */
  compactions = 0;
  /** The list's current era: a walk under way finds its place again from it once the list is closed up (inOrder). */
  era: Era = {};

  /**
   * `records` in file order, not yet hashed: each line's reading, not yet told apart from an
   * earlier line of the same record. Hashing applies a file's rule (the first line is the
   * record, a later one an opaque line by its occurrence), so a repeat reads as a full parse
   * would read it. The list is the map's own from then on.
   */
  constructor(records: StoredRecord[] = []) {
    super();
    this.layout = { order: records, shards: noShards(), indexed: 0 };
    this.ownsOrder = true;
    this.ownsShard = new Array<boolean>(SHARDS).fill(true);
    this.count = records.length;
  }

  /** The records of `map` in its order, as a RecordMap (a RecordMap is copied, sharing its parts). */
  static from(map: ReadonlyMap<string, StoredRecord>): RecordMap {
    if (map instanceof RecordMap) return map.copy();
    const copy = new RecordMap([...map.values()]);
    copy.build();
    return copy;
  }

  /** A copy that shares everything with this map until one of the two changes. */
  copy(): RecordMap {
    const copy = new RecordMap();
    copy.layout = this.layout;
    copy.count = this.count;
    copy.holes = this.holes;
    copy.ownsOrder = false;
    copy.ownsShard.fill(false);
    this.ownsOrder = false;
    this.ownsShard.fill(false);
    return copy;
  }

  /** True until the first lookup or change hashes the keys. */
  get deferred(): boolean {
    return this.layout.indexed < this.layout.order.length;
  }

  override get size(): number {
    return this.count;
  }

  override get(key: string): StoredRecord | undefined {
    const at = this.positionOf(key);
    return at === undefined ? undefined : this.layout.order[at];
  }

  override has(key: string): boolean {
    return this.positionOf(key) !== undefined;
  }

  override set(key: string, record: StoredRecord): this {
    const at = this.positionOf(key);
    const order = this.ownOrder();
    if (at !== undefined) {
      // In place, as a Map keeps a key's place when its value changes.
      order[at] = record;
      return this;
    }
    this.ownShard(key).set(key, order.length);
    order.push(record);
    this.layout.indexed = order.length;
    this.count += 1;
    return this;
  }

  override delete(key: string): boolean {
    const at = this.positionOf(key);
    if (at === undefined) return false;
    this.ownOrder()[at] = undefined;
    this.ownShard(key).delete(key);
    this.count -= 1;
    this.holes += 1;
    if (this.holes > HOLES_KEPT && this.holes > this.count) this.closeUp();
    return true;
  }

  override clear(): void {
    this.layout = { order: [], shards: noShards(), indexed: 0 };
    this.ownsOrder = true;
    this.ownsShard.fill(true);
    this.count = 0;
    this.holes = 0;
    // A walk under way goes on from the start of the new list: nothing of the old one is left before it.
    this.endEra([]);
  }

  override values(): MapIterator<StoredRecord> {
    return inOrder(this, (record) => record);
  }

  override keys(): MapIterator<string> {
    return inOrder(this, (record) => record.key);
  }

  override entries(): MapIterator<[string, StoredRecord]> {
    return inOrder(this, (record): [string, StoredRecord] => [record.key, record]);
  }

  override [Symbol.iterator](): MapIterator<[string, StoredRecord]> {
    return this.entries();
  }

  override forEach(visit: (record: StoredRecord, key: string, map: Map<string, StoredRecord>) => void, thisArg?: unknown): void {
    for (const record of this.values()) visit.call(thisArg, record, record.key, this);
  }

  /** Hashes every key now (a lookup does it anyway). */
  build(): void {
    this.index(this.layout.order.length);
  }

  /**
   * Hashes keys for about `ms` milliseconds (the app does it in slices after an open, so that
   * its first change finds them hashed); true once all are. Copies sharing the list share the
   * work: the keys and positions are the same for all of them until one changes.
   */
  buildFor(ms: number): boolean {
    const layout = this.layout;
    const deadline = monotonicMs() + ms;
    // At least one step each call: a slice of no time still gets on.
    do this.index(Math.min(layout.order.length, layout.indexed + SLICE_RECORDS));
    while (layout.indexed < layout.order.length && monotonicMs() < deadline);
    return layout.indexed === layout.order.length;
  }

  /** The list as it stands (a walk reads it at every step: InOrder). */
  orderNow(): readonly (StoredRecord | undefined)[] {
    return this.layout.order;
  }

  private positionOf(key: string): number | undefined {
    if (this.deferred) this.build();
    return this.layout.shards[shardOf(key)]?.get(key);
  }

  /**
   * Hashes the keys of `order` up to `upTo`. A key seen already is a later line of the same
   * record: it becomes the opaque line a full parse makes of it, in its place. (The maker of
   * the list vouched for distinct keys, contextFile.ts having made the repeats it found opaque
   * lines already; should one come twice anyway, it is kept, not dropped.) Changing the shared
   * list and maps here is safe: until the keys are all hashed no copy has changed, so every
   * map sharing them holds the same records.
   */
  private index(upTo: number): void {
    const { order, shards } = this.layout;
    const shardFor = (key: string) => (shards[shardOf(key)] ??= new Map<string, number>());
    for (let at = this.layout.indexed; at < upTo; at += 1) {
      const record = order[at] as StoredRecord;
      const shard = shardFor(record.key);
      if (!shard.has(record.key)) {
        shard.set(record.key, at);
        continue;
      }
      let occurrence = 1;
      let opaque = asOpaque(record.raw, occurrence);
      while (shardFor(opaque.key).has(opaque.key)) opaque = asOpaque(record.raw, (occurrence += 1));
      order[at] = opaque;
      shardFor(opaque.key).set(opaque.key, at);
    }
    this.layout.indexed = Math.max(this.layout.indexed, upTo);
  }

  /** The list, this map's own (copied if shared); every key hashed first. */
  private ownOrder(): (StoredRecord | undefined)[] {
    if (this.deferred) this.build();
    if (!this.ownsOrder) {
      const { order, shards, indexed } = this.layout;
      this.layout = { order: order.slice(), shards: shards.slice(), indexed };
      this.ownsOrder = true;
    }
    return this.layout.order;
  }

  /** The shard of `key`, this map's own (copied if shared). Called after ownOrder. */
  private ownShard(key: string): Map<string, number> {
    const at = shardOf(key);
    const shards = this.layout.shards;
    if (!this.ownsShard[at]) {
      shards[at] = new Map(shards[at]);
      this.ownsShard[at] = true;
    }
    return (shards[at] ??= new Map<string, number>());
  }

  /**
   * Closes up the list's holes: more of it was deleted than is left. Positions change, so
   * every shard is made anew (this map's own from then on). A walk under way finds its place
   * from the list as it was, which the era ended here keeps (for as long as a walk holds it).
   */
  private closeUp(): void {
    const before = this.layout.order;
    const order: StoredRecord[] = [];
    for (const record of before) if (record !== undefined) order.push(record);
    const shards = noShards();
    order.forEach((record, at) => (shards[shardOf(record.key)] ??= new Map<string, number>()).set(record.key, at));
    this.layout = { order, shards, indexed: order.length };
    this.ownsOrder = true;
    this.ownsShard.fill(true);
    this.holes = 0;
    this.compactions += 1;
    this.endEra(before);
  }

  /** The list changed its places: a walk under way counts its place again in `before`, the list as it was. */
  private endEra(before: readonly (StoredRecord | undefined)[]): void {
    const ended = this.era;
    this.era = {};
    ended.before = before;
    ended.next = this.era;
  }
}

/** A layout's shards before any key: each is made at its first key (a small context uses few; a copy makes none). */
function noShards(): (Map<string, number> | undefined)[] {
  return new Array<Map<string, number> | undefined>(SHARDS).fill(undefined);
}

/**
 * The time between two closings up of a map's list. The map holds only the current one; an
 * ended one holds the list as it was and the next era, for as long as a walk begun in it holds it.
 */
interface Era {
  before?: readonly (StoredRecord | undefined)[];
  next?: Era;
}

/**
 * The map's records in order, as a Map's iterator walks them: one added meanwhile is visited,
 * one deleted before it is reached is not. It reads the list at every step (a change may have
 * copied it), and after the list was closed up it goes on from the same place. A class, not a
 * generator: a walk over 1.3M records took 38 ms through a generator, 21 ms so (a Map's own: 24).
 */
class InOrder<T> {
  private at = 0;
  private era: Era;

  constructor(
    private readonly map: RecordMap,
    private readonly pick: (record: StoredRecord) => T,
  ) {
    this.era = map.era;
  }

  next(): IteratorResult<T, undefined> {
    // Closed up since the last step (once or more): the records before this place, counted in
    // the list as it was, are where the place is now.
    for (let next = this.era.next; next !== undefined; next = this.era.next) {
      this.at = liveBefore(this.era.before as readonly (StoredRecord | undefined)[], this.at);
      this.era = next;
    }
    const order = this.map.orderNow();
    while (this.at < order.length) {
      const record = order[this.at];
      this.at += 1;
      if (record !== undefined) return { done: false, value: this.pick(record) };
    }
    return { done: true, value: undefined };
  }

  [Symbol.iterator](): this {
    return this;
  }
}

/** A walk of the map as the MapIterator a Map's methods answer (without the iterator helpers: the TypeScript library the code is checked against, ES2023, has none, so nothing here calls them). */
function inOrder<T>(map: RecordMap, pick: (record: StoredRecord) => T): MapIterator<T> {
  return new InOrder(map, pick) as unknown as MapIterator<T>;
}

function liveBefore(order: readonly (StoredRecord | undefined)[], end: number): number {
  let live = 0;
  for (let at = 0; at < end; at += 1) if (order[at] !== undefined) live += 1;
  return live;
}
