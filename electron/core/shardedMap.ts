// A Map split into shards by a hash of its string keys. A JS Map grows by copying every entry
// into a table twice the size, in one go: at 700,000 keys (a search index at 100k charts) that
// held the process for ~140 ms, too long for a slice of work that must stay under 50 ms. In 64
// shards each growth copies a 64th of the entries.

const SHARDS = 64;

export class ShardedMap<V> {
  private readonly shards: Map<string, V>[] = Array.from({ length: SHARDS }, () => new Map<string, V>());
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    return this.shardOf(key).get(key);
  }

  has(key: string): boolean {
    return this.shardOf(key).has(key);
  }

  set(key: string, value: V): void {
    const shard = this.shardOf(key);
    const before = shard.size;
    shard.set(key, value);
    this.count += shard.size - before;
  }

  delete(key: string): boolean {
    const deleted = this.shardOf(key).delete(key);
    if (deleted) this.count -= 1;
    return deleted;
  }

  private shardOf(key: string): Map<string, V> {
    return this.shards[shardIndex(key)] as Map<string, V>;
  }
}

/**
 * FNV-1a over the key's last 16 characters (keys that differ only early, such as relations of
 * one chart, still differ at their ends; a whole 60-character key costs more than the lookup).
 */
function shardIndex(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = Math.max(0, key.length - 16); i < key.length; i += 1) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % SHARDS;
}
