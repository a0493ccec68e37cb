// Reading and appending the journal. Appends are one write() of whole lines on an O_APPEND
// descriptor, then fdatasync: only then is a commit acknowledged. A failed append is cut back
// off the file, so a commit reported as failed never shows up later.
// (fs.promises.appendFile may split a large write into several write() calls, which lets
// lines from different processes interleave; writeAll on an O_APPEND fd does not re-seek.)
import type { FileSystem } from './fileSystem.ts';
import { readAt, writeAll } from './fileSystem.ts';
import { lineChunks } from './lineSplitter.ts';
import { readAtInSteps } from './readInSteps.ts';
import { runAtOnce, type Steps } from './steppedWork.ts';
import { decodeJournalLine, type JournalEntry } from './journalFormat.ts';
import { progressOfRead, type ReadProgress } from './readProgress.ts';

export interface JournalRead {
  readonly entries: { entry: JournalEntry; start: number; end: number }[];
  /** Lines that failed their checksum or did not parse (not the torn tail). */
  readonly bad: { start: number; end: number; reason: string; bytes: Buffer }[];
  /** Bytes after the last complete line: a crash mid-append. Normal end-of-file, not an alarm. */
  readonly tornTail: { start: number; bytes: Buffer } | undefined;
  /** Offset just past the last complete line: where the next append belongs. */
  readonly endOffset: number;
  readonly size: number;
  readonly ino: bigint | undefined;
}

/** Reads the journal from `from`; `progress` is told how far a long read has gone (readProgress.ts). */
export function readJournal(fsys: FileSystem, path: string, from = 0, progress?: ReadProgress): JournalRead {
  return runAtOnce(readJournalSteps(fsys, path, from, progress));
}

/** readJournal a chunk of lines per step (the check of the data reads a whole journal a slice at a time: steppedWork.ts). */
export function* readJournalSteps(fsys: FileSystem, path: string, from = 0, progress?: ReadProgress): Steps<JournalRead> {
  let fd: number;
  try {
    fd = fsys.openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { entries: [], bad: [], tornTail: undefined, endOffset: 0, size: 0, ino: undefined };
    }
    throw error;
  }
  try {
    const stat = fsys.fstatSync(fd);
    const size = stat.size;
    const start = Math.min(from, size);
    // Not zero-filled (300 MB at 100k charts): only the bytes read are looked at.
    const bytes = Buffer.allocUnsafe(size - start);
    const read = yield* readAtInSteps(fsys, fd, bytes, start);
    const chunkDone = progressOfRead(progress, read);
    const entries: JournalRead['entries'] = [];
    const bad: JournalRead['bad'] = [];
    let tornTail: JournalRead['tornTail'];
    let endOffset = start;
    lines: for (const chunk of lineChunks(bytes.subarray(0, read))) {
      for (const line of chunk) {
        const lineStart = start + line.start;
        const lineEnd = start + line.end;
        if (!line.terminated) {
          tornTail = { start: lineStart, bytes: Buffer.from(bytes.subarray(line.start, read)) };
          break lines;
        }
        endOffset = lineEnd + 1;
        if (line.text.trim() === '') continue;
        const decoded = line.utf8 ? decodeJournalLine(line.text) : ({ ok: false, reason: 'invalid UTF-8' } as const);
        if (decoded.ok) entries.push({ entry: decoded.entry, start: lineStart, end: lineEnd + 1 });
        else bad.push({ start: lineStart, end: lineEnd + 1, reason: decoded.reason, bytes: Buffer.from(bytes.subarray(line.start, line.end + 1)) });
      }
      const last = chunk[chunk.length - 1];
      if (last) chunkDone?.(last.end + 1);
      yield;
    }
    chunkDone?.(read);
    const grouped = completeParts(entries, bad, (from, to) => Buffer.from(bytes.subarray(from - start, to - start)));
    // In file order: recover cuts the bad lines out from start to end (out of order, it put every byte back).
    bad.sort((a, b) => a.start - b.start);
    if (grouped.openFrom !== undefined) {
      // A multi-part commit whose last part never came: a crash mid-commit, never acknowledged.
      const from = grouped.openFrom;
      tornTail = { start: from, bytes: Buffer.from(bytes.subarray(from - start, read)) };
      endOffset = from;
    }
    return { entries: grouped.entries, bad, tornTail, endOffset, size, ino: BigInt(stat.ino) };
  } finally {
    fsys.closeSync(fd);
  }
}

