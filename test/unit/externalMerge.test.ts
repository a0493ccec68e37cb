import { describe, expect, it } from 'vitest';
import { absorbExternalVersion } from '../../electron/core/externalMerge.ts';
import { keepDroppedFields, mergeThreeWay } from '../../electron/core/recordMerge.ts';
import { FileVersions, raceWindowMs } from '../../electron/core/fileVersions.ts';
import { RecordSet } from '../../electron/core/recordSet.ts';
import { recordFromObject } from '../../electron/core/knowledgeGraph.ts';
import type { StoredRecord } from '../../electron/core/records.ts';

const entity = (name: string, observations: string[], metadata?: Record<string, unknown>) =>
  recordFromObject({ type: 'entity', name, entityType: 't', observations, ...(metadata ? { metadata } : {}) });


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

  it.each([
    ['we retitle, they append a note: the title stays first', ['T', 'n'], ['T', 'n', 'p'], ['T2', 'n'], ['T2', 'n', 'p']],
    ['we retitle a one-line entity, they append', ['T'], ['T', 'p'], ['T2'], ['T2', 'p']],
    ['we replace a middle line, they append', ['T', 'a', 'b'], ['T', 'a', 'b', 'p'], ['T', 'a2', 'b'], ['T', 'a2', 'b', 'p']],
    ['we remove a line and append one, they append', ['T', 'a', 'b'], ['T', 'a', 'b', 'p'], ['T', 'b', 'c'], ['T', 'b', 'p', 'c']],
    ['they retitle, we append: their title, our line last', ['T', 'n'], ['T3', 'n'], ['T', 'n', 'o'], ['T3', 'n', 'o']],
    ['both retitle: theirs first, ours kept after it (nothing lost)', ['T', 'n'], ['T3', 'n'], ['T2', 'n'], ['T3', 'n', 'T2']],
    ['both make the same retitle: once', ['T', 'n'], ['T2', 'n'], ['T2', 'n'], ['T2', 'n']],
  ])('observation lists changed on both sides: %s', (_, base, theirs, ours, merged) => {
    expect(JSON.parse(mergeThreeWay(entity('A', base), entity('A', theirs), entity('A', ours)).raw).observations).toEqual(merged);
  });

  it('a record missing from a peer version based on an older rewrite is a lost race, not a deletion', () => {
    const a = entity('A', ['a']);
    const b = entity('B', ['b']);
    const p = entity('P', ['peer']);
    // Rewrite 1 wrote A; rewrite 2 added B. The peer read after rewrite 1 and wrote A + P.
    const file = new History();
    file.put(a).rewrite();
    file.put(b).rewrite();
    const result = file.absorb([a, p]);
    expect(result.deletes).toEqual([]);
    expect(result.puts.map((r) => r.key)).toEqual([p.key]);
    expect(result.lostRace).toBe(1);
  });

  it('a record missing from a peer version based on our latest rewrite is the peer deleting it', () => {
    const a = entity('A', ['a']);
    const b = entity('B', ['b']);
    const file = new History();
    file.put(a).rewrite();
    file.put(b).rewrite();
    // B is there: the peer read our latest rewrite, and removed A.
    expect(file.absorb([b]).deletes).toEqual([a.key]);
  });

  it('a peer changing what we deleted since it read the file brings back what we deleted that it is linked with, nothing else', () => {
    const relation = (from: string, to: string) => recordFromObject({ type: 'relation', from, to, relationType: 'knows' });
    const [alice, bob, carol, dave] = [entity('Alice', ['a'], { since: 2020 }), entity('Bob', ['b']), entity('Carol', ['c']), entity('Dave', ['d'])];
    const [aliceBob, aliceCarol, carolDave] = [relation('Alice', 'Bob'), relation('Alice', 'Carol'), relation('Carol', 'Dave')];
    const file = new History();
    for (const record of [alice, bob, carol, dave, aliceBob, aliceCarol, carolDave]) file.put(record);
    file.rewrite();
    // We delete Alice and Carol with their relations, and Dave: Bob stays. The peer read the
    // file before, and adds a note to Alice, writing back what it read without metadata.
    for (const record of [alice, carol, dave, aliceBob, aliceCarol, carolDave]) {
      file.versions.touch(record.key);
      file.state.delete(record.key);
    }
    const result = file.absorb([entity('Alice', ['a', 'note']), bob, entity('Carol', ['c']), entity('Dave', ['d']), aliceBob, aliceCarol, carolDave]);
    expect(result.deletes).toEqual([]);
    // Alice (their change, our metadata kept), her relations, Carol at the end of one, and on
    // through Carol's relation to Dave: all deleted here, linked in the peer's version.
    expect(result.puts.map((r) => r.key).sort()).toEqual([alice, carol, dave, aliceBob, aliceCarol, carolDave].map((r) => r.key).sort());
    expect(JSON.parse(result.puts.find((r) => r.key === alice.key)?.raw ?? '{}')).toMatchObject({ observations: ['a', 'note'], metadata: { since: 2020 } });
    expect(result.restoredWith).toBe(5);
    expect(result.overrides.size).toBe(0); // the file shows each as it now is (minus the metadata it drops)
    // Without a change among them, nothing comes back: the peer's file is merely older.
    expect(file.absorb([alice, bob, carol, dave, aliceBob, aliceCarol, carolDave]).puts).toEqual([]);
  });

  it('a peer deleting what we changed since it read the file keeps, with our change, what it deleted that our change is linked with', () => {
    const relation = (from: string, to: string) => recordFromObject({ type: 'relation', from, to, relationType: 'knows' });
    const [alice, bob, carol] = [entity('Alice', ['a']), entity('Bob', ['b']), entity('Carol', ['c'])];
    const [aliceBob, bobCarol] = [relation('Alice', 'Bob'), relation('Bob', 'Carol')];
    const file = new History();
    for (const record of [alice, bob, carol, aliceBob, bobCarol]) file.put(record);
    file.rewrite();
    file.put(entity('Alice', ['a', 'ours'])); // we change Alice; the peer, from the rewrite, deletes Alice and Carol with their relations
    const result = file.absorb([bob]);
    // Alice stays (our change) and her relation to Bob with her; Carol is linked to her only
    // through Bob, who is still here: Carol and Bob-Carol go, as the peer meant.
    expect(result.deletes.sort()).toEqual([carol.key, bobCarol.key].sort());
    expect(result.keptWith).toBe(1);
    expect(result.overrides.get(aliceBob.key)).toBeUndefined();
    expect(result.overrides.has(aliceBob.key)).toBe(true); // the file lacks it: the next rewrite puts it back
  });

  it('absence is not deletion when the file is damaged or cut short', () => {
    const a = entity('A', ['a']);
    const b = entity('B', ['b']);
    const file = new History();
    file.put(a).put(b).rewrite();
    expect(file.absorb([a], false).deletes).toEqual([]);
  });

  it('our change made after the peer read wins over the peer deleting the record', () => {
    const b1 = entity('B', ['b']);
    const b2 = entity('B', ['b', 'ours later']);
    const a = entity('A', ['a']);
    const file = new History();
    file.put(a).put(b1).rewrite();
    file.put(b2);
    const result = file.absorb([a]);
    expect(result.deletes).toEqual([]);
    expect(result.puts).toEqual([]);
  });

  it('a peer that strips metadata is no evidence of having read a rewrite that only restored metadata', () => {
    // The reference server drops metadata: its version of A says nothing about which of our
    // rewrites it read. Our rewrite that put the metadata back and added B must not count as
    // seen because the stripped A "shows" in it.
    const a = entity('A', ['a'], { chartId: 'c' });
    const strippedA = entity('A', ['a']);
    const p1 = entity('P1', ['peer 1']);
    const p2 = entity('P2', ['peer 2']);
    const b = entity('B', ['b'], { chartId: 'c' });
    const file = new History();
    file.put(a).rewrite();
    file.absorbAndRecord([strippedA, p1]); // the peer's first version, absorbed
    file.put(b).rewrite(); // metadata back, B added
    const result = file.absorb([strippedA, p1, p2]); // the peer's next version, from its own first one
    expect(result.deletes).toEqual([]);
    expect(result.puts.map((r) => r.key)).toEqual([p2.key]);
  });

  it("a peer's version started from its own earlier version, absorbed by us, keeps what that version lacked", () => {
    const a = entity('A', ['a']);
    const k = entity('K', ['ours, written while the peer wrote']);
    const x = entity('X', ['peer x']);
    const y = entity('Y', ['peer y']);
    const file = new History();
    file.put(a).rewrite();
    file.put(k); // our commit, not yet in the file
    file.absorbAndRecord([a, x]); // the peer's version lacks K (it never saw it)
    file.rewrite(); // K and X both in the file
    // The peer's next write started from its own version: X present, K absent.
    const judged = file.absorb([a, x, y]);
    expect(judged.deletes).toEqual([]);
    expect(judged.puts.map((r) => r.key)).toEqual([y.key]);
  });

  it('where versions explain the peer equally well, the older one is taken (keeps more)', () => {
    const a = entity('A', ['a']);
    const b = entity('B', ['b']);
    const file = new History();
    file.put(a).rewrite();
    file.put(b).rewrite();
    // The peer's file shows nothing that tells the two versions apart: B is kept.
    expect(file.absorb([a]).deletes).toEqual([]);
  });

  it('versions saved in a checkpoint and restored (a process opening fast) judge as the long-lived one did', () => {
    const a = entity('A', ['a'], { chartId: 'c' });
    const b = entity('B', ['b']);
    const c = entity('C', ['c']);
    const file = new History();
    file.put(a).rewrite();
    file.later(5).absorbAndRecord([entity('A', ['a']), b]);
    file.later(5).put(c).rewrite();
    const peer = mapOf([entity('A', ['a']), b, entity('D', ['d'])]);
    const saved = JSON.parse(JSON.stringify(file.versions.save(Number.MAX_SAFE_INTEGER))) as unknown;
    const restored = new FileVersions(file.state);
    expect(restored.restore(saved)).toBe(true);
    const before = file.versions.judge(peer, file.now);
    const after = restored.judge(peer, file.now);
    expect([after.version, after.behind, after.scores]).toEqual([before.version, before.behind, before.scores]);
    for (const key of [a.key, b.key, c.key]) expect(after.base(key)?.raw).toBe(before.base(key)?.raw);
    expect(restored.restore({ generations: [[1, 'ours', 0, [['e\u0000X', '{"type":"entity","name":"Y"}']]]], trimmed: false }), 'a form that is not its key').toBe(false);
  });

  it('a version rebuilt from scratch (a fresh process) judges as the long-lived one did', () => {
    const a = entity('A', ['a']);
    const b = entity('B', ['b']);
    const c = entity('C', ['c']);
    const file = new History();
    file.put(a).rewrite();
    file.put(b).rewrite();
    file.put(c).rewrite();
    // The peer read the version with A and B, and deleted A.
    const judgement = file.versions.judge(new Map([[b.key, b]]));
    expect(judgement.behind).toBe(1);
    expect(judgement.base(c.key)).toBeUndefined();
    expect(judgement.base(a.key)?.raw).toBe(a.raw);
  });
});

