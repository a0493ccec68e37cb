// Reading a context file (the peers' snapshot) into records, tolerating everything PEERS.md
// lists: `#` comments, `_aim` markers, unknown line types, blank lines, no final newline,
// duplicate lines. Unreadable lines are reported with their byte range, never thrown.
import { runAtOnce, type Steps } from './steppedWork.ts';
import type { FileSystem } from './fileSystem.ts';
import { forEachLine, type Line } from './lineSplitter.ts';
import { progressOfRead, type ReadProgress } from './readProgress.ts';
import { asOpaque, classifyLine, linesJoinedByCarriageReturns, makeRecord, quickRecord, readsIrregularly, trustedRecord, type StoredRecord } from './records.ts';
import { crc32Hex } from './journalFormat.ts';
import { DeferredRecordMap } from './deferredRecordMap.ts';
import { nextOccurrence, repeatsAsOpaque } from './repeatedRecords.ts';

export interface BadLine {
  readonly start: number;
  readonly end: number;
  readonly reason: string;
  /** The line's bytes, kept so recovery can copy them to .recovery/ untouched. */
  readonly bytes: Buffer;
  /** A last line without newline that does not parse: a write in progress or a crash mid-write. */
  readonly torn: boolean;
}

export interface FileIdentity {
  readonly size: number;
  readonly crc: string;
  readonly ino: bigint;
  readonly mtimeNs: bigint;
  /** Change time: moves on every write and on utimes, so a peer restoring the mtime still shows. */
  readonly ctimeNs: bigint;
}

export interface ParsedContextFile extends ParsedRecords {
  readonly identity: FileIdentity | undefined;
  /** The file as read (kept only as long as the caller holds it). */
  readonly bytes: Buffer;
  readonly exists: boolean;
  /** The path is a symbolic link: not read through (its records come from the journal; a rewrite replaces it with the file). */
  readonly link?: boolean;
  /** Another program seemed to be still writing it (readStable): read again later if possible. */
  readonly unsettled?: boolean;
}

/**
 * What is known of bytes that are exactly a file we wrote (its size and CRC-32 match our
 * checkpoint): their lines are read without a full JSON parse. With `irregularLines` (the
 * checkpoint's list of the lines, counted from 0 among the non-blank ones, that quickRecord
 * misreads), every other line is read by quickRecord; without it, by trustedRecord.
 */
export interface TrustedFile {
  readonly irregularLines?: readonly number[];
}

export interface ParsedRecords {
  /** The records in file order (made on demand from `map`). */
  readonly records: StoredRecord[];
  /** The same records by key, in file order (duplicates are opaque lines with their own keys): a DeferredRecordMap. */
  readonly map: Map<string, StoredRecord>;
  readonly bad: BadLine[];
  readonly duplicates: number;
  /** The key of the record read from a last line without its newline, if any. */
  readonly unterminatedKey?: string;
  /**
   * How many lines held several records joined by lone carriage returns (a file saved with old
   * Mac line ends), each read as its records (recordsJoinedByCarriageReturns); absent when none.
   * Such a file's lines are not its records one by one: no checkpoint may vouch for them.
   */
  readonly joinedLines?: number;
}

const BYTE_ORDER_MARK = 0xfeff;

/**
 * True when a parsed file's lines are its records one by one, none damaged: what a checkpoint
 * (or a snapshot line, from which one is written) may vouch for, its lines then read quickly,
 * one record each, by the next open. Not a file with damaged lines, nor one with lines of
 * several records (joinedLines).
 */
export function linesAreItsRecords(file: ParsedRecords): boolean {
  return file.bad.length === 0 && file.joinedLines === undefined;
}

/**
 * Parses a context file's bytes; `trusted`: they are exactly a file we wrote (TrustedFile). The
 * records go into a DeferredRecordMap: no key is hashed into a Map until one is looked up (a
 * first open of a peer's file pays only for finding its repeated records: repeatedRecords.ts).
 */
