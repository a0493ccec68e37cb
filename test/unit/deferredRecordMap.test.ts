// A re-open reads a file the checkpoint vouches for into a DeferredRecordMap: no key hashed until
// one is looked up. Whatever order our rewrite wrote a record and its repeats in (another program
// wrote the record twice), the map must hold what a full parse of the same bytes holds, read in
// order before it is built and looked up after, and a change to a set adopted from it must
// leave it (the file's records) as it was.
import { describe, expect, it } from 'vitest';
import { parseContextBytes, serializeRecords } from '../../electron/core/contextFile.ts';
import { DeferredRecordMap } from '../../electron/core/deferredRecordMap.ts';
import { asOpaque, classifyLine, makeRecord, type StoredRecord } from '../../electron/core/records.ts';
import { RecordSet } from '../../electron/core/recordSet.ts';
import { seededRandom } from '../helpers/seededRandom.ts';
import { eagerParse } from '../helpers/eagerParse.ts';

const described = (record: StoredRecord) => [record.key, record.kind, record.chartId ?? null, record.raw];

/** Chart `c`'s lines: its chart entity, one step, and the relation between them, all tagged with its id. */
function chartWithOneStep(c: number): string[] {
  const meta = `"metadata":{"chartId":"chart_${c}"}`;
  return [
    `{"type":"entity","name":"chart_${c}_chart","entityType":"structural_tension_chart","observations":[],${meta}}`,
    `{"type":"entity","name":"chart_${c}_action_1","entityType":"action_step","observations":[],${meta}}`,
    `{"type":"relation","from":"chart_${c}_chart","to":"chart_${c}_action_1","relationType":"contains",${meta}}`,
  ];
}

function recordOf(line: string): StoredRecord {
  const verdict = classifyLine(line);
  if (!verdict.ok || verdict.kind === 'blank') throw new Error(`not a record: ${line}`);
  return makeRecord(line, verdict.fields);
}

const entity = (name: string, extra = '') => `{"type":"entity","name":"${name}","entityType":"note","observations":[${extra}]}`;
// A key field given twice: the quick reading takes the first name, a full parse the last.
const twiceNamed = (first: string, last: string) => `{"type":"entity","name":"${first}","entityType":"note","observations":[],"name":"${last}"}`;

/** The bytes our rewrite writes for these records in this order, and the checkpoint's list of lines to read in full. */
function rewrite(records: readonly StoredRecord[]): { bytes: Buffer; irregularLines: number[] } {
  const irregularLines: number[] = [];
  const bytes = Buffer.from(serializeRecords(records, irregularLines).join(''));
  return { bytes, irregularLines };
}

function expectSameAsFullParse(bytes: Buffer, irregularLines: number[]): void {
  const full = [...eagerParse(bytes.toString('utf8')).values()].map(described);
  const deferred = parseContextBytes(bytes, { irregularLines });
  expect(deferred.map).toBeInstanceOf(DeferredRecordMap);
  // Read in order before anything is looked up, then looked up key by key.
  expect(deferred.map.size).toBe(full.length);
  expect([...deferred.map.values()].map(described)).toEqual(full);
  expect([...deferred.map.keys()]).toEqual(full.map(([key]) => key));
  expect((deferred.map as DeferredRecordMap).deferred).toBe(true);
  for (const [key, ...rest] of full) expect(described(deferred.map.get(key as string) as StoredRecord)).toEqual([key, ...rest]);
  expect((deferred.map as DeferredRecordMap).deferred).toBe(false);
  expect([...deferred.map.entries()].map(([key, record]) => [key, ...described(record).slice(1)])).toEqual(full);
}