describe('two peers racing, and a peer deleting what it made', () => {
  const a = entity('A', ['a']);
  const mine = entity('MINE', ['peer one']);
  const theirs = entity('THEIRS', ['peer two']);
  const next = entity('NEXT', ['peer one, next call']);

  it("a record another peer's version brought at its end, missing from a version written just after, is kept (the writers raced)", () => {
    // Peer one wrote A + MINE (unseen by us); peer two read that, added THEIRS, wrote: we saw
    // only peer two's version. Peer one, from its own version, adds NEXT a moment later.
    const file = new History();
    file.put(a).rewrite();
    file.later(5).absorbAndRecord([a, mine, theirs]);
    const result = file.later(5).absorb([a, mine, next]);
    expect(result.deletes).toEqual([]);
    expect(result.puts.map((r) => r.name)).toEqual(['NEXT']);
  });

  it('the same missing record, with a record after it kept, is a hole: deleted', () => {
    const file = new History();
    file.put(a).rewrite();
    file.later(5).absorbAndRecord([a, theirs, mine]);
    expect(file.later(5).absorb([a, mine, next]).deletes.map((k) => k.slice(2))).toEqual(['THEIRS']);
  });

  it('a record a peer made, missing from a version written long after (beyond the race window), is deleted', () => {
    const file = new History();
    file.put(a).rewrite();
    file.later(5).absorbAndRecord([a, mine]);
    expect(file.later(raceWindowMs(0) + 1).absorb([a]).deletes.map((k) => k.slice(2))).toEqual(['MINE']);
  });

  it('within the race window the same deletion is kept: it cannot be told from a lost race', () => {
    const file = new History();
    file.put(a).rewrite();
    file.later(5).absorbAndRecord([a, mine]);
    expect(file.later(50).absorb([a]).deletes).toEqual([]);
  });

  it('a record of ours a peer lacks stays however long after, unless the peer shows it read our version', () => {
    const ours = entity('OURS', ['ours']);
    const file = new History();
    file.put(a).rewrite();
    file.later(5).put(ours).rewrite();
    // An editor that held the file open for an hour: nothing shows it read our version.
    expect(file.later(3_600_000).absorb([a]).deletes).toEqual([]);
  });
});

