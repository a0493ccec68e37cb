// The search index's word list: every word that starts with a prefix is found, the prefix
// itself first when it is a word, whether the word still waits unsorted or is in one of the
// sorted runs, merged or not (a new word is not sorted in with all the others at once).
import { describe, expect, it } from 'vitest';
import { SortedWords } from '../../electron/core/sortedWords.ts';
import { seededRandom } from '../helpers/seededRandom.ts';

describe('the sorted word list', () => {
  it('finds every word a prefix starts, the prefix itself first, as words arrive a few or thousands at a time (seeded)', () => {
    const random = seededRandom(42);
    const letters = 'abcé1';
    const word = () => Array.from({ length: 1 + Math.floor(random() * 5) }, () => letters[Math.floor(random() * letters.length)]).join('');
    const list = new SortedWords();
    const held = new Set<string>();
    let checked = 0;
    // Bursts of every size: a few words (they wait), thousands (runs, merged as they pile up).
    for (const burst of [3, 40, 300, 1, 2_000, 7, 5_000, 20, 40_000]) {
      for (let i = 0; i < burst; i += 1) {
        const next = word() + String(Math.floor(random() * 1_000));
        if (held.has(next)) continue;
        held.add(next);
        list.add(next);
      }
      for (let q = 0; q < 30; q += 1) {
        const prefix = random() < 0.5 ? word().slice(0, 2) : [...held][Math.floor(random() * held.size)]!.slice(0, 1 + Math.floor(random() * 4));
        const found = list.startingWith(prefix);
        const expected = [...held].filter((w) => w.startsWith(prefix));
        expect([...found].sort(), `prefix "${prefix}" after a burst of ${burst}`).toEqual(expected.sort());
        if (held.has(prefix)) expect(found[0]).toBe(prefix);
        checked += 1;
      }
    }
    expect(checked).toBe(270);
  });

  it('puts a waiting word that equals the prefix before the sorted words it starts', () => {
    const list = new SortedWords();
    for (const w of ['invoices', 'invoiced', 'invoicing']) list.add(w);
    list.settle();
    list.add('invoice');
    expect(list.startingWith('invoice')).toEqual(['invoice', 'invoiced', 'invoices']);
    expect(list.startingWith('zz')).toEqual([]);
  });
});
