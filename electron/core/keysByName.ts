// Record keys grouped by a name (the relations that start or end at an entity), where a name
// with a single key holds that key itself rather than a Set of one. At 100k charts 600k of the
// 700k relation ends have one relation, and a Set each took about 200 bytes: the index of
// relation ends was 166 MB of the heap, the largest part of a context readied for changes.
// A ShardedMap: one Map of the 700k names grew by a rehash of all of them at once, 126 ms in
// one slice of the app's readying after an open.
import { ShardedMap } from './shardedMap.ts';

export class KeysByName {
  private readonly map = new ShardedMap<string | Set<string>>();

  add(name: string, key: string): void {
    const held = this.map.get(name);
    if (held === undefined) this.map.set(name, key);
    else if (typeof held === 'string') {
      if (held !== key) this.map.set(name, new Set([held, key]));
    } else held.add(key);
  }

  remove(name: string, key: string): void {
    const held = this.map.get(name);
    if (held === undefined) return;
    if (typeof held === 'string') {
      if (held === key) this.map.delete(name);
      return;
    }
    held.delete(key);
    if (held.size === 0) this.map.delete(name);
    // Back to the key itself: a hub whose relations went one by one does not keep a Set.
    else if (held.size === 1) this.map.set(name, held.values().next().value as string);
  }

  /** The keys under `name` (a fresh Set for a single key: callers only read it). */
  get(name: string): ReadonlySet<string> | undefined {
    const held = this.map.get(name);
    return typeof held === 'string' ? new Set([held]) : held;
  }
}