describe('a peer deleting again what we kept as a lost race', () => {
  const a = entity('A', ['a']);
  const b = entity('B', ['made by the person']);

  /** We wrote A, then A + B a minute later; a peer's file of A alone (B deleted, or never seen) is taken in, B kept, and our rewrite puts it back. */
  function keptOnce(): History {
    const file = new History();
    file.put(a).rewrite();
    file.later(60_000).put(b).rewrite();
    const first = file.later(60_000).absorb([a]);
    expect(first.deletes).toEqual([]); // the first deletion cannot be told from a lost race
    file.absorbAndRecord([a]);
    file.later(100).rewrite(); // nothing changed since B was kept: the rewrite is the file with B again
    return file;
  }

  it('is a deletion once our rewrite that put it back stood on disk longer than the race window', () => {
    const file = keptOnce();
    expect(file.later(raceWindowMs(0) + 1).absorb([a]).deletes).toEqual([b.key]);
  });

  it('a repeat of the deletion is taken after any number of kept ones', () => {
    const file = keptOnce();
    // Two more quick repeats (within the window), each kept and put back again.
    for (let i = 0; i < 2; i += 1) {
      expect(file.later(1_000).absorb([a]).deletes).toEqual([]);
      file.absorbAndRecord([a]);
      file.later(100).rewrite();
    }
    expect(file.later(raceWindowMs(0) + 1).absorb([a]).deletes).toEqual([b.key]);
  });

  it('within the race window after the put-back it is still kept: another writer may have read the version without it', () => {
    const file = keptOnce();
    expect(file.later(raceWindowMs(0) - 1_000).absorb([a]).deletes).toEqual([]);
  });

  it('a record we changed after it was kept stays: the change says it is wanted', () => {
    const file = keptOnce();
    file.later(100).put(entity('B', ['made by the person', 'and edited since'])).rewrite();
    expect(file.later(raceWindowMs(0) + 1).absorb([a]).deletes).toEqual([]);
  });

  it('a record of ours a peer never lacked before stays however long after (the editor case)', () => {
    const file = new History();
    file.put(a).rewrite();
    file.later(60_000).put(b).rewrite();
    expect(file.later(3_600_000).absorb([a]).deletes).toEqual([]);
  });
});

