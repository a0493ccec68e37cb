// A Map split into shards by a hash of its string keys. A JS Map grows by copying every entry
// into a table twice the size, in one go: at 700,000 keys (a search index, the relation ends of
// 100k charts) that held the process for 126-140 ms, too long for a slice of work that must stay
// under 50 ms. In 64 shards each growth copies a 64th of the entries.

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

/**
 * Which shard a key is in: FNV-1a of its first and last 16 characters (a whole 60-character key
 * costs more than the lookup; a line's key holds the whole line). Both ends count: a relation's
 * key starts with its first name and ends with its type, shared by many; an entity's name often
 * ends in what tells it apart (a step's number). Over the 1.3M keys of 100k charts the fullest
 * of the 64 shards held 1.24x its share; the last 16 characters alone put 20x in one.
 */
export function shardOf(key: string): number {
  let hash = 0x811c9dc5;
  const length = key.length;
  const head = Math.min(length, 16);
  for (let i = 0; i < head; i += 1) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  for (let i = Math.max(head, length - 16); i < length; i += 1) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) & (SHARDS - 1);
}
