// The chart ids' index in a rollup's rows file (rollupFiles.ts): an open-addressing hash table of
// row numbers, written with the rows and read back as one more column of whole numbers. A fresh
// start then finds a chart's row by a hash and a probe or two, instead of first putting every id
// into a Map (40-170 ms at 100k charts: the largest part of a day's update after a start).
// A row it names is taken only when that row's id is the one looked for, and a table read back is
// used only once every id was found at its own row (validRowTable; the rows file's CRC covers it
// too): otherwise the ids go into a Map as before.

import { fnv1a } from '../repeatedRecords.ts';

/** An empty slot. */
const EMPTY = -1;
/** The smallest table: a few KB. */
const MIN_SLOTS = 1024;

/** The table of `ids` (row i is ids[i]): at least twice as many slots as ids, a power of two. */
export function buildRowTable(ids: readonly string[]): Int32Array {
  let slots = MIN_SLOTS;
  while (slots < 2 * ids.length) slots *= 2;
  const table = new Int32Array(slots).fill(EMPTY);
  const mask = slots - 1;
  for (let row = 0; row < ids.length; row += 1) {
    let slot = fnv1a(ids[row] as string) & mask;
    while (table[slot] !== EMPTY) slot = (slot + 1) & mask;
    table[slot] = row;
  }
  return table;
}

/** The row of `id` among the rows the table was built for; undefined when it is not one of them. */
export function findRow(table: Int32Array, ids: readonly string[], id: string): number | undefined {
  const mask = table.length - 1;
  let slot = fnv1a(id) & mask;
  for (let probes = 0; probes < table.length; probes += 1) {
    const row = table[slot] as number;
    if (row === EMPTY) return undefined;
    if (ids[row] === id) return row;
    slot = (slot + 1) & mask;
  }
  return undefined;
}

/**
 * A table read back fits `ids`: a power of two of at least twice as many slots, each empty or a
 * row among them, and every id found at its own row (a hash and a probe each: ~10 ms at 100k
 * charts). A table that missed a row would make a chart's row twice.
 */
export function validRowTable(table: Int32Array, ids: readonly string[]): boolean {
  const slots = table.length;
  if (slots < MIN_SLOTS || (slots & (slots - 1)) !== 0 || slots < 2 * ids.length) return false;
  let filled = 0;
  for (let i = 0; i < slots; i += 1) {
    const row = table[i] as number;
    if (row < EMPTY || row >= ids.length) return false;
    if (row !== EMPTY) filled += 1;
  }
  if (filled !== ids.length) return false;
  for (let row = 0; row < ids.length; row += 1) if (findRow(table, ids, ids[row] as string) !== row) return false;
  return true;
}