describe("a peer's version that only changed a record, racing another peer", () => {
  it('a record the racing version changed (not made) and a later peer lacks is deleted: every version held it', () => {
    const s1 = entity('S1', ['one']);
    const s2 = entity('S2', ['two']);
    const file = new History();
    file.put(s1).put(s2).rewrite();
    // Peer A adds a note to both; 3 s later peer B, which read A's version, deletes S2.
    file.later(60_000).absorbAndRecord([entity('S1', ['one', 'note']), entity('S2', ['two', 'note'])]);
    expect(file.later(3_000).absorb([entity('S1', ['one', 'note'])]).deletes).toEqual([s2.key]);
  });
});

/** Our side of a context file: the state, the versions of the file, our rewrites and absorbed peer versions. */
class History {
  readonly state = new RecordSet();
  readonly versions = new FileVersions(this.state);
  private seq = 0;
  /** The time versions are written at (ms), moved by the test. */
  now = 1_000_000;

  later(ms: number): this {
    this.now += ms;
    return this;
  }

  put(record: StoredRecord): this {
    this.versions.touch(record.key);
    this.state.set(record);
    return this;
  }

  rewrite(): this {
    this.versions.close((this.seq += 1), 'ours', this.now);
    return this;
  }

  absorb(records: StoredRecord[], absenceIsDeletion = true) {
    const file = mapOf(records);
    const judgement = this.versions.judge(file, this.now);
    return absorbExternalVersion({
      file,
      base: (key) => judgement.base(key),
      cameWithRacingPeerBase: (key) => judgement.cameWithRacingPeerBase(key),
      addedByPeerLongBefore: (key) => judgement.addedByPeerLongBefore(key),
      deletionRepeated: (key) => judgement.deletionRepeated(key),
      otherKeys: this.versions.changedKeys(),
      current: this.state,
      absenceIsDeletion,
    });
  }

  /** Absorbs a peer's version and records it as a version of the file. */
  absorbAndRecord(records: StoredRecord[]): this {
    const result = this.absorb(records);
    for (const record of result.puts) this.put(record);
    for (const key of result.deletes) {
      this.versions.touch(key);
      this.state.delete(key);
    }
    this.versions.close((this.seq += 1), 'peer', this.now, result.overrides);
    return this;
  }
}

describe('keeping the line order a peer chose', () => {
  it('finds few moves that bring the shared keys into the wanted order, leaving others in place', async () => {
    const { RecordSet: Set2 } = await import('../../electron/core/recordSet.ts');
    const { orderMoves, applyOrderMoves } = await import('../../electron/core/recordOrder.ts');
    expect(orderMoves(['a', 'b', 'c', 'd'], ['a', 'b', 'c', 'd'])).toEqual([]);
    expect(orderMoves(['a', 'b', 'c', 'aim'], ['aim', 'a', 'b', 'c'])).toEqual([['aim', null]]);
    const set = new Set2();
    for (const name of ['a', 'b', 'c', 'x', 'aim']) set.set(entity(name, []));
    const keys = (names: string[]) => names.map((n) => entity(n, []).key);
    applyOrderMoves(set, orderMoves(set.keys(), keys(['aim', 'c', 'a', 'b'])));
    expect([...set.values()].map((r) => r.name)).toEqual(['aim', 'c', 'a', 'b', 'x']);
  });
});
