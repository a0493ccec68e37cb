// The search index keeps its key -> id map in shards (shardedMap.ts): it must answer as one Map
// does, through adds, replacements and removals of keys that differ only early or only late.
import { describe, expect, it } from 'vitest';
import { ShardedMap } from '../../electron/core/shardedMap.ts';
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
});