export function parseContextBytes(bytes: Buffer, trusted: TrustedFile | boolean = false, progress?: ReadProgress): ParsedRecords {
  const chunkDone = progressOfRead(progress, bytes.length);
  if (typeof trusted === 'object' && trusted.irregularLines !== undefined) return parseVouchedBytes(bytes, trusted.irregularLines, chunkDone);
  const records: StoredRecord[] = [];
  const bad: BadLine[] = [];
  const occurrences = new Map<string, number>();
  let unterminated = false;
  let joinedLines = 0;
  // Opaque lines are kept as text, by occurrence; repeated records become such lines below.
  const add = (record: StoredRecord) => records.push(record.kind === 'line' ? asOpaque(record.raw, nextOccurrence(occurrences, record.raw)) : record);
  forEachLine(bytes, (start, end, lineText, utf8, terminated) => {
    const text = withoutByteOrderMark(start, lineText);
    const read = (trusted !== false && utf8 ? trustedRecord(text) : undefined) ?? readInFull(text, utf8, () => badLine(bytes, start, end, terminated), bad);
    if (read === undefined) return;
    if (!Array.isArray(read)) add(read);
    else {
      joinedLines += 1;
      for (const record of read) add(record);
    }
    if (!terminated) unterminated = true;
  }, 0, chunkDone);
  return deferredRecords(records, bad, repeatsAsOpaque(records, occurrences), unterminated, joinedLines);
}

/**
 * A file the checkpoint vouches for, with its list of irregular lines: every other line is read
 * by quickRecord, and the records go into a DeferredRecordMap (no key hashed until one is
 * looked up). Its quick lines are records our rewrite wrote, one line each; only a line read in
 * full can repeat a record (another program wrote it twice), so only those keys are looked for
 * among the rest, and a later line of such a record becomes the opaque line a full parse makes.
 */
function parseVouchedBytes(bytes: Buffer, irregular: readonly number[], chunkDone?: (end: number) => void): ParsedRecords {
  const records: StoredRecord[] = [];
  const bad: BadLine[] = [];
  const occurrences = new Map<string, number>();
  let fullyReadKeys: Set<string> | undefined;
  let unterminated = false;
  let joinedLines = 0;
  const addReadInFull = (record: StoredRecord) => {
    if (record.kind === 'line') records.push(asOpaque(record.raw, nextOccurrence(occurrences, record.raw)));
    else {
      (fullyReadKeys ??= new Set()).add(record.key);
      records.push(record);
    }
  };
  // The next irregular line's place in `irregular`, and the non-blank line being read.
  let nextIrregular = 0;
  let line = -1;
  forEachLine(bytes, (start, end, lineText, utf8, terminated) => {
    const text = withoutByteOrderMark(start, lineText);
    let record: StoredRecord | undefined;
    // Counted as the records are (a blank line is none); ours start with `{`.
    if (utf8 && (text.charCodeAt(0) === 123 || text.trim() !== '')) {
      line += 1;
      if (irregular[nextIrregular] === line) nextIrregular += 1;
      else record = quickRecord(text);
    }
    if (record) records.push(record);
    else {
      const read = (utf8 ? trustedRecord(text) : undefined) ?? readInFull(text, utf8, () => badLine(bytes, start, end, terminated), bad);
      if (read === undefined) return;
      if (!Array.isArray(read)) addReadInFull(read);
      else {
        joinedLines += 1;
        for (const one of read) addReadInFull(one);
      }
    }
    if (!terminated) unterminated = true;
  }, 0, chunkDone);
  const duplicates = fullyReadKeys === undefined ? 0 : repeatsAsOpaque(records, occurrences, fullyReadKeys);
  return deferredRecords(records, bad, duplicates, unterminated, joinedLines);
}

/** The parse's answer: `records` (in file order, repeats already opaque lines) in a DeferredRecordMap. */
function deferredRecords(records: StoredRecord[], bad: BadLine[], duplicates: number, unterminated: boolean, joinedLines: number): ParsedRecords {
  const map = new DeferredRecordMap(records);
  const last = records[records.length - 1];
  return {
    map,
    bad,
    duplicates,
    ...(joinedLines > 0 ? { joinedLines } : {}),
    ...(unterminated && last !== undefined ? { unterminatedKey: last.key } : {}),
    get records() {
      return [...map.values()];
    },
  };
}

/**
 * A byte order mark opens files some editors save (Windows Notepad): it is not part of the
 * first line's JSON, which would otherwise be damaged and moved aside by the next rewrite.
 * Only before a `{`: no record's line starts with the mark then, so none we write loses it.
 */
function withoutByteOrderMark(start: number, text: string): string {
  return start === 0 && text.charCodeAt(0) === BYTE_ORDER_MARK && text.charCodeAt(1) === 123 ? text.slice(1) : text;
}

/**
 * One line of a context file (lineSplitter's Line, over `bytes`) read as an open of a file we
 * did not write reads it: with a full JSON parse. Its records (an opaque line for anything but
 * an entity or relation; several for records joined by lone carriage returns), none for a
 * blank line or a damaged one (added to `bad`).
 */