describe('a vouched file read into a deferred map holds what a full parse holds', () => {
  it('a repeat written after its record, before it, and three times; a repeat of a record read in full', () => {
    const a1 = entity('a', '"one"');
    const a2 = entity('a', '"two"');
    const odd = twiceNamed('x', 'b');
    const records = [
      asOpaque(a2, 1), // a repeat our rewrite wrote before its record (a reordered peer file)
      recordOf(a1),
      recordOf(entity('c')),
      asOpaque(a2, 2),
      recordOf(odd), // read in full: the entity b
      asOpaque(entity('b', '"again"'), 1), // a repeat of b, a record only a full parse reads
      asOpaque('# a comment', 1),
      asOpaque('# a comment', 2),
      recordOf(entity('x')), // the quick reading of `odd` names x: this is x's own line
    ];
    const { bytes, irregularLines } = rewrite(records);
    expect(irregularLines).toEqual([0, 3, 4, 5]);
    expectSameAsFullParse(bytes, irregularLines);
    // The full parse itself takes the first line of a for the record.
    expect(eagerParse(bytes.toString('utf8')).get('e\u0000a')?.raw).toBe(a2);
  });

  it('seeded files of records, repeats, odd lines and comments in any order', () => {
    const random = seededRandom(2026);
    for (let round = 0; round < 40; round += 1) {
      const names = ['a', 'b', 'c', 'd', 'e'];
      const lines: string[] = [];
      for (let i = 0; i < 30; i += 1) {
        const name = names[Math.floor(random() * names.length)] as string;
        const pick = random();
        if (pick < 0.5) lines.push(entity(name, `"${i}"`));
        else if (pick < 0.7) lines.push(twiceNamed(names[Math.floor(random() * names.length)] as string, name));
        else if (pick < 0.8) lines.push(`{"type":"relation","from":"${name}","to":"b","relationType":"r"}`);
        else if (pick < 0.9) lines.push('# same comment');
        else lines.push(`{"type":"entity","name":"${name}","entityType":"note","observations":[],"metadata":{"level":1,"chartId":"c${i % 3}"}}`);
      }
      // What a process holds after reading a peer's file of these lines, written back by our rewrite.
      const state = [...eagerParse(lines.join('\n')).values()];
      // In any order (a peer's reordering adopted): repeats may come before their records.
      for (let i = state.length - 1; i > 0; i -= 1) {
        const j = Math.floor(random() * (i + 1));
        [state[i], state[j]] = [state[j] as StoredRecord, state[i] as StoredRecord];
      }
      const { bytes, irregularLines } = rewrite(state);
      expectSameAsFullParse(bytes, irregularLines);
    }
  });
});

