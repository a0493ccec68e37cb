// A file parsed in full (a first open of a peer's file, a peer's new version, a backup) puts its
// records in a DeferredRecordMap and finds repeated records with a table of key hashes instead
// of a Map (repeatedRecords.ts). Whatever the lines, the map must hold what the plain rule holds
// (test/helpers/eagerParse.ts), read in order before it is built and looked up after; and keys
// whose hashes collide must still be told apart by the keys themselves.
import { describe, expect, it } from 'vitest';
import { parseContextBytes } from '../../electron/core/contextFile.ts';
import { DeferredRecordMap } from '../../electron/core/deferredRecordMap.ts';
import { repeatedPlaces } from '../../electron/core/repeatedRecords.ts';
import { classifyLine, makeRecord, type StoredRecord } from '../../electron/core/records.ts';
import { seededRandom } from '../helpers/seededRandom.ts';
import { eagerParse } from '../helpers/eagerParse.ts';

const described = (record: StoredRecord) => [record.key, record.kind, record.chartId ?? null, record.raw, record.occurrence ?? null];

const entity = (name: string, observation: string) => `{"type":"entity","name":"${name}","entityType":"note","observations":["${observation}"]}`;
const relation = (from: string, to: string) => `{"type":"relation","from":"${from}","to":"${to}","relationType":"contains"}`;

/** Lines as peers write them: records, repeats (the same text or another), comments, markers, odd and (`damaged`) damaged lines. */
function peerLines(random: () => number, count: number, damaged: boolean): string[] {
  const names = ['a', 'b', 'c', 'd', 'e', 'f'];
  const pick = () => names[Math.floor(random() * names.length)] as string;
  const lines: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const roll = random();
    if (roll < 0.35) lines.push(entity(pick(), roll < 0.15 ? 'same' : `seen ${i}`));
    else if (roll < 0.55) lines.push(relation(pick(), pick()));
    else if (roll < 0.62) lines.push(`{"type":"entity","name":"${pick()}","entityType":"note","observations":[],"name":"${pick()}"}`);
    else if (roll < 0.7) lines.push(`{"type":"entity","name":"${pick()}","entityType":"chart","observations":[],"metadata":{"chartId":"c${i % 4}"}}`);
    else if (roll < 0.78) lines.push('# a comment');
    else if (roll < 0.84) lines.push('{"type":"_aim","text":"mine"}');
    else if (roll < 0.9) lines.push('');
    else if (roll < 0.95) lines.push(damaged ? `{"type":"entity","name":"${pick()}"` : '');
    else lines.push(`{"name":"${pick()}","type":"entity","observations":[]}`); // not our key order
  }
  return lines;
}

function expectSameAsEagerParse(text: string, trusted: boolean): void {
  const expected = [...eagerParse(text).values()].map(described);
  const parsed = parseContextBytes(Buffer.from(text), trusted);
  const map = parsed.map as DeferredRecordMap;
  expect(map).toBeInstanceOf(DeferredRecordMap);
  // Read in order before anything is looked up, then looked up key by key.
  expect(map.size).toBe(expected.length);
  expect([...map.values()].map(described)).toEqual(expected);
  expect(map.deferred).toBe(true);
  for (const row of expected) expect(described(map.get(row[0] as string) as StoredRecord)).toEqual(row);
  expect(map.deferred).toBe(false);
  expect([...map.values()].map(described)).toEqual(expected);
  const repeats = text.split('\n').filter((line) => {
    const verdict = classifyLine(line);
    return verdict.ok && (verdict.kind === 'entity' || verdict.kind === 'relation');
  }).length - expected.filter(([, kind]) => kind !== 'line').length;
  expect(parsed.duplicates).toBe(repeats);
}

describe('a file parsed in full holds what the plain rule holds', () => {
  it('repeats written the same and otherwise, after comments, markers, odd and damaged lines', () => {
    const lines = [entity('a', 'one'), '# a comment', entity('a', 'one'), entity('a', 'two'), relation('a', 'b'), '', relation('a', 'b'), '# a comment', entity('a', 'one')];
    const text = lines.join('\n');
    expectSameAsEagerParse(text, false);
    const parsed = parseContextBytes(Buffer.from(text));
    expect(parsed.duplicates).toBe(4);
    expect(parsed.map.get('e\u0000a')?.raw).toBe(entity('a', 'one'));
    expect([...parsed.map.values()].filter((record) => record.raw === entity('a', 'one')).map((record) => record.occurrence ?? 0)).toEqual([0, 1, 2]);
  });

  it('seeded files, read as a peer wrote them and as our own (trusted: known to hold no damaged line)', () => {
    const random = seededRandom(1130);
    for (let round = 0; round < 60; round += 1) {
      const count = 10 + Math.floor(random() * 60);
      expectSameAsEagerParse(peerLines(random, count, true).join('\n'), false);
      expectSameAsEagerParse(peerLines(random, count, false).join('\n'), true);
    }
  });
});

describe('repeatedPlaces', () => {
  const recordOf = (line: string) => {
    const verdict = classifyLine(line);
    if (!verdict.ok || verdict.kind === 'blank') throw new Error(line);
    return makeRecord(line, verdict.fields);
  };

  it('tells keys apart by the keys themselves, whatever their hashes', () => {
    const random = seededRandom(7);
    const records = Array.from({ length: 3_000 }, (_, i) => recordOf(i % 3 === 0 ? relation(`n${Math.floor(random() * 900)}`, 'x') : entity(`n${Math.floor(random() * 1_500)}`, String(i))));
    const seen = new Set<string>();
    const expected = records.flatMap((record, place) => (seen.has(record.key) ? [place] : (seen.add(record.key), [])));
    expect(expected.length).toBeGreaterThan(500);
    expect(repeatedPlaces(records)).toEqual(expected);
    // Every key in one probe chain; and hashes equal for keys of one length.
    expect(repeatedPlaces(records.slice(0, 400), () => 42)).toEqual(expected.filter((place) => place < 400));
    expect(repeatedPlaces(records, (key) => key.length)).toEqual(expected);
  });

  it('looks past opaque lines and finds nothing in an empty file', () => {
    expect(repeatedPlaces([])).toEqual([]);
    const comment = parseContextBytes(Buffer.from('# x\n# x')).records;
    expect(repeatedPlaces(comment, () => 0)).toEqual([]);
  });
});
