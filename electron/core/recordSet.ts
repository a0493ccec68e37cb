// The in-memory state of one context: its records in file order, with indexes by chart id and
// by relation endpoint. Map keeps insertion order, which is the order lines are written in.
import { KeysByName } from './keysByName.ts';
import { KEY_SEPARATOR, classifyLine, makeRecord, type StoredRecord } from './records.ts';
import { DeferredRecordMap } from './deferredRecordMap.ts';
import { monotonicMs } from './monotonicClock.ts';

/** Told of every change, to keep a derived index (search) current. */
export interface RecordObserver {
  add(record: StoredRecord): void;
  remove(key: string): void;
}

/** What a derived index makes of one record: undefined leaves the record out of it. */
export type RecordClassifier<T> = (record: StoredRecord) => T | undefined;

/** Told of every change as (before, after); `reset` when the whole set was replaced or reordered. */
export type ChangeListener = (before: StoredRecord | undefined, after: StoredRecord | undefined) => void;

export class RecordSet {
  private records = new Map<string, StoredRecord>();
  /**
   * The map is also the caller's (adopt took it without a copy: at 100k charts a copy costs
   * 1.3M insertions and as much memory again): it is copied before the first change.
   */
  private shared = false;
  private observer: RecordObserver | undefined;
  // Derived maps (the chart index's heads): built on first use by a scan, then kept current
  // record by record, so that a change costs one classification, not a scan of 100k charts.
  private readonly derivedMaps = new Map<RecordClassifier<unknown>, Map<string, unknown>>();
  private readonly listeners: { change: ChangeListener; reset: () => void }[] = [];
  // Built on first use and kept current from then on: opening a context does not pay for them.
  private byChart: Map<string, Set<string>> | undefined;
  private byEndpoint: KeysByName | undefined;
  private byTime: string[] | undefined;
  /** Lookups answered by a scan since the records were adopted (mayScan). */
  private scans = 0;
  // Opaque lines by what they belong to: those that repeat an entity or relation line (another
  // program wrote the record twice; the first line is the record) by the key of that record,
  // and lines of other types naming a chart (a legacy narrative_beat's metadata.chartId) by it.
  private opaque: { readonly repeats: Map<string, Set<string>>; readonly byChart: Map<string, Set<string>> } | undefined;
  /** How many entities and relations: counted on first use, then kept by every change. */
  private kinds: { entities: number; relations: number } | undefined;

  /** Bumped by every change: derived data (the chart index) is cached against it. */
  version = 0;

  get size(): number {
    return this.records.size;
  }

  get(key: string): StoredRecord | undefined {
    return this.records.get(key);
  }

  has(key: string): boolean {
    return this.records.has(key);
  }

  values(): IterableIterator<StoredRecord> {
    return this.records.values();
  }

  keys(): IterableIterator<string> {
    return this.records.keys();
  }

  /**
   * Readies a set adopted from a file just read for its first change, for about `ms`; true once
   * it is ready. Its key map is built (keys are hashed on first lookup otherwise:
   * DeferredRecordMap), then the map becomes its own (own(), copied otherwise by the first
   * change: 1-1.5 s at 100k charts, which a window's request waited for).
   */
  readyForChanges(ms: number): boolean {
    const deadline = monotonicMs() + ms;
    if (this.records instanceof DeferredRecordMap && !this.records.buildFor(ms)) return false;
    return this.ownUntil(deadline) && this.indexUntil(deadline);
  }

  /**
   * Builds the key map of a set adopted from a file just read (DeferredRecordMap) for about
   * `ms`; true once it is built. A whole check of the data looks every relation's ends up, which
   * would build it in one go (2 s at 100k charts) while every request waited.
   */
  keyMapFor(ms: number): boolean {
    return !(this.records instanceof DeferredRecordMap) || this.records.buildFor(ms);
  }

  /**
   * Builds the indexes by chart and by relation end until `deadline`, going on where the last
   * call stopped (from the start when the set changed since): a new chart's first write looks
   * both up, and built there in one go they held it 1.1 s at 100k charts. True once built.
   */
  private indexUntil(deadline: number): boolean {
    if (this.byChart && this.byEndpoint) {
      // Built by lookups meanwhile: what was begun here goes (it holds the old map's iterator).
      this.indexing = undefined;
      return true;
    }
    if (this.indexing?.version !== this.version) this.indexing = { version: this.version, records: this.records.values(), byChart: new Map(), byEndpoint: new KeysByName() };
    const { records, byChart, byEndpoint } = this.indexing;
    for (let indexed = 1; ; indexed += 1) {
      const next = records.next();
      if (next.done === true) break;
      const record = next.value;
      if (record.chartId !== undefined) addTo(byChart, record.chartId, record.key);
      if (record.kind === 'relation') this.indexEndpoints(byEndpoint, record);
      if (indexed % 1024 === 0 && monotonicMs() >= deadline) return false;
    }
    // One built by a lookup meanwhile (with no change since) is the same: kept.
    this.byChart ??= byChart;
    this.byEndpoint ??= byEndpoint;
    this.indexing = undefined;
    return true;
  }

