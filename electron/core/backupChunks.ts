// Where a file is cut into the pieces a backup stores (content-defined chunking, as restic and
// borg do). A cut falls where a rolling hash of the last 32 bytes hits a pattern, so it depends
// on the bytes around it and not on their offset: an edit in the middle of a context file, or
// lines appended to a journal, change the one or two pieces around the edit, and every other
// piece is the same as in the last backup and is not stored again.
//
// Only writers use these rules; a reader follows the list of pieces in the manifest. Changing
// them makes the next backup store its pieces anew once (nothing breaks).

/** No piece is cut shorter than this (but the last of a file). */
export const MIN_CHUNK = 128 * 1024;
/** Nor longer than this. */
export const MAX_CHUNK = 2 * 1024 * 1024;
/**
 * 16 bits of the hash must be zero for a cut: one place in 64 Ki on random bytes. JSON lines
 * repeat their field names, so fewer of their 32-byte windows differ; measured on the
 * benchmark's chart files, pieces average about 300 KiB (a 20-bit pattern, meant for ~1 MiB,
 * cut there only at the maximum size).
 */
const CUT_MASK = 0xffff0000;
/** The gear hash shifts one bit per byte, so its 32 bits depend on the last 32 bytes only. */
const WINDOW = 32;

/** One random 32-bit number per byte value, the same on every machine (mulberry32 from a fixed seed). */
const GEAR = (() => {
  const table = new Uint32Array(256);
  let a = 0x7e451011;
  for (let i = 0; i < 256; i += 1) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    table[i] = (t ^ (t >>> 14)) >>> 0;
  }
  return table;
})();

/** The end offsets of the pieces of `bytes`, in order (the last is bytes.length; none for an empty file). */
export function chunkEnds(bytes: Uint8Array): number[] {
  const ends: number[] = [];
  for (let start = 0; start < bytes.length; start = ends[ends.length - 1] as number) ends.push(chunkEndAfter(bytes, start));
  return ends;
}

/**
 * Where the piece of `bytes` that begins at `start` ends (start < bytes.length): one piece at a
 * time, so a backup cut in slices (backupCreation.ts) never holds its thread for a whole file.
 */
export function chunkEndAfter(bytes: Uint8Array, start: number): number {
  const length = bytes.length;
  if (length - start <= MIN_CHUNK) return length;
  const limit = Math.min(length, start + MAX_CHUNK);
  const first = start + MIN_CHUNK;
  let hash = 0;
  // The hash is warmed up on the window before the first place a cut may fall, so the
  // decision at every place depends on the bytes there, not on where the piece began.
  for (let i = first - WINDOW; i < first; i += 1) hash = ((hash << 1) + (GEAR[bytes[i] as number] as number)) >>> 0;
  for (let i = first; i < limit; i += 1) {
    hash = ((hash << 1) + (GEAR[bytes[i] as number] as number)) >>> 0;
    if ((hash & CUT_MASK) === 0) return i + 1;
  }
  return limit;
}