/**
 * Keeps the parts of a multi-part commit only when all are there, in a row. An incomplete group
 * followed by other entries is reported as bad; one at the very end is left for the caller to
 * treat as a torn tail (`openFrom`).
 */
function completeParts(
  entries: JournalRead['entries'],
  bad: { start: number; end: number; reason: string; bytes: Buffer }[],
  bytesAt: (start: number, end: number) => Buffer,
): { entries: JournalRead['entries']; openFrom: number | undefined } {
  if (!entries.some(({ entry }) => entry.kind === 'commit' && entry.parts !== undefined)) return { entries, openFrom: undefined };
  const kept: JournalRead['entries'] = [];
  let group: JournalRead['entries'] = [];
  const dropGroup = () => {
    // With its bytes: recover saves them in .recovery/ and reads what they hold.
    for (const item of group) bad.push({ start: item.start, end: item.end, reason: 'part of a commit whose other parts are missing', bytes: bytesAt(item.start, item.end) });
    group = [];
  };
  for (const item of entries) {
    const entry = item.entry;
    if (entry.kind === 'commit' && entry.parts !== undefined) {
      const first = group[0]?.entry;
      const sameGroup = first?.kind === 'commit' && first.tx === entry.tx && entry.part === group.length + 1;
      if (!sameGroup) {
        dropGroup();
        if (entry.part !== 1) {
          group = [item];
          dropGroup();
          continue;
        }
      }
      group.push(item);
      if (group.length === entry.parts) {
        kept.push(...group);
        group = [];
      }
      continue;
    }
    dropGroup();
    kept.push(item);
  }
  const openFrom = group.length > 0 ? group[0]?.start : undefined;
  return { entries: kept, openFrom };
}

/** Appends several lines with one fdatasync (a multi-part commit), cut back on any failure. */
export function appendLinesDurably(fsys: FileSystem, path: string, lines: Iterable<string>, expectedOffset: number): number {
  const fd = fsys.openSync(path, 'a');
  let offset = expectedOffset;
  try {
    try {
      for (const line of lines) {
        const data = Buffer.from(line, 'utf8');
        writeAll(fsys, fd, data);
        offset += data.length;
      }
      fsys.fdatasyncSync(fd);
    } catch (error) {
      try {
        fsys.ftruncateSync(fd, expectedOffset);
        fsys.fdatasyncSync(fd);
      } catch (cutError) {
        (error as { cutBackFailed?: unknown }).cutBackFailed = cutError;
      }
      throw error;
    }
    return offset;
  } finally {
    closeQuietly(fsys, fd);
  }
}

/**
 * Appends whole lines at `expectedOffset` (the journal must end there: a torn tail must be cut
 * first) and makes them durable. On any failure the file is cut back to `expectedOffset`.
 * Returns the new end offset.
 */
export function appendDurably(fsys: FileSystem, path: string, text: string, expectedOffset: number): number {
  return appendLinesDurably(fsys, path, [text], expectedOffset);
}

/** Once the data is fdatasync'ed, a failing close changes nothing about it: not an error. */
function closeQuietly(fsys: FileSystem, fd: number): void {
  try {
    fsys.closeSync(fd);
  } catch {
    // the descriptor is gone either way; what was written is durable
  }
}

/** Cuts a torn tail off the journal (its bytes must be saved by the caller first). */
export function cutJournal(fsys: FileSystem, path: string, offset: number): void {
  const fd = fsys.openSync(path, 'r+');
  try {
    fsys.ftruncateSync(fd, offset);
    fsys.fdatasyncSync(fd);
  } finally {
    fsys.closeSync(fd);
  }
}

/**
 * Visits the journal's complete, checksum-valid entries in order, reading it a chunk at a time
 * (history of a journal of any size in bounded memory). Damaged lines and a torn tail are
 * skipped; multi-part commits are handed over part by part (the caller applies a group only
 * when its last part has come: see history.ts).
 */