describe('DeferredRecordMap', () => {
  const records = Array.from({ length: 5_000 }, (_, i) => recordOf(entity(`n${i}`)));

  it('is built in slices, and answers lookups and changes like a Map at any point', () => {
    const map = new DeferredRecordMap([...records]);
    let slices = 0;
    while (!map.buildFor(0.01)) slices += 1;
    expect(slices).toBeGreaterThan(0);
    expect(map.size).toBe(records.length);
    expect([...map.keys()]).toEqual(records.map((record) => record.key));

    const partly = new DeferredRecordMap([...records]);
    partly.buildFor(0.01);
    expect(partly.deferred).toBe(true);
    expect(partly.get('e\u0000n4999')).toBe(records[4999]);
    expect(partly.deferred).toBe(false);
    expect(partly.delete('e\u0000n0')).toBe(true);
    partly.set('e\u0000new', recordOf(entity('new')));
    expect(partly.size).toBe(records.length);
    expect([...partly.keys()].slice(-2)).toEqual(['e\u0000n4999', 'e\u0000new']);
  });

  it('keeps a key handed to it twice (which its makers never do) as the opaque line a full parse makes of it', () => {
    const again = recordOf(entity('n1', '"again"'));
    const map = new DeferredRecordMap([records[0] as StoredRecord, records[1] as StoredRecord, again]);
    map.build();
    expect([...map.values()].map(described)).toEqual([described(records[0] as StoredRecord), described(records[1] as StoredRecord), described(asOpaque(again.raw, 1))]);
  });

  it("a set adopted from it copies before its first change: the file's records stay as read", () => {
    const fileRecords = new DeferredRecordMap([...records]);
    const state = new RecordSet();
    state.adopt(fileRecords);
    expect(state.size).toBe(records.length);
    state.delete('e\u0000n1');
    state.set(recordOf(entity('added')));
    expect(state.size).toBe(records.length);
    expect(state.has('e\u0000n1')).toBe(false);
    expect(fileRecords.size).toBe(records.length);
    expect(fileRecords.has('e\u0000n1')).toBe(true);
    expect(fileRecords.has('e\u0000added')).toBe(false);
  });

  it('readied in slices after an open (readyForChanges: the key map, then a copy of its own), a set changes its copy, never the file\'s records, also when a change comes mid-copy', () => {
    const many = Array.from({ length: 50_000 }, (_, i) => recordOf(entity(`m${i}`)));
    const fileOrder = many.map(described);
    for (const changeAfterSlices of [1, 3, Infinity]) {
      const fileRecords = new DeferredRecordMap([...many]);
      const state = new RecordSet();
      state.adopt(fileRecords);
      // Slices of 1 ms: 50,000 records take several.
      let slices = 0;
      while (slices < changeAfterSlices && !state.readyForChanges(1)) slices += 1;
      if (changeAfterSlices === Infinity) expect(slices).toBeGreaterThan(2);
      state.delete('e\u0000m10');
      state.set(recordOf(entity('m49999', '"changed"')));
      state.set(recordOf(entity('added')));
      expect([...fileRecords.values()].map(described), `change after ${changeAfterSlices} slices`).toEqual(fileOrder);
      const expected = many.filter((r) => r.key !== 'e\u0000m10').map((r) => (r.key === 'e\u0000m49999' ? recordOf(entity('m49999', '"changed"')) : r));
      expect([...state.values()].map(described), `change after ${changeAfterSlices} slices`).toEqual([...expected, recordOf(entity('added'))].map(described));
      // The rest (its indexes) is built by later calls, the map left as it is.
      let more = 0;
      while (!state.readyForChanges(1) && more < 10_000) more += 1;
      expect(state.readyForChanges(1)).toBe(true);
      expect([...fileRecords.values()].map(described)).toEqual(fileOrder);
    }
  });

  it('readied in slices, its indexes by chart and by relation end answer as those built at once, also when a change comes between slices', () => {
    const lines = Array.from({ length: 3000 }, (_, c) => chartWithOneStep(c)).flat();
    const chartsAndEnds = (set: RecordSet, c: number) => [[...set.chartKeys(`chart_${c}`)].sort(), [...set.relationKeysOf(`chart_${c}_action_1`)].sort()];
    for (const changeAfterSlices of [12, Infinity]) {
      const state = new RecordSet();
      const fileRecords = new DeferredRecordMap(lines.map(recordOf));
      fileRecords.build();
      state.adopt(fileRecords);
      // Slices of no time: 1,024 records each, so 9 for the copy, then 9 for the indexes (a change
      // after 12 comes in the middle of them).
      let slices = 0;
      while (slices < changeAfterSlices && !state.readyForChanges(0)) slices += 1;
      expect(slices).toBeGreaterThanOrEqual(changeAfterSlices === Infinity ? 15 : 12);
      // A new step and its relation, added between two slices (or once all is built).
      state.set(recordOf('{"type":"entity","name":"chart_7_action_2","entityType":"action_step","observations":[],"metadata":{"chartId":"chart_7"}}'));
      state.set(recordOf('{"type":"relation","from":"chart_7_chart","to":"chart_7_action_2","relationType":"contains","metadata":{"chartId":"chart_7"}}'));
      state.delete('e\u0000chart_9_action_1');
      while (!state.readyForChanges(0)) slices += 1;
      const atOnce = new RecordSet();
      for (const record of state.values()) atOnce.set(record);
      for (const c of [0, 7, 9, 1500, 2999]) expect(chartsAndEnds(state, c), `chart ${c}, change after ${changeAfterSlices} slices`).toEqual(chartsAndEnds(atOnce, c));
      expect([...state.chartIds()]).toEqual([...atOnce.chartIds()]);
      expect(state.chartKeys('chart_7').size).toBe(5);
    }
  });

  it('lookups by chart and by relation end answer the same by a scan (the first few, no index built) as by the index, before and after changes', () => {
    // With a relation of each step to itself: chart_1's step and chart_10's are told apart by whole names.
    const lines = Array.from({ length: 50 }, (_, c) => [...chartWithOneStep(c), `{"type":"relation","from":"chart_${c}_action_1","to":"chart_${c}_action_1","relationType":"self"}`]).flat();
    const answers = (set: RecordSet) =>
      [1, 10, 49, 50].flatMap((c) => [[...set.chartKeys(`chart_${c}`)].sort(), [...set.relationKeysOf(`chart_${c}_action_1`)].sort(), [...set.relationKeysOf(`chart_${c}_chart`)].sort()]);
    const indexed = (set: RecordSet) => {
      const copy = new RecordSet();
      for (const record of set.values()) copy.set(record);
      for (let i = 0; i < 10; i += 1) copy.chartKeys('none'); // past the scans: the index is built
      return copy;
    };
    const state = new RecordSet();
    state.adopt(new DeferredRecordMap(lines.map(recordOf)));
    const scanned = answers(state).slice(0, 6);
    const reference = indexed(state);
    expect(scanned).toEqual(answers(reference).slice(0, 6));
    expect(scanned[1]).toHaveLength(2); // chart_1_action_1: its "contains" and its own "self", not chart_10's
    state.set(recordOf('{"type":"relation","from":"chart_1_chart","to":"chart_10_action_1","relationType":"contains"}'));
    state.delete('e\u0000chart_10_chart');
    const fresh = new RecordSet();
    for (const record of state.values()) fresh.set(record);
    expect(answers(fresh), 'a new set: scans').toEqual(answers(indexed(fresh)));
    expect(answers(state), 'the changed set: scans, then the index').toEqual(answers(indexed(state)));
  });

  it("a map handed out by sharedMap (the file's view after a rewrite) stays as it was when the set changes next", () => {
    const state = new RecordSet();
    state.adopt(new DeferredRecordMap([entity('a'), entity('b')].map(recordOf)));
    state.set(recordOf(entity('c')));
    const shared = state.sharedMap();
    const before = [...shared.values()].map(described);
    state.set(recordOf(entity('d')));
    state.set(recordOf(entity('a', '"changed"')));
    state.delete('e\u0000b');
    expect([...shared.values()].map(described)).toEqual(before);
    expect([...state.keys()]).toEqual(['e\u0000a', 'e\u0000c', 'e\u0000d']);
  });

  it('an index build begun in slices and overtaken by lookups (a first write mid-warm-up) is let go, and so it is on a reload (review: it held the old map)', () => {
    const lines = Array.from({ length: 9000 }, (_, i) => entity(`w${i}`).replace('"observations":[]', `"observations":[],"metadata":{"chartId":"c${i}"}`));
    const state = new RecordSet();
    const first = new DeferredRecordMap(lines.map(recordOf));
    first.build();
    state.adopt(first);
    // The copy (8 slices of 1,024), then part of the indexes.
    for (let i = 0; i < 11; i += 1) expect(state.readyForChanges(0)).toBe(false);
    const internals = state as unknown as { indexing?: unknown };
    expect(internals.indexing).toBeDefined();
    // The first lookups are answered by a scan (RecordSet, SCANS_BEFORE_INDEX); then one builds both indexes.
    for (let i = 0; i < 10; i += 1) {
      state.chartKeys('c1');
      state.relationKeysOf('w1');
    }
    expect(state.readyForChanges(0)).toBe(true);
    expect(internals.indexing, 'the half-built indexes once built by lookups').toBeUndefined();
    const reloaded = new RecordSet();
    const again = new DeferredRecordMap(lines.map(recordOf));
    again.build();
    reloaded.adopt(again);
    for (let i = 0; i < 11; i += 1) reloaded.readyForChanges(0);
    const reloadedInternals = reloaded as unknown as { indexing?: unknown };
    expect(reloadedInternals.indexing).toBeDefined();
    reloaded.adopt(new DeferredRecordMap([recordOf(entity('other'))]));
    expect(reloadedInternals.indexing, 'after a reload').toBeUndefined();
  });

  it('slices of no time still get on: each builds a step of the key map, the copy and the indexes', () => {
    const state = new RecordSet();
    state.adopt(new DeferredRecordMap(Array.from({ length: 20_000 }, (_, i) => recordOf(entity(`z${i}`)))));
    let calls = 1;
    while (!state.readyForChanges(0) && calls < 1_000) calls += 1;
    expect(calls).toBeLessThan(1_000);
    expect(state.get('e\u0000z19999')?.raw).toBe(entity('z19999'));
  });

  it('a copy begun in slices is dropped when the set adopts another map', () => {
    const first = new DeferredRecordMap(Array.from({ length: 3000 }, (_, i) => recordOf(entity(`a${i}`))));
    const second = new DeferredRecordMap([recordOf(entity('b'))]);
    const state = new RecordSet();
    first.build();
    state.adopt(first);
    // Its key map built, the copy begins: 1,024 records, then the slice's time is up.
    expect(state.readyForChanges(0)).toBe(false);
    state.adopt(second);
    state.set(recordOf(entity('c')));
    expect([...state.keys()]).toEqual(['e\u0000b', 'e\u0000c']);
    expect(second.size).toBe(1);
    expect(first.size).toBe(3000);
  });
});