export function readLineRecords(bytes: Buffer, line: Line, bad: BadLine[]): StoredRecord[] {
  const read = readInFull(withoutByteOrderMark(line.start, line.text), line.utf8, () => badLine(bytes, line.start, line.end, line.terminated), bad);
  return read === undefined ? [] : Array.isArray(read) ? read : [read];
}

/**
 * A line read with a full JSON parse: its record; undefined for a blank line or a damaged one
 * (added to `bad`). A line damaged as a whole that is several records joined by lone carriage
 * returns (old Mac line ends: linesJoinedByCarriageReturns) is those records, an array: read as
 * one damaged line, the next write moved it aside to .recovery/, taking every record out of the file.
 */
function readInFull(text: string, utf8: boolean, where: () => Omit<BadLine, 'reason'>, bad: BadLine[]): StoredRecord | StoredRecord[] | undefined {
  const verdict = utf8 ? classifyLine(text) : ({ ok: false, reason: 'invalid UTF-8' } as const);
  if (verdict.ok) return verdict.kind === 'blank' ? undefined : makeRecord(text, verdict.fields);
  const joined = utf8 ? linesJoinedByCarriageReturns(text) : undefined;
  if (joined) return joined.map((part) => makeRecord(part.text, part.verdict.fields));
  bad.push({ ...where(), reason: verdict.reason });
  return undefined;
}

function badLine(bytes: Buffer, start: number, end: number, terminated: boolean): Omit<BadLine, 'reason'> {
  return { start, end, bytes: Buffer.from(bytes.subarray(start, terminated ? end + 1 : end)), torn: !terminated };
}