export function forEachJournalEntry(fsys: FileSystem, path: string, visit: (entry: JournalEntry) => void): void {
  let fd: number;
  try {
    fd = fsys.openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    const chunk = Buffer.alloc(1 << 20);
    let carry: Buffer = Buffer.alloc(0);
    for (let position = 0; ; ) {
      const n = fsys.readSync(fd, chunk, 0, chunk.length, position);
      if (n <= 0) break;
      position += n;
      let bytes = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      for (let newline = bytes.indexOf(10); newline !== -1; newline = bytes.indexOf(10)) {
        const line = bytes.subarray(0, newline);
        bytes = bytes.subarray(newline + 1);
        if (line.length === 0) continue;
        const decoded = decodeJournalLine(line.toString('utf8'));
        if (decoded.ok) visit(decoded.entry);
      }
      // What follows the last newline waits for the next chunk (a line longer than a chunk grows it).
      carry = Buffer.from(bytes);
    }
  } finally {
    fsys.closeSync(fd);
  }
}

/**
 * Where the journal open at `fd` ends as readJournal would read it (its `endOffset`), found from
 * the end: a torn tail after it (an unfinished last line, or the parts of a commit whose last
 * part never came) is cut by the next writer and written over, so only the bytes before it stay
 * as they are. Reads the last line, and the lines of the last commit when it is in parts.
 */
export function completeEndOf(fsys: FileSystem, fd: number, size: number): number {
  const back = new BytesFromTheEnd(fsys, fd, size);
  const end = back.lineStartBefore(size);
  // The last commit written in parts, if the last entry is one of its parts: its lines back to
  // its first part (blank and damaged lines among them are skipped, as readJournal skips them).
  const region: JournalRead['entries'] = [];
  let tx: string | undefined;
  for (let at = end; at > 0; ) {
    const start = back.lineStartBefore(at - 1);
    const decoded = decodeJournalLine(back.bytes(start, at).toString('utf8'));
    const lineEnd = at;
    at = start;
    if (!decoded.ok) continue;
    const entry = decoded.entry;
    if (entry.kind !== 'commit' || entry.parts === undefined || (tx !== undefined && entry.tx !== tx)) break;
    tx = entry.tx;
    region.unshift({ entry, start, end: lineEnd });
    if (entry.part === 1) break;
  }
  // Grouped as readJournal groups them: what comes before the region cannot change that.
  // Only where an open group starts matters here: the bad lines (and their bytes) are not kept.
  return completeParts(region, [], () => Buffer.alloc(0)).openFrom ?? end;
}

/**
 * The bytes of an open file read from its end backwards, into one buffer that grows (doubling)
 * as far back as is asked: many short lines cost one read each block, not each line.
 */
class BytesFromTheEnd {
  private buffer = Buffer.alloc(0);
  private from: number;

  constructor(
    private readonly fsys: FileSystem,
    private readonly fd: number,
    end: number,
  ) {
    this.from = end;
  }

  /** Where the line holding the byte before `at` begins (0, or just after a newline). */
  lineStartBefore(at: number): number {
    for (;;) {
      const upTo = at - this.from;
      const newline = upTo > 0 ? this.buffer.lastIndexOf(0x0a, upTo - 1) : -1;
      if (newline >= 0) return this.from + newline + 1;
      if (this.from === 0) return 0;
      const from = Math.max(0, this.from - Math.max(64 * 1024, this.buffer.length));
      const block = Buffer.alloc(this.from - from);
      readFully(this.fsys, this.fd, block, from);
      this.buffer = Buffer.concat([block, this.buffer]);
      this.from = from;
    }
  }

  /** Bytes already read (between offsets a lineStartBefore reached and the end). */
  bytes(start: number, end: number): Buffer {
    return this.buffer.subarray(start - this.from, end - this.from);
  }
}

function readFully(fsys: FileSystem, fd: number, into: Buffer, position: number): void {
  if (readAt(fsys, fd, into, position) < into.length) throw Object.assign(new Error('the journal became shorter while it was read'), { code: 'EIO' });
}