  /** The indexes by chart and relation end being built a slice at a time (indexUntil), of the set at `version`. */
  private indexing: { version: number; records: Iterator<StoredRecord>; byChart: Map<string, Set<string>>; byEndpoint: KeysByName } | undefined;

  /**
   * Copies the shared map (adopt) until `deadline` (monotonicMs()), going on where the last
   * call stopped: the caller never changes it, so it can be copied across calls. True once this
   * set's map is its own.
   */
  private ownUntil(deadline: number): boolean {
    if (!this.shared) return true;
    if (this.owning?.source !== this.records) this.owning = { source: this.records, copy: new Map(), entries: this.records.entries() };
    const { copy, entries } = this.owning;
    for (let copied = 1; ; copied += 1) {
      const next = entries.next();
      if (next.done === true) break;
      copy.set(next.value[0], next.value[1]);
      if (copied % 1024 === 0 && monotonicMs() >= deadline) return false;
    }
    this.records = copy;
    this.shared = false;
    this.owning = undefined;
    return true;
  }

  /** A copy of the shared map made a slice at a time (readyForChanges), and where it stands. */
  private owning: { source: Map<string, StoredRecord>; copy: Map<string, StoredRecord>; entries: Iterator<[string, StoredRecord]> } | undefined;

  /** A shallow copy of the key -> record map (records are immutable and shared). */
  snapshotMap(): Map<string, StoredRecord> {
    return new Map(this.records);
  }

  /**
   * The records as they are now, for a caller that only reads them: the map itself, without a
   * copy, which this set then makes before its own next change (as for a map it adopted). A
   * process that changes nothing more (the CLI after its one commit) never pays for the copy.
   */
  sharedMap(): ReadonlyMap<string, StoredRecord> {
    this.shared = true;
    return this.records;
  }

  /**
   * How many entities and relations the set holds (the contexts list shows them after every
   * change: counting 1.3M records at 100k charts each time cost 15-30 ms).
   */
  kindCounts(): { readonly entities: number; readonly relations: number } {
    if (!this.kinds) {
      const kinds = { entities: 0, relations: 0 };
      for (const record of this.values()) countKind(kinds, record, 1);
      this.kinds = kinds;
    }
    return this.kinds;
  }

  chartKeys(chartId: string): ReadonlySet<string> {
    if (!this.byChart && this.mayScan()) {
      const keys = new Set<string>();
      for (const record of this.records.values()) if (record.chartId === chartId) keys.add(record.key);
      return keys;
    }
    return this.chartIndex().get(chartId) ?? new Set();
  }

  chartIds(): IterableIterator<string> {
    return this.chartIndex().keys();
  }

  /**
   * Entity keys, most recently changed first, by metadata.updatedAt (or createdAt): the time
   * index. Built on first use from the lines' text (no full parse), dropped on any change.
   */
  keysByTime(): readonly string[] {
    if (!this.byTime) {
      const stamped: [string, string][] = [];
      for (const record of this.records.values()) {
        if (record.kind !== 'entity') continue;
        const time = timeOf(record.raw);
        if (time !== undefined) stamped.push([time, record.key]);
      }
      stamped.sort((a, b) => (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0));
      this.byTime = stamped.map(([, key]) => key);
    }
    return this.byTime;
  }

  /** Keys of the relations that start or end at this entity name. */
  relationKeysOf(name: string): ReadonlySet<string> {
    if (!this.byEndpoint && this.mayScan()) {
      // A relation's key holds its ends between separators: only those whose key holds the name are read.
      const between = `${KEY_SEPARATOR}${name}${KEY_SEPARATOR}`;
      const keys = new Set<string>();
      for (const record of this.records.values()) {
        if (record.kind === 'relation' && record.key.includes(between) && (record.from === name || record.to === name)) keys.add(record.key);
      }
      return keys;
    }
    return this.endpointIndex().get(name) ?? new Set();
  }

  /**
   * Whether a lookup by chart or by relation end may scan the records rather than build its
   * index: the first few may (SCANS_BEFORE_INDEX), then the index is built for the rest.
   */
  private mayScan(): boolean {
    if (this.scans >= SCANS_BEFORE_INDEX) return false;
    this.scans += 1;
    return true;
  }

  /**
   * Keys of the opaque lines that repeat the record of `key` (its entity or relation line,
   * written again by another program). Found by a scan on first use, then kept current.
   */
  repeatsOf(key: string): ReadonlySet<string> {
    return this.opaqueIndex().repeats.get(key) ?? NONE;
  }

