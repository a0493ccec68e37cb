// Word index for search: each entity's name, type and observations split into lower-case
// words; a query matches entities that have, for every query word, a word starting with it.
// Built on first use and kept current from then on; removed entities leave tombstones that
// are swept when they outnumber the live ones.
//
// A query takes its candidates from its most selective word (the one whose matching words have
// the shortest id lists), narrows them by each other word through the id lists alone, and keeps
// the best `limit` in a bounded heap. Ranking: exact word matches over prefixes, matches in the
// name over matches elsewhere, then shorter names.
import type { StoredRecord } from './records.ts';

const WORD = /[\p{L}\p{N}]+/gu;

export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

export interface SearchHit {
  readonly key: string;
  readonly score: number;
}

interface SearchText {
  readonly name: string;
  readonly rest: string;
}

/** The searchable text of an entity line, read without parsing the whole line (metadata can be large). */
export function searchTextOf(record: StoredRecord): SearchText {
  const raw = record.raw;
  const name = record.name ?? '';
  let rest = '';
  const type = raw.indexOf('"entityType":"');
  if (type >= 0) rest += ` ${jsonStringAt(raw, type + 13) ?? ''}`;
  const observations = raw.indexOf('"observations":[');
  if (observations >= 0) {
    const end = arrayEnd(raw, observations + 15);
    if (end > 0) {
      try {
        const list = JSON.parse(raw.slice(observations + 15, end + 1)) as unknown[];
        for (const item of list) if (typeof item === 'string') rest += ` ${item}`;
      } catch {
        // not an array of strings after all: only the name and type are searchable
      }
    }
  }
  return { name, rest };
}

/** The JSON string literal starting at `quote` (a '"'), decoded. */
function jsonStringAt(raw: string, quote: number): string | undefined {
  let i = quote + 1;
  while (i < raw.length && raw[i] !== '"') i += raw[i] === '\\' ? 2 : 1;
  try {
    return JSON.parse(raw.slice(quote, i + 1)) as string;
  } catch {
    return undefined;
  }
}

