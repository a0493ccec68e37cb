// Splits a file's bytes into lines with their byte offsets. Never throws. The last line may
// lack its newline: peers write files without one, and a crash mid-append leaves one torn;
// the caller decides which of the two it is.
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

export function splitLines(bytes: Uint8Array, from = 0): Line[] {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const allUtf8 = isUtf8(buffer.subarray(from));
  const lines: Line[] = [];
  let start = from;
  while (start < buffer.length) {
    const newline = buffer.indexOf(10, start);
    const end = newline === -1 ? buffer.length : newline;
    const utf8 = allUtf8 || isUtf8(buffer.subarray(start, end));
    lines.push({ start, end, text: buffer.toString('utf8', start, end), utf8, terminated: newline !== -1 });
    start = end + 1;
  }
  return lines;
}
