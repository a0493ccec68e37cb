// The search index keeps its key -> id map in shards (shardedMap.ts), and a context its relation
// ends by name (keysByName.ts): it must answer as one Map does, through adds, replacements and
// removals of keys that differ only early or only late, and spread a context's keys evenly (a
// full shard would bring back the long growth the shards are for).
import { describe, expect, it } from 'vitest';
import { SHARDS, ShardedMap, shardOf } from '../../electron/core/shardedMap.ts';
import { chartIdAt } from '../../electron/core/charts/chartIds.ts';
import { seededRandom } from '../helpers/seededRandom.ts';

describe('a sharded map', () => {
  it('answers get, has, size and delete as one Map does (seeded)', () => {
    const random = seededRandom(42);
    const keys = [
      ...Array.from({ length: 300 }, (_, i) => `e\u0000chart_${i}_desired_outcome`),
      ...Array.from({ length: 300 }, (_, i) => `r\u0000chart_1_action_${i}\u0000chart_1_desired_outcome\u0000advances_toward`),
      '',
      'é',
    ];
    const sharded = new ShardedMap<number>();
    const plain = new Map<string, number>();
    for (let op = 0; op < 20_000; op += 1) {
      const key = keys[Math.floor(random() * keys.length)] as string;
      if (random() < 0.3) expect(sharded.delete(key)).toBe(plain.delete(key));
      else {
        sharded.set(key, op);
        plain.set(key, op);
      }
      expect(sharded.size).toBe(plain.size);
    }
    for (const key of keys) {
      expect(sharded.get(key), key).toBe(plain.get(key));
      expect(sharded.has(key), key).toBe(plain.has(key));
    }
  });

  it.each([
    ['ids of charts made far apart', (c: number) => `chart_${1_700_000_000_000 + c * 7919}`],
    ['our ids, charts made a millisecond apart (the digits that differ are mid-key)', (c: number) => chartIdAt(1_796_202_627_880 + c)],
    ['ids made of words (a peer\'s chart_<word>)', (c: number) => `chart_work_plan_${c}`],
  ])('spreads the keys of 20,000 charts evenly, %s: no shard holds 1.5x its share', (_, idOf) => {
    const keys: string[] = [];
    for (let c = 0; c < 20_000; c += 1) {
      const chart = idOf(c);
      keys.push(`e\u0000${chart}_chart`, `e\u0000${chart}_desired_outcome`, `e\u0000${chart}_current_reality`);
      for (let s = 1; s <= 4; s += 1) keys.push(`e\u0000${chart}_action_${s}`, `r\u0000${chart}_chart\u0000${chart}_action_${s}\u0000contains`);
    }
    const counts = new Map<number, number>();
    for (const key of keys) counts.set(shardOf(key), (counts.get(shardOf(key)) ?? 0) + 1);
    expect(counts.size).toBe(SHARDS);
    expect(Math.max(...counts.values())).toBeLessThan((1.5 * keys.length) / SHARDS);
  });

  it("spreads long keys (an opaque line's key holds the line) by their ends: legacy beats of 300-odd characters", () => {
    const story = 'The team met the first customer and learned what they needed. '.repeat(4);
    const keys = Array.from({ length: 20_000 }, (_, i) => `l\u0000{"type":"narrative_beat","name":"beat_${i}","text":"${story}","act":${i % 3}}\u00001`);
    expect(keys[0]!.length).toBeGreaterThan(96);
    const counts = new Map<number, number>();
    for (const key of keys) counts.set(shardOf(key), (counts.get(shardOf(key)) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBeLessThan((1.5 * keys.length) / SHARDS);
  });
});
