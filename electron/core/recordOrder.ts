// The order of a context's records as moves of keys (put this one after that one): what a commit
// journals when another program's version has its lines in an order the changes alone would
// not give, and how a replay puts them back in that order.
import type { RecordSet } from './recordSet.ts';

/** A doubly linked list of keys, to move keys around in O(1) and read the order back. */
class KeyOrder {
  private readonly prev = new Map<string, string | null>();
  private readonly next = new Map<string, string | null>();
  private head: string | null = null;
  private tail: string | null = null;

  constructor(keys: Iterable<string>) {
    for (const key of keys) this.append(key);
  }

  has(key: string): boolean {
    return this.prev.has(key);
  }

  before(key: string): string | null | undefined {
    return this.prev.get(key);
  }

  append(key: string): void {
    this.prev.set(key, this.tail);
    this.next.set(key, null);
    if (this.tail === null) this.head = key;
    else this.next.set(this.tail, key);
    this.tail = key;
  }

  remove(key: string): void {
    if (!this.prev.has(key)) return;
    const p = this.prev.get(key) ?? null;
    const n = this.next.get(key) ?? null;
    if (p === null) this.head = n;
    else this.next.set(p, n);
    if (n === null) this.tail = p;
    else this.prev.set(n, p);
    this.prev.delete(key);
    this.next.delete(key);
  }

  /** Puts `key` right after `after` (null: first). */
  moveAfter(key: string, after: string | null): void {
    this.remove(key);
    const n = after === null ? this.head : (this.next.get(after) ?? null);
    this.prev.set(key, after);
    this.next.set(key, n);
    if (after === null) this.head = key;
    else this.next.set(after, key);
    if (n === null) this.tail = key;
    else this.prev.set(n, key);
  }

  *keys(): IterableIterator<string> {
    for (let key = this.head; key !== null; key = this.next.get(key) ?? null) yield key;
  }
}

/** A move: put `key` right after `after` (null: first). */
export type OrderMove = readonly [key: string, after: string | null];

/**
 * The moves that bring the keys of `wanted` into that relative order, starting from `current`
 * (keys not in `wanted` stay where they are). Few when the orders mostly agree.
 */
export function orderMoves(current: Iterable<string>, wanted: Iterable<string>): OrderMove[] {
  const order = new KeyOrder(current);
  const moves: OrderMove[] = [];
  let previous: string | null = null;
  for (const key of wanted) {
    if (!order.has(key)) continue;
    if (order.before(key) !== previous) {
      moves.push([key, previous]);
      order.moveAfter(key, previous);
    }
    previous = key;
  }
  return moves;
}

export function applyOrderMoves(set: RecordSet, moves: readonly OrderMove[]): void {
  if (moves.length === 0) return;
  const order = new KeyOrder(set.keys());
  for (const [key, after] of moves) if (order.has(key) && (after === null || order.has(after))) order.moveAfter(key, after);
  set.reorder(order.keys());
}
