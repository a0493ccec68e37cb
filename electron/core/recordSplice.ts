// A change to a record journaled as what changed in its line, not the whole line again. A
// current reality that grows by one observation at a time for years would otherwise journal
// its whole text on every addition (5,000 additions made a 210 KB file and a 523 MB journal).
// The splice is found from the common start and end of the old and new lines, in UTF-8 bytes,
// and carries the CRC-32 of the line it makes, so a splice applied to anything but the line it
// was made from is caught (docs/FORMAT.md, "Journals", `splice`).
import { crc32Hex } from './journalFormat.ts';

export interface Splice {
  /** Bytes of the old line kept before the change. */
  readonly at: number;
  /** Bytes of the old line removed at `at`. */
  readonly cut: number;
  /** Text inserted at `at`. */
  readonly text: string;
  /** CRC-32 of the new line. */
  readonly crc: string;
}

/** Bytes a splice line carries besides its text (identity, offsets, checksum): about this many. */
const SPLICE_OVERHEAD = 96;

/**
 * The splice that turns `before` into `after`, when it is worth it (well under half the new
 * line); undefined when journaling the whole new line is as good.
 */
export function spliceBetween(before: string, after: string): Splice | undefined {
  if (after.length < 2 * SPLICE_OVERHEAD) return undefined;
  const a = Buffer.from(before, 'utf8');
  const b = Buffer.from(after, 'utf8');
  const limit = Math.min(a.length, b.length);
  let start = 0;
  while (start < limit && a[start] === b[start]) start += 1;
  // Never inside a character: a continuation byte (10xxxxxx) belongs with the one before.
  while (start > 0 && start < b.length && ((b[start] as number) & 0xc0) === 0x80) start -= 1;
  let end = 0;
  while (end < limit - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end += 1;
  while (end > 0 && ((b[b.length - end] as number) & 0xc0) === 0x80) end -= 1;
  const inserted = b.subarray(start, b.length - end);
  if (2 * (inserted.length + SPLICE_OVERHEAD) >= b.length) return undefined;
  return { at: start, cut: a.length - end - start, text: inserted.toString('utf8'), crc: crc32Hex(b) };
}

/** The line a splice makes of `before`; undefined when it does not fit (a different line). */
export function applySplice(before: string, splice: Splice): string | undefined {
  // A line of one-byte characters: byte offsets are string offsets (no copies to bytes and back).
  if (Buffer.byteLength(before, 'utf8') === before.length) {
    if (splice.at < 0 || splice.cut < 0 || splice.at + splice.cut > before.length) return undefined;
    const made = before.slice(0, splice.at) + splice.text + before.slice(splice.at + splice.cut);
    return crc32Hex(made) === splice.crc ? made : undefined;
  }
  const a = Buffer.from(before, 'utf8');
  if (splice.at < 0 || splice.cut < 0 || splice.at + splice.cut > a.length) return undefined;
  const made = Buffer.concat([a.subarray(0, splice.at), Buffer.from(splice.text, 'utf8'), a.subarray(splice.at + splice.cut)]);
  return crc32Hex(made) === splice.crc ? made.toString('utf8') : undefined;
}
