// Word index for search: each entity's name, type and observations split into lower-case
// words; a query matches entities that have, for every query word, a word starting with it.
// Built on first use and kept current from then on; removed entities leave tombstones that
// are swept when they outnumber the live ones. Ranking: exact word matches over prefixes,
// matches in the name over matches elsewhere, then shorter names.
import type { StoredRecord } from './records.ts';
import { parseValue } from './records.ts';

const WORD = /[\p{L}\p{N}]+/gu;

export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

export interface SearchHit {
  readonly key: string;
  readonly score: number;
}

export class SearchIndex {
  private readonly postings = new Map<string, number[]>();
  private sortedWords: string[] | undefined;
  private readonly idOfKey = new Map<string, number>();
  private readonly keyOfId: (string | undefined)[] = [];
  private readonly nameWords: (Set<string> | undefined)[] = [];
  private dead = 0;

  constructor(records: Iterable<StoredRecord>) {
    for (const record of records) this.add(record);
  }

  add(record: StoredRecord): void {
    if (record.kind !== 'entity') return;
    this.remove(record.key);
    const id = this.keyOfId.length;
    this.keyOfId.push(record.key);
    this.idOfKey.set(record.key, id);
    const value = parseValue(record);
    const names = new Set(wordsOf(record.name as string));
    this.nameWords.push(names);
    const words = new Set(names);
    if (typeof value.entityType === 'string') for (const w of wordsOf(value.entityType)) words.add(w);
    if (Array.isArray(value.observations)) {
      for (const observation of value.observations) if (typeof observation === 'string') for (const w of wordsOf(observation)) words.add(w);
    }
    for (const word of words) {
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
    this.keyOfId[id] = undefined;
    this.nameWords[id] = undefined;
    this.dead += 1;
  }

  /** True when tombstones outnumber live entries: the owner should rebuild. */
  get wantsRebuild(): boolean {
    return this.dead > 1000 && this.dead > this.idOfKey.size;
  }

  search(query: string, limit: number): SearchHit[] {
    const terms = [...new Set(wordsOf(query))];
    if (terms.length === 0) return [];
    const words = (this.sortedWords ??= [...this.postings.keys()].sort());
    // For each term: the ids having a word that starts with it, and those having it exactly.
    const perTerm = terms.map((term) => {
      const exact = new Set(this.postings.get(term) ?? []);
      const any = new Set<number>(exact);
      for (let i = lowerBound(words, term); i < words.length && (words[i] as string).startsWith(term); i += 1) {
        for (const id of this.postings.get(words[i] as string) ?? []) any.add(id);
      }
      return { term, exact, any };
    });
    perTerm.sort((a, b) => a.any.size - b.any.size);
    const [first, ...rest] = perTerm;
    const hits: SearchHit[] = [];
    for (const id of (first as (typeof perTerm)[number]).any) {
      const key = this.keyOfId[id];
      if (key === undefined || !rest.every((t) => t.any.has(id))) continue;
      const names = this.nameWords[id] as Set<string>;
      let score = 0;
      for (const t of perTerm) {
        score += t.exact.has(id) ? 2 : 1;
        if (names.has(t.term)) score += 3;
        else if ([...names].some((w) => w.startsWith(t.term))) score += 2;
      }
      hits.push({ key, score: score - key.length / 10_000 });
    }
    hits.sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : 1));
    return hits.slice(0, limit);
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