export function statIdentity(fsys: FileSystem, path: string): { size: number; ino: bigint; mtimeNs: bigint; ctimeNs: bigint; link?: true } | undefined {
  try {
    // The seam's stat looks at a link itself, never at what it points to (fileSystem.ts).
    const stat = fsys.statSync(path, { bigint: true });
    return { size: Number(stat.size), ino: stat.ino, mtimeNs: stat.mtimeNs, ctimeNs: stat.ctimeNs, ...(stat.isSymbolicLink() ? { link: true as const } : {}) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Whether a file's stat figures are those seen before (inode, size, modification and change
 * times): what says a file held in memory is still the one on disk, short of reading it again.
 */
export function sameStat(known: Pick<FileIdentity, 'ino' | 'size' | 'mtimeNs' | 'ctimeNs'>, now: { readonly ino: bigint; readonly size: number; readonly mtimeNs: bigint; readonly ctimeNs: bigint }): boolean {
  return known.ino === now.ino && known.size === now.size && known.mtimeNs === now.mtimeNs && known.ctimeNs === now.ctimeNs;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * How long an emptied context file is taken for a peer mid-way through rewriting it in place
 * (truncated, not yet written). On a busy machine that gap outlasts the read's retries; taken
 * as a version, the empty file would make the versions written just before it look late.
 */
export const EMPTY_SETTLE_MS = 2_000;

/**
 * Reads a file that a peer may be rewriting in place (truncate, then write): the read is
 * retried until the file's size and mtime are the same before and after, and an empty or
 * torn file (or one of a whole number of pages: endsOnPageBoundary) that was modified a moment
 * ago is given a moment to finish. `unsettled`: it did not settle in that time (still changing,
 * just emptied, or cut short a moment ago); a caller that can come back later reads it again then.
 */
export function readStable(fsys: FileSystem, path: string, attempts = 6): { bytes: Buffer; identity: FileIdentity; unsettled?: boolean } | undefined {
  for (let attempt = 1; ; attempt += 1) {
    const before = statIdentity(fsys, path);
    // A link is not read through: there is no file of ours here.
    if (!before || before.link) return undefined;
    let bytes: Buffer;
    try {
      bytes = fsys.readFileSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ELOOP') return undefined;
      throw error;
    }
    const after = statIdentity(fsys, path);
    const steady =
      after !== undefined && after.size === before.size && after.mtimeNs === before.mtimeNs && after.ino === before.ino &&
      after.size === bytes.length;
    const age = after === undefined ? 0 : Date.now() - Number(after.mtimeNs / 1_000_000n);
    const recentlyModified = age < 200;
    const looksUnfinished = bytes.length === 0 || !endsWithCompleteLine(bytes) || endsOnPageBoundary(bytes.length);
    if (attempt < attempts && (!steady || (recentlyModified && looksUnfinished))) {
      sleep(15 * attempt);
      continue;
    }
    const stat = after ?? before;
    const unsettled = !steady || (looksUnfinished && (recentlyModified || (bytes.length === 0 && age < EMPTY_SETTLE_MS)));
    return { bytes, identity: { size: bytes.length, crc: crc32Hex(bytes), ino: stat.ino, mtimeNs: stat.mtimeNs, ctimeNs: stat.ctimeNs }, ...(unsettled ? { unsettled } : {}) };
  }
}

/**
 * A page's size: a peer that rewrites the file in place (truncate, then write) is seen mid-write
 * with a size that is a whole number of pages (the kernel copies a write page by page; Node's
 * writeFile writes 512 KiB at a time). Such a cut can end exactly at a line's end, and looks
 * complete: the peers write no final newline. Taken as a version, everything after the cut
 * would be taken as deleted (the races journaled 450-670 of coaia-narrative's relations as
 * deleted, in 4 of 12 runs of race d). A just-modified file of a whole number of pages is read
 * again a moment later; one that stays so is taken once it is no longer just modified.
 */
export const PAGE_BYTES = 4096;

export function endsOnPageBoundary(size: number): boolean {
  return size > 0 && size % PAGE_BYTES === 0;
}

/** True when the file ends in a newline, or its last line is complete JSON (peers omit the final newline). */
function endsWithCompleteLine(bytes: Buffer): boolean {
  if (bytes[bytes.length - 1] === 10) return true;
  const lastNewline = bytes.lastIndexOf(10);
  const last = bytes.toString('utf8', lastNewline + 1).trim();
  if (last.startsWith('#')) return true;
  try {
    JSON.parse(last);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads and parses a context file; `trust` says whether bytes with this identity are known good
 * (TrustedFile); `progress` is told how far the parse of a large file has gone (readProgress.ts).
 */
export function readContextFile(fsys: FileSystem, path: string, trust: (identity: FileIdentity) => TrustedFile | boolean = () => false, progress?: ReadProgress): ParsedContextFile {
  const read = readStable(fsys, path);
  if (!read) {
    const link = statIdentity(fsys, path)?.link === true;
    return { records: [], map: new Map(), bad: [], duplicates: 0, identity: undefined, bytes: Buffer.alloc(0), exists: false, ...(link ? { link } : {}) };
  }
  return parseReadFile(read, trust(read.identity), progress);
}

/** A file read by readStable, parsed (for a caller that looked at its size and CRC first). */
export function parseReadFile(read: { bytes: Buffer; identity: FileIdentity; unsettled?: boolean }, trusted: TrustedFile | boolean = false, progress?: ReadProgress): ParsedContextFile {
  const parsed = parseContextBytes(read.bytes, trusted, progress);
  return {
    map: parsed.map,
    bad: parsed.bad,
    duplicates: parsed.duplicates,
    ...(parsed.unterminatedKey === undefined ? {} : { unterminatedKey: parsed.unterminatedKey }),
    ...(parsed.joinedLines === undefined ? {} : { joinedLines: parsed.joinedLines }),
    get records() {
      return parsed.records;
    },
    identity: read.identity,
    bytes: read.bytes,
    exists: true,
    ...(read.unsettled ? { unsettled: true } : {}),
  };
}

/**
 * The file's text, one line per record, in chunks of about 1 MB. `irregularLines`, when given,
 * gets the lines quickRecord would misread (TrustedFile), for the checkpoint of this file, as
 * `reads` tells (readsIrregularly, or what a context remembers of it: IrregularRecords).
 */
export function serializeRecords(records: Iterable<StoredRecord>, irregularLines?: number[], reads: (record: StoredRecord) => boolean = readsIrregularly): string[] {
  return [...serializedChunks(records, irregularLines, reads)];
}

/** serializeRecords one chunk (about 1 MB) at a time, as the records are read. */
export function* serializedChunks(records: Iterable<StoredRecord>, irregularLines?: number[], reads: (record: StoredRecord) => boolean = readsIrregularly): Generator<string> {
  let chunk = '';
  let line = 0;
  for (const record of records) {
    if (irregularLines && reads(record)) irregularLines.push(line);
    line += 1;
    chunk += `${record.raw}\n`;
    if (chunk.length > 1 << 20) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** The lines of a file holding these records, in this order, that quickRecord would misread (TrustedFile). */
export function irregularLinesOf(records: Iterable<StoredRecord>): number[] {
  return runAtOnce(irregularLineSteps(records));
}

/** irregularLinesOf a step at a time (a journal's start before the lock: 1.3 s in one piece at 100k charts). */
export function* irregularLineSteps(records: Iterable<StoredRecord>): Steps<number[]> {
  const lines: number[] = [];
  let line = 0;
  for (const record of records) {
    if (readsIrregularly(record)) lines.push(line);
    line += 1;
    if (line % 2000 === 0) yield;
  }
  return lines;
}
