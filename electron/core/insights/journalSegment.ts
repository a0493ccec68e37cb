// Reads a journal from a byte offset on, a chunk at a time, handing over each commit (a commit
// written as several parts: once, when its last part has come) and each snapshot with where it
// ends, so a rollup can stop anywhere and go on from there later. forEachJournalEntry
// (journalFile.ts) reads the same lines the same way, but always from the first byte and without
// offsets; this is that reader with a start and an end.
import zlib from 'node:zlib';
import type { FileSystem } from '../fileSystem.ts';
import { decodeJournalLine, type JournalCommit, type JournalSnapshot } from '../journalFormat.ts';

export interface SegmentEntry {
  readonly entry: JournalCommit | JournalSnapshot;
  /** Bytes of the journal it takes (all its parts). */
  readonly bytes: number;
}

/** Where a read stopped: the next one starts at `offset`. */
export interface SegmentEnd {
  readonly offset: number;
  /** The highest sequence number handed over, 0 when none. */
  readonly seq: number;
  /** The last whole line before `offset` (its start and CRC-32), to recognise this journal later. */
  readonly lastLine: { readonly start: number; readonly crc: string } | undefined;
  /** Inode of the journal read, as a decimal string; undefined when there is none. */
  readonly ino: string | undefined;
  /** Lines that failed their checksum or parse (damage: verify and recover report it). */
  readonly damaged: number;
}

export interface SegmentOptions {
  /** Stop at this offset (a journal another process is still appending to is read up to where it was). */
  readonly to?: number;
  readonly chunkBytes?: number;
}

/**
 * The reading itself, as a generator that yields after each chunk, so the cold read of a large
 * journal can let other work run between chunks (readSegmentAsync) while a short tail is read
 * in one go (readSegment).
 */
function* segmentReader(fsys: FileSystem, path: string, from: number, visit: (item: SegmentEntry) => void, options: SegmentOptions, result: { end: SegmentEnd }): Generator<void> {
  let fd: number;
  try {
    fd = fsys.openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      result.end = { offset: 0, seq: 0, lastLine: undefined, ino: undefined, damaged: 0 };
      return;
    }
    throw error;
  }
  try {
    const stat = fsys.fstatSync(fd);
    const limit = Math.min(stat.size, options.to ?? stat.size);
    const chunk = Buffer.alloc(options.chunkBytes ?? 1 << 20);
    let carry: Buffer = Buffer.alloc(0);
    let position = Math.min(from, limit);
    // Consumed: every line before `offset` is dealt with; a multi-part commit still open is not.
    let offset = position;
    let lastLine: { start: number; end: number } | undefined;
    let seq = 0;
    let damaged = 0;
    let group: { parts: JournalCommit[]; bytes: number } | undefined;
    let lineStart = position;
    const consume = (start: number, end: number) => {
      offset = end;
      lastLine = { start, end };
    };
    const dropGroup = () => {
      if (!group) return;
      damaged += group.parts.length;
      group = undefined;
    };
    while (position < limit) {
      const n = fsys.readSync(fd, chunk, 0, Math.min(chunk.length, limit - position), position);
      if (n <= 0) break;
      position += n;
      let bytes = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      for (let newline = bytes.indexOf(10); newline !== -1; newline = bytes.indexOf(10)) {
        const line = bytes.subarray(0, newline);
        bytes = bytes.subarray(newline + 1);
        const start = lineStart;
        const end = start + newline + 1;
        lineStart = end;
        if (line.length === 0) {
          if (!group) consume(start, end);
          continue;
        }
        const decoded = decodeJournalLine(line.toString('utf8'));
        if (!decoded.ok) {
          dropGroup();
          damaged += 1;
          consume(start, end);
          continue;
        }
        const entry = decoded.entry;
        if (entry.kind === 'header') {
          dropGroup();
          consume(start, end);
          continue;
        }
        if (entry.kind === 'commit' && entry.parts !== undefined) {
          const first = group?.parts[0];
          if (!(first && first.tx === entry.tx && entry.part === group!.parts.length + 1)) {
            dropGroup();
            if (entry.part !== 1) {
              damaged += 1;
              consume(start, end);
              continue;
            }
            group = { parts: [], bytes: 0 };
          }
          group!.parts.push(entry);
          group!.bytes += end - start;
          if (group!.parts.length === entry.parts) {
            const parts = group!.parts;
            const last = parts[parts.length - 1] as JournalCommit;
            visit({ entry: { ...last, changes: parts.flatMap((p) => p.changes), part: undefined, parts: undefined } as JournalCommit, bytes: group!.bytes });
            seq = Math.max(seq, last.seq);
            group = undefined;
            consume(start, end);
          }
          continue;
        }
        dropGroup();
        visit({ entry, bytes: end - start });
        seq = Math.max(seq, entry.seq);
        consume(start, end);
      }
      carry = Buffer.from(bytes);
      yield;
    }
    // An open multi-part group at the end is an append still going on (or torn): read again later.
    let check: SegmentEnd['lastLine'];
    if (lastLine) {
      const length = lastLine.end - lastLine.start;
      const again = Buffer.alloc(length);
      fsys.readSync(fd, again, 0, length, lastLine.start);
      check = { start: lastLine.start, crc: zlib.crc32(again).toString(16).padStart(8, '0') };
    }
    result.end = { offset, seq, lastLine: check, ino: stat.ino.toString(), damaged };
  } finally {
    fsys.closeSync(fd);
  }
}

/** Reads the journal at `path` from `from` (a line start) to its end, or to `options.to`. */
export function readSegment(fsys: FileSystem, path: string, from: number, visit: (item: SegmentEntry) => void, options: SegmentOptions = {}): SegmentEnd {
  const result = { end: undefined as unknown as SegmentEnd };
  for (const _ of segmentReader(fsys, path, from, visit, options, result)) {
    // one chunk after another, without a pause
  }
  return result.end;
}

/** As readSegment, letting other work run after each chunk (a cold read of a long journal in the app's main process). */
export async function readSegmentAsync(fsys: FileSystem, path: string, from: number, visit: (item: SegmentEntry) => void, options: SegmentOptions = {}): Promise<SegmentEnd> {
  const result = { end: undefined as unknown as SegmentEnd };
  for (const _ of segmentReader(fsys, path, from, visit, options, result)) await new Promise((resolve) => setImmediate(resolve));
  return result.end;
}

/** Whether the line a rollup ended after is still where it was (the journal was not rewritten since). */
export function sameLineAt(fsys: FileSystem, path: string, line: { readonly start: number; readonly crc: string }, end: number): boolean {
  let fd: number;
  try {
    fd = fsys.openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    const length = end - line.start;
    if (length <= 0 || length > 64 * 1024 * 1024) return false;
    const bytes = Buffer.alloc(length);
    const n = fsys.readSync(fd, bytes, 0, length, line.start);
    return n === length && zlib.crc32(bytes).toString(16).padStart(8, '0') === line.crc;
  } finally {
    fsys.closeSync(fd);
  }
}