  /** Keys of the opaque lines naming this chart in their metadata.chartId (a legacy narrative_beat line): they go where the chart goes. */
  opaqueLinesOfChart(chartId: string): ReadonlySet<string> {
    return this.opaqueIndex().byChart.get(chartId) ?? NONE;
  }

  private opaqueIndex(): { readonly repeats: Map<string, Set<string>>; readonly byChart: Map<string, Set<string>> } {
    if (!this.opaque) {
      this.opaque = { repeats: new Map(), byChart: new Map() };
      for (const record of this.values()) this.indexOpaque(record, addTo);
    }
    return this.opaque;
  }

  observe(observer: RecordObserver | undefined): void {
    this.observer = observer;
  }

  /**
   * key -> classify(record) for every record classify keeps, in file order (a record that
   * joins later is appended, as a new line is). Kept current from the first call on; classify
   * must be one function for the life of the set (it is the map's name).
   */
  derived<T>(classify: RecordClassifier<T>): ReadonlyMap<string, T> {
    let map = this.derivedMaps.get(classify as RecordClassifier<unknown>);
    if (!map) {
      map = new Map();
      // values(), not the map itself: a view over another set (StagedState) answers for it.
      for (const record of this.values()) {
        const value = classify(record);
        if (value !== undefined) map.set(record.key, value);
      }
      this.derivedMaps.set(classify as RecordClassifier<unknown>, map);
    }
    return map as ReadonlyMap<string, T>;
  }

  /** The derived map of `classify` if it is kept already; undefined rather than a scan of every record. */
  derivedIfKept<T>(classify: RecordClassifier<T>): ReadonlyMap<string, T> | undefined {
    return this.derivedMaps.get(classify as RecordClassifier<unknown>) as ReadonlyMap<string, T> | undefined;
  }

  /** Calls `change` for every record changed from now on, and `reset` when the set is replaced or reordered. */
  listen(change: ChangeListener, reset: () => void): void {
    this.listeners.push({ change, reset });
  }

  set(record: StoredRecord): void {
    const previous = this.records.get(record.key);
    if (previous) this.unindex(previous);
    this.own().set(record.key, record);
    this.index(record);
    for (const [classify, map] of this.derivedMaps) {
      const value = classify(record);
      if (value === undefined) map.delete(record.key);
      else map.set(record.key, value);
    }
    for (const listener of this.listeners) listener.change(previous, record);
    this.observer?.add(record);
  }

  delete(key: string): StoredRecord | undefined {
    const previous = this.records.get(key);
    if (!previous) return undefined;
    this.unindex(previous);
    this.own().delete(key);
    for (const map of this.derivedMaps.values()) map.delete(key);
    for (const listener of this.listeners) listener.change(previous, undefined);
    this.observer?.remove(key);
    return previous;
  }

  /**
   * Replaces the contents with a map built by the caller, without copying it: the caller may
   * keep reading it (the context store keeps it as what the file holds) but never changes it;
   * this set copies it before its own first change, or takes `copy` then: the caller's copy of
   * the same records, which it never uses again.
   */
  adopt(records: Map<string, StoredRecord>, copy?: Map<string, StoredRecord>): void {
    this.clear();
    this.version += 1;
    this.records = records;
    this.shared = true;
    // A copy of the same records made beforehand (contextReadAhead.ts): taken at the first change, as one finished in slices is.
    if (copy) this.owning = { source: records, copy, entries: [][Symbol.iterator]() };
  }

  private own(): Map<string, StoredRecord> {
    // A copy begun in slices is finished, not begun again.
    if (this.shared && this.owning?.source === this.records) this.ownUntil(Infinity);
    if (this.shared) {
      this.records = new Map(this.records);
      this.shared = false;
    }
    return this.records;
  }

  /** Removes everything (and the derived indexes). */
  clear(): void {
    this.version += 1;
    // A new map: one adopted is the caller's too, and stays as it was.
    this.records = new Map();
    this.shared = false;
    this.owning = undefined;
    this.indexing = undefined;
    this.byTime = undefined;
    this.byChart = undefined;
    this.byEndpoint = undefined;
    this.scans = 0;
    this.resetDerived();
  }

  /** The derived maps are built again on their next use (in the new order), and listeners start over. */
  protected resetDerived(): void {
    this.derivedMaps.clear();
    // Counted again on next use: a view's records (StagedState) change without set() or delete().
    this.kinds = undefined;
    this.opaque = undefined;
    for (const listener of this.listeners) listener.reset();
  }

  /** Puts the records in this order (keys not listed keep their relative order, after). */
  reorder(order: Iterable<string>): void {
    const next = new Map<string, StoredRecord>();
    for (const key of order) {
      const record = this.records.get(key);
      if (record) next.set(key, record);
    }
    for (const [key, record] of this.records) if (!next.has(key)) next.set(key, record);
    this.records = next;
    this.shared = false;
    this.owning = undefined;
    this.version += 1;
    this.resetDerived();
  }