/** Index of the ']' closing the array that opens at `open`, skipping strings; -1 if none. */
function arrayEnd(raw: string, open: number): number {
  let depth = 0;
  for (let i = open; i < raw.length; i += 1) {
    const c = raw[i];
    if (c === '"') {
      i += 1;
      while (i < raw.length && raw[i] !== '"') i += raw[i] === '\\' ? 2 : 1;
    } else if (c === '[') depth += 1;
    else if (c === ']') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}

export class SearchIndex {
  /** Ids of the entities having each word, ascending (an entity made again gets a new, larger id). */
  private readonly postings = new Map<string, number[]>();
  /** The same for the words of entity names only (for ranking name matches first). */
  private readonly namePostings = new Map<string, number[]>();
  private sortedWords: string[] | undefined;
  private sortedNameWords: string[] | undefined;
  private readonly idOfKey = new Map<string, number>();
  private readonly records: (StoredRecord | undefined)[] = [];
  /** Each id's key length (the last tie-break), kept flat: reading it from the record costs a cache miss per candidate. */
  private keyLengths = new Uint16Array(1024);
  private dead = 0;
  /**
   * Scratch space for a query, by id, reused (a query touches only its candidates): how many
   * query words an entity matched so far, its score, and which word last gave it a name bonus.
   */
  private matched = new Uint16Array(0);
  private scores = new Int32Array(0);
  private nameMark = new Uint32Array(0);
  private markBase = 0;

  constructor(records: Iterable<StoredRecord>) {
    for (const record of records) this.add(record);
  }

  add(record: StoredRecord): void {
    if (record.kind !== 'entity') return;
    this.remove(record.key);
    const id = this.records.length;
    this.records.push(record);
    if (id >= this.keyLengths.length) {
      const grown = new Uint16Array(this.keyLengths.length * 2);
      grown.set(this.keyLengths);
      this.keyLengths = grown;
    }
    this.keyLengths[id] = Math.min(record.key.length, 0xffff);
    this.idOfKey.set(record.key, id);
    const text = searchTextOf(record);
    // A word seen twice in one entity is listed once: its list already ends with this id.
    for (const word of wordsOf(text.name)) {
      if (appendId(this.namePostings, word, id)) this.sortedNameWords = undefined;
      if (appendId(this.postings, word, id)) this.sortedWords = undefined;
    }
    for (const word of wordsOf(text.rest)) if (appendId(this.postings, word, id)) this.sortedWords = undefined;
  }

  /** Whether the index holds an entity of this key (in any form). */
  has(key: string): boolean {
    return this.idOfKey.has(key);
  }

  remove(key: string): void {
    const id = this.idOfKey.get(key);
    if (id === undefined) return;
    this.idOfKey.delete(key);
    this.records[id] = undefined;
    this.dead += 1;
  }

  /** True when tombstones outnumber live entries: the owner should rebuild. */
  get wantsRebuild(): boolean {
    return this.dead > 1000 && this.dead > this.idOfKey.size;
  }

  /**
   * The best `limit` entities having, for every query word, a word that starts with it. Scored
   * per query word: 2 for the exact word anywhere (1 for a longer word it starts), plus 3 for
   * the exact word in the name (2 for a name word it starts); then shorter names first.
   *
   * Every step works on ids in flat arrays, never on an entity's text: each query word either
   * walks the lists of the words it starts (marking the entities that matched every word so
   * far) or, when those lists are long next to the candidates left, looks each candidate up in
   * them by binary search. A query over 100,000 charts costs milliseconds, however common the
   * word (a scan of each candidate's text took seconds).
   */
  search(query: string, limit: number): SearchHit[] {
    if (limit <= 0) return [];
    const candidates = this.candidatesOf(query);
    const top = new BoundedHeap(limit);
    for (const id of candidates) {
      this.matched[id] = 0;
      const score = (this.scores[id] as number) - (this.keyLengths[id] as number) / 10_000;
      // Most candidates of a common word lose to the worst kept on the score alone: neither
      // their record is read nor a hit made for them.
      if (top.beatenBy(score)) continue;
      const record = this.records[id] as StoredRecord;
      if (top.takes(score, record.key)) top.offer({ key: record.key, score });
    }
    return top.sorted();
  }

  /**
   * Every match of the query, in no particular order, with the score `search` gives it: for a
   * caller that ranks by something else (charts by their best record) and counts them all.
   */
  forEachMatch(query: string, visit: (record: StoredRecord, score: number) => void): void {
    const candidates = this.candidatesOf(query);
    try {
      for (const id of candidates) visit(this.records[id] as StoredRecord, (this.scores[id] as number) - (this.keyLengths[id] as number) / 10_000);
    } finally {
      for (const id of candidates) this.matched[id] = 0;
    }
  }

  /** The ids matching every word, scored in `scores`, each marked in `matched` (the caller clears those marks). */
  private candidatesOf(query: string): number[] {
    const terms = [...new Set(wordsOf(query))];
    if (terms.length === 0) return [];
    const words = (this.sortedWords ??= [...this.postings.keys()].sort());
    const ranges = terms.map((term) => wordRange(words, this.postings, term));
    if (ranges.some((r) => r.size === 0)) return [];
    ranges.sort((a, b) => a.size - b.size);
    this.ensureScratch();
    const { matched, scores } = this;

    // The most selective word makes the candidates; each other word keeps those it matches.
    let candidates: number[] = [];
    ranges.forEach((range, t) => {
      const exact = (word: string) => (word === range.term ? 2 : 1);
      if (t === 0) {
        for (let w = range.from; w < range.to; w += 1) {
          const word = words[w] as string;
          for (const id of this.postings.get(word) as number[]) {
            if (matched[id] !== 0 || this.records[id] === undefined) continue;
            matched[id] = 1;
            scores[id] = exact(word);
            candidates.push(id);
          }
        }
        return;
      }
      if (range.size <= candidates.length * 8 * (range.to - range.from)) {
        for (let w = range.from; w < range.to; w += 1) {
          const word = words[w] as string;
          for (const id of this.postings.get(word) as number[]) {
            if (matched[id] !== t) continue;
            matched[id] = t + 1;
            scores[id] = (scores[id] as number) + exact(word);
          }
        }
      } else {
        for (const id of candidates) {
          for (let w = range.from; w < range.to; w += 1) {
            const word = words[w] as string;
            if (!hasId(this.postings.get(word) as number[], id)) continue;
            matched[id] = t + 1;
            scores[id] = (scores[id] as number) + exact(word);
            break;
          }
        }
      }
      const kept = candidates.filter((id) => matched[id] === t + 1);
      for (const id of candidates) if (matched[id] !== t + 1) matched[id] = 0;
      candidates = kept;
    });

    // Name bonus: once per query word, the exact word (listed first in its range) over a longer one.
    const names = (this.sortedNameWords ??= [...this.namePostings.keys()].sort());
    for (const term of terms) {
      const range = wordRange(names, this.namePostings, term);
      if (range.size === 0) continue;
      const mark = this.nextMark();
      const bonus = (word: string) => (word === term ? 3 : 2);
      if (range.size <= candidates.length * 8 * (range.to - range.from)) {
        for (let w = range.from; w < range.to; w += 1) {
          const word = names[w] as string;
          for (const id of this.namePostings.get(word) as number[]) {
            if (matched[id] !== ranges.length || this.nameMark[id] === mark) continue;
            this.nameMark[id] = mark;
            scores[id] = (scores[id] as number) + bonus(word);
          }
        }
      } else {
        for (const id of candidates) {
          for (let w = range.from; w < range.to; w += 1) {
            const word = names[w] as string;
            if (!hasId(this.namePostings.get(word) as number[], id)) continue;
            scores[id] = (scores[id] as number) + bonus(word);
            break;
          }
        }
      }
    }

    return candidates;
  }

  /** Scratch arrays as long as the ids (grown by half again, so adds do not regrow them each query). */
  private ensureScratch(): void {
    const n = this.records.length;
    if (this.matched.length >= n) return;
    const size = Math.ceil(n * 1.5) + 1024;
    this.matched = new Uint16Array(size);
    this.scores = new Int32Array(size);
    this.nameMark = new Uint32Array(size);
    this.markBase = 0;
  }

  /** A value no entity's name mark holds yet. */
  private nextMark(): number {
    if (this.markBase >= 0xfffffff0) {
      this.nameMark.fill(0);
      this.markBase = 0;
    }
    this.markBase += 1;
    return this.markBase;
  }
}

/**
 * An index filled a slice at a time, so that building it for 100,000 charts never holds the
 * process for long: the index takes live changes from the start (the owner makes it the
 * state's observer), and the records present when the build began are added in steps, each
 * only if it is still the current form of its key and no newer form was added meanwhile.
 */
export class IndexBuild {
  private next = 0;

  constructor(
    readonly index: SearchIndex,
    private readonly backlog: readonly StoredRecord[],
    private readonly current: (key: string) => StoredRecord | undefined,
  ) {}

  /** Adds records for about `budgetMs`; true when every one is in. */
  step(budgetMs: number): boolean {
    const until = performance.now() + budgetMs;
    while (this.next < this.backlog.length) {
      // The clock is read every 256 records: reading it costs more than adding one.
      for (let n = 0; n < 256 && this.next < this.backlog.length; n += 1) {
        const record = this.backlog[this.next] as StoredRecord;
        this.next += 1;
        if (!this.index.has(record.key) && this.current(record.key) === record) this.index.add(record);
      }
      if (performance.now() >= until) break;
    }
    return this.next >= this.backlog.length;
  }
}

/** Adds `id` to the word's list unless it already ends with it; true when the word is new. */
function appendId(lists: Map<string, number[]>, word: string, id: number): boolean {
  const list = lists.get(word);
  if (!list) {
    lists.set(word, [id]);
    return true;
  }
  if (list[list.length - 1] !== id) list.push(id);
  return false;
}

/** The words (in sorted order) that start with `term`, the exact word first, and how many ids their lists hold. */
function wordRange(sorted: readonly string[], lists: ReadonlyMap<string, number[]>, term: string): { term: string; from: number; to: number; size: number } {
  const from = lowerBound(sorted, term);
  let to = from;
  let size = 0;
  while (to < sorted.length && (sorted[to] as string).startsWith(term)) {
    size += (lists.get(sorted[to] as string) as number[]).length;
    to += 1;
  }
  return { term, from, to, size };
}

/** Whether an ascending list holds `id`. */
function hasId(list: readonly number[], id: number): boolean {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const value = list[mid] as number;
    if (value === id) return true;
    if (value < id) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

/** Keeps the `limit` best hits seen (a min-heap on score). */
class BoundedHeap {
  private readonly heap: SearchHit[] = [];
  constructor(private readonly limit: number) {}

  private worse(a: SearchHit, b: SearchHit): boolean {
    return a.score < b.score || (a.score === b.score && a.key > b.key);
  }

  /** Whether the heap is full and its worst hit scores above `score` (such a hit is not kept, whatever its key). */
  beatenBy(score: number): boolean {
    const worst = this.heap[0];
    return this.heap.length >= this.limit && worst !== undefined && worst.score > score;
  }

  /** Whether a hit with this score and key would be kept. */
  takes(score: number, key: string): boolean {
    const worst = this.heap[0];
    return this.heap.length < this.limit || worst === undefined || score > worst.score || (score === worst.score && key < worst.key);
  }

  offer(hit: SearchHit): void {
    const heap = this.heap;
    if (heap.length < this.limit) {
      heap.push(hit);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!this.worse(heap[i] as SearchHit, heap[parent] as SearchHit)) break;
        [heap[i], heap[parent]] = [heap[parent] as SearchHit, heap[i] as SearchHit];
        i = parent;
      }
      return;
    }
    if (!this.worse(heap[0] as SearchHit, hit)) return;
    heap[0] = hit;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && this.worse(heap[left] as SearchHit, heap[smallest] as SearchHit)) smallest = left;
      if (right < heap.length && this.worse(heap[right] as SearchHit, heap[smallest] as SearchHit)) smallest = right;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest] as SearchHit, heap[i] as SearchHit];
      i = smallest;
    }
  }

  sorted(): SearchHit[] {
    return [...this.heap].sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : 1));
  }
}

function lowerBound(sorted: readonly string[], target: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
