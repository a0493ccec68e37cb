// The search index against a plain reading of its own rule, on random entities, queries, edits
// and removals: every query word must start some word of the entity (name, type or observation);
// per word 2 for an exact word anywhere (else 1), plus 3 for the exact word in the name (else 2
// for a name word it starts); then shorter keys, then keys in order. The index answers through
// id lists and binary searches; the oracle reads every entity's text.
import { describe, expect, it } from 'vitest';
import { IndexBuild, SearchIndex, searchTextOf, wordsOf, type SearchHit } from '../../electron/core/searchIndex.ts';
import { makeRecord, type StoredRecord } from '../../electron/core/records.ts';

const VOCABULARY = ['invoice', 'invoices', 'invoicing', 'in', 'ink', 'bill', 'billing', 'billed', 'ship', 'shipping', 'customer', 'custom', 'a', 'ab', 'abc', 'été', 'über', '42', '420'];

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function entity(name: string, observations: string[]): StoredRecord {
  const raw = JSON.stringify({ type: 'entity', name, entityType: 'action_step', observations });
  return makeRecord(raw, { kind: 'entity', name });
}

function oracle(records: Iterable<StoredRecord>, query: string, limit: number): SearchHit[] {
  const terms = [...new Set(wordsOf(query))];
  if (terms.length === 0 || limit <= 0) return [];
  const hits: SearchHit[] = [];
  for (const record of records) {
    const text = searchTextOf(record);
    const nameWords = wordsOf(text.name);
    const all = [...nameWords, ...wordsOf(text.rest)];
    if (!terms.every((term) => all.some((word) => word.startsWith(term)))) continue;
    let score = 0;
    for (const term of terms) {
      score += all.includes(term) ? 2 : 1;
      if (nameWords.includes(term)) score += 3;
      else if (nameWords.some((word) => word.startsWith(term))) score += 2;
    }
    hits.push({ key: record.key, score: score - record.key.length / 10_000 });
  }
  return hits.sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : 1)).slice(0, limit);
}

describe('the search index', () => {
  it('answers every query as a plain reading of the rule does, through adds, edits and removals (seeded)', () => {
    const random = prng(20261129);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const phrase = (words: number) => Array.from({ length: words }, () => pick(VOCABULARY)).join(pick([' ', '_', '-', ', ']));
    const live = new Map<string, StoredRecord>();
    const index = new SearchIndex([]);
    let compared = 0;
    let nonEmpty = 0;
    for (let round = 0; round < 60; round += 1) {
      // A burst of changes: new entities, edits of existing ones (a new form of the same key), removals.
      for (let change = 0; change < 40; change += 1) {
        const roll = random();
        if (roll < 0.6 || live.size < 10) {
          const record = entity(`${phrase(1 + Math.floor(random() * 2))}_${Math.floor(random() * 500)}`, Array.from({ length: Math.floor(random() * 3) }, () => phrase(1 + Math.floor(random() * 4))));
          live.set(record.key, record);
          index.add(record);
        } else if (roll < 0.8) {
          const key = pick([...live.keys()]);
          const name = key.slice(2);
          const record = entity(name, [phrase(2)]);
          live.set(key, record);
          index.add(record);
        } else {
          const key = pick([...live.keys()]);
          live.delete(key);
          index.remove(key);
        }
      }
      for (let q = 0; q < 10; q += 1) {
        const word = () => {
          const whole = pick(VOCABULARY);
          return random() < 0.4 ? whole.slice(0, 1 + Math.floor(random() * whole.length)) : whole;
        };
        const query = Array.from({ length: 1 + Math.floor(random() * 3) }, word).join(' ');
        const limit = pick([1, 5, 50, 100_000]);
        const expected = oracle(live.values(), query, limit);
        expect(index.search(query, limit), `round ${round}, query "${query}", limit ${limit}`).toEqual(expected);
        // Every match, as forEachMatchId hands them over, is what an unlimited search finds.
        const visited: SearchHit[] = [];
        index.forEachMatchId(query, (id, score) => visited.push({ key: index.keyAt(id), score }));
        expect(visited.sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : 1))).toEqual(oracle(live.values(), query, Number.MAX_SAFE_INTEGER));
        compared += 1;
        if (expected.length > 0) nonEmpty += 1;
      }
    }
    // The comparison meant something: most queries found entities.
    expect(compared).toBe(600);
    expect(nonEmpty).toBeGreaterThan(300);
  });

  it('finds nothing for a query without words, a word no entity starts, or a limit of 0', () => {
    const index = new SearchIndex([entity('ship_1', ['billing customers'])]);
    expect(index.search('   ', 10)).toEqual([]);
    expect(index.search('zebra', 10)).toEqual([]);
    expect(index.search('ship zebra', 10)).toEqual([]);
    expect(index.search('ship', 0)).toEqual([]);
    expect(index.search('SHIP bill', 10)).toEqual([{ key: entity('ship_1', []).key, score: 5 + 1 - 'e\u0000ship_1'.length / 10_000 }]);
  });

  it('built a slice at a time while entities are added, edited and removed, it answers as one built at once', () => {
    const random = prng(7);
    const live = new Map<string, StoredRecord>();
    for (let i = 0; i < 3000; i += 1) {
      const record = entity(`${VOCABULARY[i % VOCABULARY.length]}_${i}`, [VOCABULARY[(i * 7) % VOCABULARY.length] as string]);
      live.set(record.key, record);
    }
    const index = new SearchIndex([]);
    // A live walk, as the store gives it: changes made between steps are met by it or not.
    const build = new IndexBuild(index, live.values(), (key) => live.get(key));
    let steps = 0;
    // Each step adds what fits in no time at all (256 records), then live changes arrive.
    while (!build.step(0)) {
      steps += 1;
      for (let change = 0; change < 20; change += 1) {
        const key = [...live.keys()][Math.floor(random() * live.size)] as string;
        if (random() < 0.5) {
          live.delete(key);
          index.remove(key);
        } else {
          const record = entity(key.slice(2), ['billing edited']);
          live.set(key, record);
          index.add(record);
        }
      }
    }
    expect(steps, 'the build took several steps').toBeGreaterThan(5);
    for (const query of ['invoice', 'bill', 'billing edited', 'a', 'in 4', 'über', 'e']) {
      expect(index.search(query, 100_000), query).toEqual(oracle(live.values(), query, 100_000));
    }
  });

  it('a rare word beside common ones looks them up per candidate, and answers as the plain reading does', () => {
    // 'zebra' marks a few entities; 'bill', 'billing', 'billed' are on most: the candidates are
    // the few, and each is looked for in the long lists (moving forward through them) instead of
    // the lists being walked. A query starting several words makes candidates out of order first.
    const random = prng(99);
    const live = new Map<string, StoredRecord>();
    for (let i = 0; i < 4000; i += 1) {
      const rare = i % 397 === 0 ? ' zebra' : i % 211 === 0 ? ' zebras' : '';
      const record = entity(`${VOCABULARY[i % VOCABULARY.length]}_${i}`, [`${['bill', 'billing', 'billed'][Math.floor(random() * 3)]} ship${rare}`]);
      live.set(record.key, record);
    }
    const index = new SearchIndex(live.values());
    for (const query of ['zebra bill', 'bill zebra', 'zeb bil', 'zebras billing ship', 'zebra billed', 'a zeb', 'ink zebra bill']) {
      expect(index.search(query, 100_000), query).toEqual(oracle(live.values(), query, 100_000));
      expect(index.search(query, 3), query).toEqual(oracle(live.values(), query, 3));
    }
  });
});
