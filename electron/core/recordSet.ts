// The in-memory state of one context: its records in file order, with indexes by chart id and
// by relation endpoint. Map keeps insertion order, which is the order lines are written in.
import { classifyLine, asOpaque, makeRecord, type StoredRecord } from './records.ts';
import { keyOfIdentity } from './records.ts';
import type { Change } from './journalFormat.ts';

/** Told of every change, to keep a derived index (search) current. */
export interface RecordObserver {
  add(record: StoredRecord): void;
  remove(key: string): void;
}

export class RecordSet {
  private readonly records = new Map<string, StoredRecord>();
  private observer: RecordObserver | undefined;
  private readonly byChart = new Map<string, Set<string>>();
  private readonly byEndpoint = new Map<string, Set<string>>();

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

  /** A shallow copy of the key -> record map (records are immutable and shared). */
  snapshotMap(): Map<string, StoredRecord> {
    return new Map(this.records);
  }

  chartKeys(chartId: string): ReadonlySet<string> {
    return this.byChart.get(chartId) ?? new Set();
  }

  chartIds(): IterableIterator<string> {
    return this.byChart.keys();
  }

  /** Keys of the relations that start or end at this entity name. */
  relationKeysOf(name: string): ReadonlySet<string> {
    return this.byEndpoint.get(name) ?? new Set();
  }

  observe(observer: RecordObserver | undefined): void {
    this.observer = observer;
  }

  set(record: StoredRecord): void {
    const previous = this.records.get(record.key);
    if (previous) this.unindex(previous);
    this.records.set(record.key, record);
    this.index(record);
    this.observer?.add(record);
  }

  delete(key: string): StoredRecord | undefined {
    const previous = this.records.get(key);
    if (!previous) return undefined;
    this.unindex(previous);
    this.records.delete(key);
    this.observer?.remove(key);
    return previous;
  }

  /** Puts the records in this order (keys not listed keep their relative order, after). */
  reorder(order: Iterable<string>): void {
    const next = new Map<string, StoredRecord>();
    for (const key of order) {
      const record = this.records.get(key);
      if (record) next.set(key, record);
    }
    for (const [key, record] of this.records) if (!next.has(key)) next.set(key, record);
    this.records.clear();
    for (const [key, record] of next) this.records.set(key, record);
  }

  private index(record: StoredRecord): void {
    if (record.chartId !== undefined) addTo(this.byChart, record.chartId, record.key);
    if (record.kind === 'relation') {
      addTo(this.byEndpoint, record.from as string, record.key);
      addTo(this.byEndpoint, record.to as string, record.key);
    }
  }

  private unindex(record: StoredRecord): void {
    if (record.chartId !== undefined) removeFrom(this.byChart, record.chartId, record.key);
    if (record.kind === 'relation') {
      removeFrom(this.byEndpoint, record.from as string, record.key);
      removeFrom(this.byEndpoint, record.to as string, record.key);
    }
  }
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

/** The record a journal change puts in place, or the key it deletes. */
export function recordOfChange(change: Change): { put: StoredRecord } | { del: string } {
  if (change.del) return { del: keyOfIdentity(change.del) };
  if (change.set !== undefined) {
    const raw = JSON.stringify(change.set);
    const verdict = classifyLine(raw);
    if (!verdict.ok || verdict.kind === 'blank') return { put: asOpaque(raw, 1) };
    return { put: makeRecord(raw, verdict.fields) };
  }
  const raw = change.line;
  // An opaque line (a comment, an unknown line type, a duplicate) carries its occurrence number.
  if (change.opaque || change.n !== undefined) return { put: asOpaque(raw, change.n ?? 1) };
  const verdict = classifyLine(raw);
  if (!verdict.ok || verdict.kind === 'blank') return { put: asOpaque(raw, 1) };
  return { put: makeRecord(raw, verdict.fields) };
}
