// A record another program wrote twice: the first line is the record, every later line of the
// same key is kept as an opaque line (by its occurrence), never dropped and never read as an
// edit. Finding them needs every key of the file compared with the keys before it. A first open
// of a 100k-chart file compares 1.3M keys: a Map or Set of them cost about 1 s (V8 hashes each
// new string and regrows its table through 1M entries), as much as a third of the open. A table
// of 32-bit FNV-1a hashes in typed arrays costs about a third of that; keys of equal hash are
// compared as strings, so the answer is exact whatever the hashes do.
import { asOpaque, type StoredRecord } from './records.ts';

/** The next occurrence of an opaque line of this text (the first is 1), counted in `occurrences`. */
export function nextOccurrence(occurrences: Map<string, number>, text: string): number {
  const occurrence = (occurrences.get(text) ?? 0) + 1;
  occurrences.set(text, occurrence);
  return occurrence;
}

/**
 * Turns every later line of a record into an opaque line, in place; how many. `among`: only
 * keys in this set can repeat (a file the checkpoint vouches for: only a line read in full can);
 * without it, every key is looked at.
 */
export function repeatsAsOpaque(records: StoredRecord[], occurrences: Map<string, number>, among?: ReadonlySet<string>): number {
  const repeats = among === undefined ? repeatedPlaces(records) : repeatedPlacesAmong(records, among);
  for (const place of repeats) {
    const raw = (records[place] as StoredRecord).raw;
    records[place] = asOpaque(raw, nextOccurrence(occurrences, raw));
  }
  return repeats.length;
}

/**
 * The places of the records (not opaque lines) whose key an earlier record holds, in order:
 * open addressing over typed arrays, keyed by `hash` (a parameter so a test can make every key
 * collide).
 */
export function repeatedPlaces(records: readonly StoredRecord[], hash: (key: string) => number = fnv1a): number[] {
  // At most two thirds full, so a probe ends soon.
  let size = 16;
  while (size < records.length + (records.length >> 1)) size *= 2;
  const mask = size - 1;
  const places = new Int32Array(size); // a record's place + 1; 0: a free slot
  const hashes = new Int32Array(size);
  const repeats: number[] = [];
  for (let place = 0; place < records.length; place += 1) {
    const record = records[place] as StoredRecord;
    if (record.kind === 'line') continue;
    const key = record.key;
    const keyHash = hash(key) | 0;
    for (let slot = keyHash & mask; ; slot = (slot + 1) & mask) {
      const held = places[slot] as number;
      if (held === 0) {
        places[slot] = place + 1;
        hashes[slot] = keyHash;
        break;
      }
      if (hashes[slot] === keyHash && (records[held - 1] as StoredRecord).key === key) {
        repeats.push(place);
        break;
      }
    }
  }
  return repeats;
}

function repeatedPlacesAmong(records: readonly StoredRecord[], among: ReadonlySet<string>): number[] {
  const seen = new Set<string>();
  const repeats: number[] = [];
  for (let place = 0; place < records.length; place += 1) {
    const record = records[place] as StoredRecord;
    if (record.kind === 'line' || !among.has(record.key)) continue;
    if (seen.has(record.key)) repeats.push(place);
    else seen.add(record.key);
  }
  return repeats;
}

/** FNV-1a over the key's UTF-16 code units (a signed 32-bit value; mask it for a table slot). */
export function fnv1a(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash;
}
