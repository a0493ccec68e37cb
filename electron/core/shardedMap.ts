// A Map split into shards by a hash of its string keys. A JS Map grows by copying every entry
// into a table twice the size, in one go: at 700,000 keys (a search index, the relation ends of
// 100k charts) that held the process for 126-140 ms, too long for a slice of work that must stay
// under 50 ms. In 64 shards each growth copies a 64th of the entries, as long as the hash spreads
// the keys evenly (shardOf).

/** How many maps the keys are spread over (a power of two: the hash is masked; exported for the spread's test). */
export const SHARDS = 64;

export class ShardedMap<V> {
  private readonly shards: Map<string, V>[] = Array.from({ length: SHARDS }, () => new Map<string, V>());
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    return this.shardFor(key).get(key);
  }

  has(key: string): boolean {
    return this.shardFor(key).has(key);
  }

  set(key: string, value: V): void {
    const shard = this.shardFor(key);
    const before = shard.size;
    shard.set(key, value);
    this.count += shard.size - before;
  }

  delete(key: string): boolean {
    const deleted = this.shardFor(key).delete(key);
    if (deleted) this.count -= 1;
    return deleted;
  }

  private shardFor(key: string): Map<string, V> {
    return this.shards[shardOf(key)] as Map<string, V>;
  }
}

/** Keys up to this long are hashed whole; a longer one (a line's key holds its whole line) by its two ends and its length. */
const HASHED_WHOLE = 96;

/**
 * Which shard a key is in: FNV-1a of the key, then a final mix (FNV's low bits, the ones the
 * mask keeps, spread poorly on their own). The whole key: what tells keys apart may sit anywhere
 * in it. Hashing only its first and last 16 characters put 17-22x a shard's share in one shard
 * for the entity keys of charts made a millisecond apart (`chart_<16 digits>_desired_outcome`:
 * the digits that differ are in the middle) or named by words (`chart_work_plan_<n>`).
 */
export function shardOf(key: string): number {
  let hash = 0x811c9dc5;
  const length = key.length;
  if (length <= HASHED_WHOLE) {
    for (let i = 0; i < length; i += 1) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  } else {
    const half = HASHED_WHOLE / 2;
    for (let i = 0; i < half; i += 1) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
    for (let i = length - half; i < length; i += 1) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
    hash = Math.imul(hash ^ length, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) & (SHARDS - 1);
}
