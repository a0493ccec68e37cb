import { describe, expect, it } from 'vitest';
import { absorbExternalVersion, keepDroppedFields, mergeThreeWay, type Generation } from '../../electron/core/externalMerge.ts';
import { RecordSet } from '../../electron/core/recordSet.ts';
import { recordFromObject } from '../../electron/core/knowledgeGraph.ts';
import type { StoredRecord } from '../../electron/core/records.ts';

const entity = (name: string, observations: string[], metadata?: Record<string, unknown>) =>
  recordFromObject({ type: 'entity', name, entityType: 't', observations, ...(metadata ? { metadata } : {}) });

function setOf(records: StoredRecord[]): RecordSet {
  const set = new RecordSet();
  for (const r of records) set.set(r);
  return set;
}

const mapOf = (records: StoredRecord[]) => new Map(records.map((r) => [r.key, r]));

describe('merging a version of the file someone else wrote', () => {
  it('keeps the metadata a peer dropped, byte for byte when nothing else changed', () => {
    const ours = entity('A', ['x'], { chartId: 'c', dueDate: '2026-01-01' });
    const stripped = entity('A', ['x']);
    expect(keepDroppedFields(ours, stripped)).toBe(ours);
    const edited = keepDroppedFields(ours, entity('A', ['x', 'y']));
    expect(JSON.parse(edited.raw)).toEqual({ type: 'entity', name: 'A', entityType: 't', observations: ['x', 'y'], metadata: { chartId: 'c', dueDate: '2026-01-01' } });
  });

  it('merges both sides when both changed one record: our fields, their fields, both lists', () => {
    const base = entity('A', ['x'], { a: 1, b: 1 });
    const theirs = entity('A', ['x', 'theirs'], { a: 2, b: 1 });
    const ours = entity('A', ['x', 'ours'], { a: 1, b: 3 });
    expect(JSON.parse(mergeThreeWay(base, theirs, ours).raw)).toMatchObject({ observations: ['x', 'theirs', 'ours'], metadata: { a: 2, b: 3 } });
  });

  it('a record missing from a peer version based on an older rewrite is a lost race, not a deletion', () => {
    const a = entity('A', ['a']);
    const b = entity('B', ['b']);
    const p = entity('P', ['peer']);
    // Rewrite 1 wrote A; rewrite 2 added B. The peer read after rewrite 1 and wrote A + P.
    const history: Generation[] = [{ previous: new Map([[a.key, undefined]]) }, { previous: new Map([[b.key, undefined]]) }];
    const result = absorbExternalVersion({ file: [a, p], materialized: mapOf([a, b]), history, current: setOf([a, b]), absenceIsDeletion: true });
    expect(result.deletes).toEqual([]);
    expect(result.puts.map((r) => r.key)).toEqual([p.key]);
    expect(result.generationsBehind).toBe(1);
    expect(result.lostRace).toBe(1);
  });

  it('a record missing from a peer version based on our latest rewrite is the peer deleting it', () => {
    const a = entity('A', ['a']);
    const b = entity('B', ['b']);
    const history: Generation[] = [{ previous: new Map([[a.key, undefined], [b.key, undefined]]) }];
    const result = absorbExternalVersion({ file: [a], materialized: mapOf([a, b]), history, current: setOf([a, b]), absenceIsDeletion: true });
    expect(result.deletes).toEqual([b.key]);
  });

  it('absence is not deletion when the file is damaged or cut short', () => {
    const a = entity('A', ['a']);
    const b = entity('B', ['b']);
    const result = absorbExternalVersion({ file: [a], materialized: mapOf([a, b]), history: [], current: setOf([a, b]), absenceIsDeletion: false });
    expect(result.deletes).toEqual([]);
  });

  it('our change made after the peer read wins over the peer deleting the record', () => {
    const b1 = entity('B', ['b']);
    const b2 = entity('B', ['b', 'ours later']);
    const a = entity('A', ['a']);
    const result = absorbExternalVersion({ file: [a], materialized: mapOf([a, b1]), history: [], current: setOf([a, b2]), absenceIsDeletion: true });
    expect(result.deletes).toEqual([]);
    expect(result.puts).toEqual([]);
  });
});

describe('keeping the line order a peer chose', () => {
  it('finds few moves that bring the shared keys into the wanted order, leaving others in place', async () => {
    const { orderMoves, applyOrderMoves, RecordSet: Set2 } = await import('../../electron/core/recordSet.ts');
    expect(orderMoves(['a', 'b', 'c', 'd'], ['a', 'b', 'c', 'd'])).toEqual([]);
    expect(orderMoves(['a', 'b', 'c', 'aim'], ['aim', 'a', 'b', 'c'])).toEqual([['aim', null]]);
    const set = new Set2();
    for (const name of ['a', 'b', 'c', 'x', 'aim']) set.set(entity(name, []));
    const keys = (names: string[]) => names.map((n) => entity(n, []).key);
    applyOrderMoves(set, orderMoves(set.keys(), keys(['aim', 'c', 'a', 'b'])));
    expect([...set.values()].map((r) => r.name)).toEqual(['aim', 'c', 'a', 'b', 'x']);
  });
});
