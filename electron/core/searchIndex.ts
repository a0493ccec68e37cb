// Word index for search: each entity's name, type and observations split into lower-case
// words; a query matches entities that have, for every query word, a word starting with it.
// Built on first use and kept current from then on; removed entities leave tombstones that
// are swept when they outnumber the live ones.
//
// A query takes its candidates from its most selective word only (the one whose matching
// words have the shortest posting lists), then checks each candidate's own text for the other
// words, and keeps the best `limit` in a bounded heap. Ranking: exact word matches over
// prefixes, matches in the name over matches elsewhere, then shorter names.
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
  private readonly postings = new Map<string, number[]>();
  /** Words of entity names only (for ranking name matches first). */
  private readonly namePostings = new Map<string, number[]>();
  private sortedWords: string[] | undefined;
  private readonly idOfKey = new Map<string, number>();
  private readonly records: (StoredRecord | undefined)[] = [];
  private dead = 0;

  constructor(records: Iterable<StoredRecord>) {
    for (const record of records) this.add(record);
  }

  add(record: StoredRecord): void {
    if (record.kind !== 'entity') return;
    this.remove(record.key);
    const id = this.records.length;
    this.records.push(record);
    this.idOfKey.set(record.key, id);
    const text = searchTextOf(record);
    const nameWords = new Set(wordsOf(text.name));
    for (const word of nameWords) {
      let list = this.namePostings.get(word);
      if (!list) this.namePostings.set(word, (list = []));
      list.push(id);
    }
    for (const word of new Set([...nameWords, ...wordsOf(text.rest)])) {
      let list = this.postings.get(word);
      if (!list) {
        this.postings.set(word, (list = []));
        this.sortedWords = undefined;
      }
      list.push(id);
    }
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

  search(query: string, limit: number): SearchHit[] {
    const terms = [...new Set(wordsOf(query))];
    if (terms.length === 0 || limit <= 0) return [];
    const words = (this.sortedWords ??= [...this.postings.keys()].sort());
    // Each term's matching words (those it is a prefix of) and how many postings they hold.
    const ranges = terms.map((term) => {
      const from = lowerBound(words, term);
      let to = from;
      let size = 0;
      while (to < words.length && (words[to] as string).startsWith(term)) {
        size += (this.postings.get(words[to] as string) as number[]).length;
        to += 1;
      }
      return { term, from, to, size };
    });
    if (ranges.some((r) => r.size === 0)) return [];
    ranges.sort((a, b) => a.size - b.size);
    const [chosen, ...others] = ranges as [(typeof ranges)[number], ...typeof ranges];
    const union = (range: (typeof ranges)[number]) => {
      const ids = new Set<number>();
      for (let i = range.from; i < range.to; i += 1) for (const id of this.postings.get(words[i] as string) as number[]) ids.add(id);
      return ids;
    };
    const candidates = union(chosen);
    // Other terms are checked by id when their postings are few enough, else in each candidate's text.
    const byId = new Map<string, Set<number>>();
    for (const range of others) if (range.size <= Math.max(50 * candidates.size, 20_000)) byId.set(range.term, union(range));
    // Sets for ranking only where they are small next to the candidates; otherwise the candidate's own words decide.
    const small = (list: number[] | undefined) => (list ?? []).length <= Math.max(50 * candidates.size, 20_000);
    const exact = new Map(terms.filter((t) => small(this.postings.get(t))).map((t) => [t, new Set(this.postings.get(t) ?? [])]));
    const inName = new Map(terms.filter((t) => small(this.namePostings.get(t))).map((t) => [t, new Set(this.namePostings.get(t) ?? [])]));

    const top = new BoundedHeap(limit);
    for (const id of candidates) {
      const record = this.records[id];
      if (!record) continue;
      let words: string[] | undefined;
      let all = true;
      for (const range of others) {
        const ids = byId.get(range.term);
        if (ids) {
          if (!ids.has(id)) all = false;
        } else {
          words ??= allWords(record);
          if (!words.some((w) => w.startsWith(range.term))) all = false;
        }
        if (!all) break;
      }
      if (!all) continue;
      // Ranking: exact words over prefixes; a word of the name (exact, then prefix) over the rest.
      const nameWords = wordsOf(record.name ?? '');
      let score = 0;
      for (const term of terms) {
        const exactSet = exact.get(term);
        if (exactSet ? exactSet.has(id) : (words ??= allWords(record)).includes(term)) score += 2;
        else score += 1;
        const nameSet = inName.get(term);
        if (nameSet ? nameSet.has(id) : nameWords.includes(term)) score += 3;
        else if (nameWords.some((w) => w.startsWith(term))) score += 2;
      }
      top.offer({ key: record.key, score: score - record.key.length / 10_000 });
    }
    return top.sorted();
  }
}

function allWords(record: StoredRecord): string[] {
  const text = searchTextOf(record);
  return [...wordsOf(text.name), ...wordsOf(text.rest)];
}

/** Keeps the `limit` best hits seen (a min-heap on score). */
class BoundedHeap {
  private readonly heap: SearchHit[] = [];
  constructor(private readonly limit: number) {}

  private worse(a: SearchHit, b: SearchHit): boolean {
    return a.score < b.score || (a.score === b.score && a.key > b.key);
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