  private chartIndex(): Map<string, Set<string>> {
    if (!this.byChart) {
      this.byChart = new Map();
      for (const record of this.records.values()) if (record.chartId !== undefined) addTo(this.byChart, record.chartId, record.key);
    }
    return this.byChart;
  }

  private endpointIndex(): KeysByName {
    if (!this.byEndpoint) {
      this.byEndpoint = new KeysByName();
      for (const record of this.records.values()) if (record.kind === 'relation') this.indexEndpoints(this.byEndpoint, record);
    }
    return this.byEndpoint;
  }

  private indexEndpoints(index: KeysByName, record: StoredRecord): void {
    index.add(record.from as string, record.key);
    index.add(record.to as string, record.key);
  }

  private indexOpaque(record: StoredRecord, change: typeof addTo): void {
    if (record.kind !== 'line' || !this.opaque) return;
    const { repeats, chart } = whatOpaqueLineIs(record.raw);
    if (repeats !== undefined) change(this.opaque.repeats, repeats, record.key);
    if (chart !== undefined) change(this.opaque.byChart, chart, record.key);
  }

  private index(record: StoredRecord): void {
    this.version += 1;
    this.byTime = undefined;
    if (this.kinds) countKind(this.kinds, record, 1);
    this.indexOpaque(record, addTo);
    if (this.byChart && record.chartId !== undefined) addTo(this.byChart, record.chartId, record.key);
    if (this.byEndpoint && record.kind === 'relation') this.indexEndpoints(this.byEndpoint, record);
  }

  private unindex(record: StoredRecord): void {
    this.version += 1;
    this.byTime = undefined;
    if (this.kinds) countKind(this.kinds, record, -1);
    this.indexOpaque(record, removeFrom);
    if (this.byChart && record.chartId !== undefined) removeFrom(this.byChart, record.chartId, record.key);
    if (this.byEndpoint && record.kind === 'relation') {
      this.byEndpoint.remove(record.from as string, record.key);
      this.byEndpoint.remove(record.to as string, record.key);
    }
  }
}

const NONE: ReadonlySet<string> = new Set();

/**
 * Lookups by chart or by relation end answered by a scan of the records before their index is
 * built. A process that asks a few times and exits (the CLI's one change: is the new chart's id
 * free, which relations its parts have) scans 1.3M records at 100k charts in tens of ms each,
 * where building the chart index and the relation-end index took 0.4 and 1.9 s. One that keeps
 * asking (a window, a check of the data) gets the indexes after these, and keeps them current.
 */
const SCANS_BEFORE_INDEX = 6;

/** The key of the entity or relation an opaque line is a copy of, if it is one (not a comment or another type). */
export function repeatedKey(raw: string): string | undefined {
  const verdict = classifyLine(raw);
  if (!verdict.ok || verdict.kind === 'blank' || verdict.kind === 'line') return undefined;
  return makeRecord(raw, verdict.fields).key;
}

/** What an opaque line belongs to: the record it repeats, or the chart its metadata.chartId names (a line of another type). */
function whatOpaqueLineIs(raw: string): { repeats?: string; chart?: string } {
  const repeats = repeatedKey(raw);
  if (repeats !== undefined) return { repeats };
  if (!raw.includes('"chartId"')) return {};
  try {
    const metadata = (JSON.parse(raw) as { metadata?: { chartId?: unknown } } | null)?.metadata;
    return typeof metadata?.chartId === 'string' ? { chart: metadata.chartId } : {};
  } catch {
    return {};
  }
}

function countKind(kinds: { entities: number; relations: number }, record: StoredRecord, sign: 1 | -1): void {
  if (record.kind === 'entity') kinds.entities += sign;
  else if (record.kind === 'relation') kinds.relations += sign;
}

function addTo(index: Map<string, Set<string>>, at: string, key: string): void {
  let set = index.get(at);
  if (!set) index.set(at, (set = new Set()));
  set.add(key);
}

function removeFrom(index: Map<string, Set<string>>, at: string, key: string): void {
  const set = index.get(at);
  if (!set) return;
  set.delete(key);
  if (set.size === 0) index.delete(at);
}

/** metadata.updatedAt, else createdAt, read from a line's text (the later of the two keys found). */
function timeOf(raw: string): string | undefined {
  for (const field of ['"updatedAt":"', '"createdAt":"']) {
    const at = raw.lastIndexOf(field);
    if (at === -1) continue;
    const start = at + field.length;
    const end = raw.indexOf('"', start);
    if (end > start) return raw.slice(start, end);
  }
  return undefined;
}
