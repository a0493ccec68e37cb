// Reading a large file a piece at a time between the steps of sliced work (steppedWork.ts): the
// check of the data reads a 250 MB context file and a 300 MB journal at 100k charts, and read
// in one call each (with the journal's buffer zero-filled first) they held the engine's thread
// for 0.4-0.8 s at a time, every window's request waiting behind them.
import { readAt, type FileSystem } from './fileSystem.ts';
import type { Steps } from './steppedWork.ts';

/** Bytes read between two steps. */
const READ_STEP = 8 * 1024 * 1024;

/** readAt a piece per step: into `into` from `position` until it is full or the file ends; how many bytes were read. */
export function* readAtInSteps(fsys: FileSystem, fd: number, into: Uint8Array, position: number): Steps<number> {
  let read = 0;
  while (read < into.length) {
    const piece = into.subarray(read, Math.min(into.length, read + READ_STEP));
    const n = readAt(fsys, fd, piece, position + read);
    read += n;
    if (n < piece.length) break;
    if (read < into.length) yield;
  }
  return read;
}

/** A whole file read a piece per step, as readFileIfExists reads it at once: undefined when there is none. */
export function* readFileInSteps(fsys: FileSystem, file: string): Steps<Buffer | undefined> {
  let fd: number;
  try {
    fd = fsys.openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    // Not zero-filled: every byte kept is read into it (the part past a short read is cut off).
    const bytes = Buffer.allocUnsafe(fsys.fstatSync(fd).size);
    const read = yield* readAtInSteps(fsys, fd, bytes, 0);
    return read === bytes.length ? bytes : bytes.subarray(0, read);
  } finally {
    fsys.closeSync(fd);
  }
}
