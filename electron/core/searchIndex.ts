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
import { ShardedMap } from './shardedMap.ts';
import { SortedWords } from './sortedWords.ts';
import { monotonicMs } from './monotonicClock.ts';

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

/** The words a query word starts, the exact word first, and how many ids their lists hold. */
interface TermWords {
  readonly term: string;
  readonly words: string[];
  readonly size: number;
}

/** A query's candidates, as ids in a scratch array, and how many. */
interface Candidates {
  readonly ids: Int32Array;
  readonly count: number;
}

export class SearchIndex {
  /** Ids of the entities having each word, ascending (an entity made again gets a new, larger id). */
  private readonly postings = new Map<string, number[]>();
  /** The same for the words of entity names only (for ranking name matches first). */
  private readonly namePostings = new Map<string, number[]>();
  private readonly words = new SortedWords();
  private readonly nameWords = new SortedWords();
  /** In shards: one Map of 700,000 keys (100k charts) held a slice of the build for ~140 ms each time it grew. */
  private readonly idOfKey = new ShardedMap<number>();
  private readonly records: (StoredRecord | undefined)[] = [];
  /** Each id's key length (the last tie-break), kept flat: reading it from the record costs a cache miss per candidate. */
  private keyLengths = new Uint16Array(1024);
  private dead = 0;
  /**
   * Scratch space for a query, by id, reused (a query touches only its candidates): how many
   * query words an entity matched so far, its score, and which word last gave it a name bonus;
   * and the candidates themselves. One query at a time: a visitor must not search again.
   */
  private matched = new Uint16Array(0);
  private scores = new Int32Array(0);
  private nameMark = new Uint32Array(0);
  private markBase = 0;
  private candidates = new Int32Array(0);

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
      if (appendId(this.namePostings, word, id)) this.nameWords.add(word);
      if (appendId(this.postings, word, id)) this.words.add(word);
    }
    for (const word of wordsOf(text.rest)) if (appendId(this.postings, word, id)) this.words.add(word);
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

  /** Brings the word lists into order now (the end of a build), so that no query pays for it. */
  settle(): void {
    this.words.settle();
    this.nameWords.settle();
  }

  /**
   * The best `limit` entities having, for every query word, a word that starts with it. Scored
   * per query word: 2 for the exact word anywhere (1 for a longer word it starts), plus 3 for
   * the exact word in the name (2 for a name word it starts); then shorter names first.
   *
   * Every step works on ids in flat arrays, never on an entity's text: each query word either
   * walks the lists of the words it starts (marking the entities that matched every word so
   * far) or, when those lists are long next to the candidates left, looks each candidate up in
   * them, moving forward through each list. A query over 100,000 charts costs milliseconds,
   * however common the word (a scan of each candidate's text took seconds).
   */
  search(query: string, limit: number): SearchHit[] {
    if (limit <= 0) return [];
    const { ids, count } = this.candidatesOf(query);
    const top = new BoundedHeap(limit);
    for (let i = 0; i < count; i += 1) {
      const id = ids[i] as number;
      this.matched[id] = 0;
      const score = this.scoreOf(id);
      // Most candidates of a common word lose to the worst kept on the score alone: neither
      // their record is read nor a hit made for them.
      if (top.beatenBy(score)) continue;
      const record = this.records[id] as StoredRecord;
      if (top.takes(score, record.key)) top.offer({ key: record.key, score });
    }
    return top.sorted();
  }

  /**
   * Every match of the query, in no particular order, with the score `search` gives it, by the
   * index's id of each matching entity (recordAt, keyAt): for a caller that ranks by something
   * else (charts by their best record) and counts them all, keeping facts by id in flat arrays
   * so that most matches cost no read of their record. An id names one form of one entity for
   * the life of the index: a key set again gets a new id.
   */
  forEachMatchId(query: string, visit: (id: number, score: number) => void): void {
    const { ids, count } = this.candidatesOf(query);
    try {
      for (let i = 0; i < count; i += 1) {
        const id = ids[i] as number;
        visit(id, this.scoreOf(id));
      }
    } finally {
      for (let i = 0; i < count; i += 1) this.matched[ids[i] as number] = 0;
    }
  }

  /** How many ids the index has given (live or not): every id is below this. */
  get idCount(): number {
    return this.records.length;
  }

  /** The entity of an id; undefined once removed or replaced. */
  recordAt(id: number): StoredRecord | undefined {
    return this.records[id];
  }

  /** The key of a live id's entity. */
  keyAt(id: number): string {
    return (this.records[id] as StoredRecord).key;
  }

  private scoreOf(id: number): number {
    return (this.scores[id] as number) - (this.keyLengths[id] as number) / 10_000;
  }

  /** The ids matching every word, scored in `scores`, each marked in `matched` (the caller clears those marks). */
  private candidatesOf(query: string): Candidates {
    const terms = [...new Set(wordsOf(query))];
    if (terms.length === 0) return { ids: this.candidates, count: 0 };
    const ranges = terms.map((term) => termWords(this.words, this.postings, term));
    if (ranges.some((r) => r.size === 0)) return { ids: this.candidates, count: 0 };
    ranges.sort((a, b) => a.size - b.size);
    this.ensureScratch();
    const { matched, scores, candidates, postings } = this;

    // The most selective word makes the candidates: 2 for its exact word (listed first), else 1.
    const first = ranges[0] as TermWords;
    let count = 0;
    first.words.forEach((word, w) => {
      const exact = w === 0 && word === first.term ? 2 : 1;
      for (const id of postings.get(word) as number[]) {
        if (matched[id] !== 0 || this.records[id] === undefined) continue;
        matched[id] = 1;
        scores[id] = exact;
        candidates[count] = id;
        count += 1;
      }
    });
    // Ids from several words' lists come interleaved: they are put in order only if a later
    // word looks them up (each of its lists is then read forward once).
    let ordered = first.words.length === 1;
    const inOrder = () => {
      if (!ordered) candidates.subarray(0, count).sort();
      ordered = true;
    };

    // Each other word keeps the candidates it matches, adding 2 for its exact word, else 1.
    for (let t = 1; t < ranges.length; t += 1) {
      const range = ranges[t] as TermWords;
      const lists = range.words.map((word) => postings.get(word) as number[]);
      markMatches(lists, range.words[0] === range.term, candidates, count, inOrder, (id) => matched[id] === t, (id, exact) => {
        matched[id] = t + 1;
        scores[id] = (scores[id] as number) + (exact ? 2 : 1);
      });
      let kept = 0;
      for (let i = 0; i < count; i += 1) {
        const id = candidates[i] as number;
        if (matched[id] === t + 1) candidates[kept++] = id;
        else matched[id] = 0;
      }
      count = kept;
    }

    // Name bonus: once per query word, 3 for its exact word in the name, else 2.
    const all = ranges.length;
    for (const term of terms) {
      const range = termWords(this.nameWords, this.namePostings, term);
      if (range.size === 0) continue;
      const mark = this.nextMark();
      const { nameMark } = this;
      const lists = range.words.map((word) => this.namePostings.get(word) as number[]);
      markMatches(lists, range.words[0] === term, candidates, count, inOrder, (id) => matched[id] === all && nameMark[id] !== mark, (id, exact) => {
        nameMark[id] = mark;
        scores[id] = (scores[id] as number) + (exact ? 3 : 2);
      });
    }

    return { ids: candidates, count };
  }

  /** Scratch arrays as long as the ids (grown by half again, so adds do not regrow them each query). */
  private ensureScratch(): void {
    const n = this.records.length;
    if (this.matched.length >= n) return;
    const size = Math.ceil(n * 1.5) + 1024;
    this.matched = new Uint16Array(size);
    this.scores = new Int32Array(size);
    this.nameMark = new Uint32Array(size);
    this.candidates = new Int32Array(size);
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
 * Calls `mark(id, exact)` once for each candidate that `wanted` lets through and some list
 * holds, `exact` when the first list holding it is the exact word's (`firstIsExact`, lists[0]);
 * `mark` must make `wanted` false for that id. Each list, in order, is either walked (when it is
 * short next to the candidates) or, for each candidate in ascending order (`inOrder` sorts
 * them), looked in from where the last look stopped. The choice is made per list: a common
 * prefix ("chart" in every entity's name) gives one huge list and many short ones, and walking
 * the huge one cost ~10 ms a query at 100,000 charts, whatever the candidates.
 */
function markMatches(
  lists: readonly (readonly number[])[],
  firstIsExact: boolean,
  candidates: Int32Array,
  count: number,
  inOrder: () => void,
  wanted: (id: number) => boolean,
  mark: (id: number, exact: boolean) => void,
): void {
  for (let w = 0; w < lists.length; w += 1) {
    const list = lists[w] as readonly number[];
    const exact = firstIsExact && w === 0;
    if (list.length <= count * 8) {
      for (const id of list) if (wanted(id)) mark(id, exact);
      continue;
    }
    inOrder();
    let at = 0;
    for (let i = 0; i < count && at < list.length; i += 1) {
      const id = candidates[i] as number;
      if (!wanted(id)) continue;
      at = seek(list, id, at);
      if (list[at] === id) mark(id, exact);
    }
  }
}

/** The first index at or after `from` whose value is at least `id` in an ascending list (galloping, then binary search). */
function seek(list: readonly number[], id: number, from: number): number {
  let lo = from;
  let step = 1;
  let hi = from;
  while (hi < list.length && (list[hi] as number) < id) {
    lo = hi + 1;
    hi += step;
    step *= 2;
  }
  if (hi > list.length) hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as number) < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * An index filled a slice at a time, so that building it for 100,000 charts never holds the
 * process for long: the index takes live changes from the start (the owner makes it the
 * state's observer), and the records met by a walk over the state (a live iterator, not a copy
 * of 1.3M records, which alone held the first slice for ~50 ms) are added in steps, each only if
 * it is still the current form of its key and no newer form was added meanwhile.
 */
export class IndexBuild {
  private done = false;

  constructor(
    readonly index: SearchIndex,
    private readonly backlog: Iterator<StoredRecord>,
    private readonly current: (key: string) => StoredRecord | undefined,
  ) {}

  /** Adds records for about `budgetMs`; true when every one is in. */
  step(budgetMs: number): boolean {
    const until = monotonicMs() + budgetMs;
    while (!this.done) {
      // The clock is read every 64 records (an add costs several times a reading of the clock,
      // and a batch of 256 ran well past a slice's end when the collector ran inside it).
      for (let n = 0; n < 64; n += 1) {
        const next = this.backlog.next();
        if (next.done) {
          this.done = true;
          break;
        }
        const record = next.value;
        if (!this.index.has(record.key) && this.current(record.key) === record) this.index.add(record);
      }
      if (monotonicMs() >= until) break;
    }
    if (!this.done) return false;
    // The words added last are put in order now, not by the first query.
    this.index.settle();
    return true;
  }
}

/** The words of `words` that start with `term` (the exact word first), and how many ids their lists hold. */
function termWords(words: SortedWords, lists: ReadonlyMap<string, number[]>, term: string): TermWords {
  const found = words.startingWith(term);
  let size = 0;
  for (const word of found) size += (lists.get(word) as number[]).length;
  return { term, words: found, size };
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

/**
 * Keeps the `limit` best hits offered: higher score first, then the key that sorts first (a
 * min-heap on that order). The chart search ranks its charts with it too.
 */
export class BoundedHeap<T extends SearchHit = SearchHit> {
  private readonly heap: T[] = [];
  constructor(private readonly limit: number) {}

  private worse(a: T, b: T): boolean {
    return a.score < b.score || (a.score === b.score && a.key > b.key);
  }

  /** Whether the heap is full and its worst hit scores above `score` (such a hit is not kept, whatever its key). */
  beatenBy(score: number): boolean {
    const worst = this.heap[0];
    return this.heap.length >= this.limit && worst !== undefined && worst.score > score;
  }

  /** Whether a hit with this score and key would be kept. */
  takes(score: number, key: string): boolean {
    if (this.limit <= 0) return false;
    const worst = this.heap[0];
    return this.heap.length < this.limit || worst === undefined || score > worst.score || (score === worst.score && key < worst.key);
  }

  offer(hit: T): void {
    const heap = this.heap;
    if (heap.length < this.limit) {
      heap.push(hit);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!this.worse(heap[i] as T, heap[parent] as T)) break;
        [heap[i], heap[parent]] = [heap[parent] as T, heap[i] as T];
        i = parent;
      }
      return;
    }
    if (!this.worse(heap[0] as T, hit)) return;
    heap[0] = hit;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && this.worse(heap[left] as T, heap[smallest] as T)) smallest = left;
      if (right < heap.length && this.worse(heap[right] as T, heap[smallest] as T)) smallest = right;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest] as T, heap[i] as T];
      i = smallest;
    }
  }

  /** The hits kept, best first. */
  sorted(): T[] {
    return [...this.heap].sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : 1));
  }
}
