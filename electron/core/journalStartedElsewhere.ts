// A context opened from a file with no journal yet (a peer's file: the journal is started by
// this process's first write or its scheduled rewrite, journalPending) whose journal another
// process started meanwhile: the CLI's first write, an MCP server's. A journal start is a
// header, the file as found as its first commit, and a snapshot line naming that file by size
// and CRC-32 (contextCommit.ts, journalStartSteps). When that line names the very file this
// process read and holds (nothing changed since: the journal would have been started by it),
// the state at the snapshot is this state, and only what follows the line is read: at 100k
// charts the start is 300 MB, and reloading the context (the file read again, that commit
// replayed, the chart list made anew) took 5-12 s before a window saw the other process's
// change. Anything else (another version of the file named, lines that are not a journal
// start's) answers false, and the caller loads the context afresh as before.
import { readAt, type FileSystem } from './fileSystem.ts';
import { decodeJournalLine, JOURNAL_FORMAT, type JournalSnapshot } from './journalFormat.ts';
import { readJournal } from './journalFile.ts';
import { applyJournalRead } from './journalReplay.ts';
import type { ContextMemory } from './contextMemory.ts';

/** Bytes read at a time while looking for the end of the journal start. */
const BLOCK = 4 * 1024 * 1024;
/** A header or snapshot line is far shorter than this (a longer one is not a journal start's). */
const SHORT_LINE = 64 * 1024;
const SNAPSHOT_LINE_START = Buffer.from('{"kind":"snapshot"');

/** Takes in a journal another process started from the file this store holds; false (nothing changed) when it is not that. */
export function adoptJournalStartedElsewhere(m: ContextMemory, journalIno: bigint): boolean {
  const held = m.fileIdentity;
  if (!m.journalPending || held === undefined) return false;
  const start = journalStartOf(m.fs, m.paths.journal);
  if (start === undefined || start.ino !== journalIno) return false;
  if (start.snapshot.fileSize !== held.size || start.snapshot.fileCrc !== held.crc) return false;
  m.pendingBaseline = undefined;
  m.journalStartUnderWay = undefined;
  m.journalIno = journalIno;
  m.seq = start.snapshot.seq;
  m.journalOffset = start.end;
  applyJournalRead(m, readJournal(m.fs, m.paths.journal, start.end));
  return true;
}

export interface JournalStart {
  readonly ino: bigint;
  /** The snapshot line that ends the start. */
  readonly snapshot: JournalSnapshot;
  /** Journal offset just past it. */
  readonly end: number;
}

/**
 * The snapshot line ending a journal's start, found without reading the commit before it: a
 * header of a format this version writes, then lines that each hold one part of the first
 * commit (seqs 1 to n, one per line: the line count is checked, their content is not needed),
 * then the first line that is a snapshot, seq n + 1. Undefined for anything else. Read
 * `blockBytes` at a time (smaller in tests: lines across blocks, longer than a block).
 */
export function journalStartOf(fsys: FileSystem, file: string, blockBytes = BLOCK): JournalStart | undefined {
  let fd: number;
  try {
    fd = fsys.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const stat = fsys.fstatSync(fd);
    const size = stat.size;
    const headerLine = lineAt(fsys, fd, 0, size);
    if (headerLine === undefined) return undefined;
    const header = decodeJournalLine(headerLine.text);
    if (!header.ok || header.entry.kind !== 'header' || header.entry.format > JOURNAL_FORMAT) return undefined;
    let lines = 0;
    let at = headerLine.end;
    // At least a snapshot line's opening: a line's start is looked at within one block.
    const block = Buffer.alloc(Math.max(blockBytes, SNAPSHOT_LINE_START.length));
    while (at < size) {
      const read = readAt(fsys, fd, block.subarray(0, Math.min(block.length, size - at)), at);
      if (read === 0) return undefined;
      // Each line begins at `at`: is it the snapshot?
      let lineStart = 0;
      for (;;) {
        if (lineStart + SNAPSHOT_LINE_START.length > read) break; // the start of this line is in the next block
        if (block.subarray(lineStart, lineStart + SNAPSHOT_LINE_START.length).equals(SNAPSHOT_LINE_START)) {
          const line = lineAt(fsys, fd, at + lineStart, size);
          if (line === undefined) return undefined;
          const snapshot = decodeJournalLine(line.text);
          if (!snapshot.ok || snapshot.entry.kind !== 'snapshot' || snapshot.entry.seq !== lines + 1) return undefined;
          return { ino: BigInt(stat.ino), snapshot: snapshot.entry, end: line.end };
        }
        const newline = block.indexOf(10, lineStart);
        if (newline === -1 || newline >= read) break;
        lines += 1;
        lineStart = newline + 1;
      }
      if (lineStart === 0) {
        // A line longer than a block: go on looking for its end.
        const newline = nextNewline(fsys, fd, at + read, size, block);
        if (newline === undefined) return undefined;
        lines += 1;
        at = newline + 1;
      } else at += lineStart;
    }
    return undefined;
  } finally {
    fsys.closeSync(fd);
  }
}

/** The whole line starting at `start` (shorter than SHORT_LINE, newline-terminated), as text. */
function lineAt(fsys: FileSystem, fd: number, start: number, size: number): { text: string; end: number } | undefined {
  const bytes = Buffer.alloc(Math.min(SHORT_LINE, size - start));
  const read = readAt(fsys, fd, bytes, start);
  const newline = bytes.subarray(0, read).indexOf(10);
  if (newline === -1) return undefined;
  return { text: bytes.subarray(0, newline).toString('utf8'), end: start + newline + 1 };
}

/** Offset of the first newline at or after `from`, reading `block` at a time. */
function nextNewline(fsys: FileSystem, fd: number, from: number, size: number, block: Buffer): number | undefined {
  for (let at = from; at < size; ) {
    const read = readAt(fsys, fd, block.subarray(0, Math.min(block.length, size - at)), at);
    if (read === 0) return undefined;
    const newline = block.subarray(0, read).indexOf(10);
    if (newline !== -1) return at + newline;
    at += read;
  }
  return undefined;
}
