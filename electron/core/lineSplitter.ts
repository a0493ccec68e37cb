// Splits a file's bytes into lines with their byte offsets. Never throws. The last line may
// lack its newline: peers write files without one, and a crash mid-append leaves one torn;
// the caller decides which of the two it is.
//
// Speed: the bytes are decoded a chunk (~1 MB, cut at a newline) at a time and split as a
// string, so lines are slices of the chunk's text rather than one decode each; a chunk holding
// bytes that are not UTF-8 falls back to decoding line by line, so only its bad lines are bad.
// Chunks keep a non-Latin-1 character from doubling the memory of the whole file's text.
import { isUtf8 } from 'node:buffer';

export interface Line {
  /** Byte offset of the line's first byte. */
  readonly start: number;
  /** Byte offset just past the line's last byte (the newline not included). */
  readonly end: number;
  readonly text: string;
  /** False when the bytes are not valid UTF-8 (a decoded text would silently differ). */
  readonly utf8: boolean;
  /** False only for the last line when the file does not end with a newline. */
  readonly terminated: boolean;
}

const CHUNK = 1 << 20;

export function splitLines(bytes: Uint8Array, from = 0): Line[] {
  const lines: Line[] = [];
  forEachLine(bytes, (start, end, text, utf8, terminated) => lines.push({ start, end, text, utf8, terminated }), from);
  return lines;
}

/**
 * The same lines as splitLines, a chunk of about `chunkBytes` at a time (cut just after a
 * newline), for work done a slice at a time: each chunk is a step, and the whole file's lines are
 * never held at once.
 */
export function* lineChunks(bytes: Uint8Array, from = 0, chunkBytes = 256 * 1024): Generator<Line[], void, void> {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = from; at < buffer.length; ) {
    const end = chunkEnd(buffer, at, chunkBytes);
    // Split within the bytes up to the cut: a line that ends there ends with its newline.
    yield splitLines(buffer.subarray(0, end), at);
    at = end;
  }
}

/** Where a chunk of about `size` bytes from `start` ends: just after a newline, or at the end of the bytes. */
function chunkEnd(buffer: Buffer, start: number, size: number): number {
  const end = Math.min(start + size, buffer.length);
  if (end === buffer.length) return end;
  const newline = buffer.indexOf(10, end - 1);
  return newline === -1 ? buffer.length : newline + 1;
}

type LineVisitor = (start: number, end: number, text: string, utf8: boolean, terminated: boolean) => void;

/** The same lines as splitLines, handed to `visit` one by one (no array of line objects); `chunkDone` is told where each chunk of about 1 MB ended. */
export function forEachLine(bytes: Uint8Array, visit: LineVisitor, from = 0, chunkDone?: (end: number) => void): void {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let chunkStart = from;
  while (chunkStart < buffer.length) {
    const end = chunkEnd(buffer, chunkStart, CHUNK);
    const chunk = buffer.subarray(chunkStart, end);
    if (isUtf8(chunk)) splitDecodedChunk(chunk, chunkStart, visit);
    else splitLineByLine(buffer, chunkStart, end, visit);
    chunkStart = end;
    chunkDone?.(end);
  }
}

function splitDecodedChunk(chunk: Buffer, base: number, visit: LineVisitor): void {
  const text = chunk.toString('utf8');
  const parts = text.split('\n');
  // Byte offsets equal character offsets while the text is ASCII; otherwise they are counted.
  const ascii = text.length === chunk.length;
  let offset = base;
  const count = parts.length;
  for (let i = 0; i < count; i += 1) {
    const part = parts[i] as string;
    const isLast = i === count - 1;
    if (isLast && part === '') return; // the chunk ended with a newline
    const length = ascii ? part.length : Buffer.byteLength(part, 'utf8');
    visit(offset, offset + length, part, true, !isLast);
    offset += length + 1;
  }
}

function splitLineByLine(buffer: Buffer, from: number, to: number, visit: LineVisitor): void {
  let start = from;
  while (start < to) {
    const newline = buffer.indexOf(10, start);
    const end = newline === -1 || newline >= to ? to : newline;
    const terminated = end < buffer.length && buffer[end] === 10;
    visit(start, end, buffer.toString('utf8', start, end), isUtf8(buffer.subarray(start, end)), terminated);
    start = end + 1;
  }
}
