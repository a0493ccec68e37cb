// Replacing a whole file so that a crash at any moment leaves either the old or the new one:
// write a temporary file beside it (every byte, short writes retried), fsync, read it back and
// check its checksum, then rename over the target and fsync the directory.
// (write-file-atomic 7 ignores a short write and does not fsync the directory, which on a
// nearly full disk replaced a good file with a truncated one; hence this module.)
import path from 'node:path';
import zlib from 'node:zlib';
import type { FileSystem } from './fileSystem.ts';
import { syncDirectory, writeAll } from './fileSystem.ts';
import { monotonicMs } from './monotonicClock.ts';

export interface WrittenFile {
  readonly tmp: string;
  readonly size: number;
  readonly crc: string;
}

let counter = 0;

export function tempPathFor(target: string): string {
  counter += 1;
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${Date.now()}-${counter}`);
}

/** Writes chunks to a new temporary file beside `target`, fsyncs it and verifies it by reading it back. */
export function writeVerifiedTemp(fsys: FileSystem, target: string, chunks: Iterable<string | Uint8Array>): WrittenFile {
  const writing = writeTempSteps(fsys, target, chunks);
  let step = writing.next();
  while (!step.done) step = writing.next();
  const written = step.value;
  try {
    const back = fsys.readFileSync(written.tmp);
    checkReadBack(written, back.length, zlib.crc32(back));
  } catch (error) {
    removeQuietly(fsys, written.tmp);
    throw error;
  }
  return written;
}

/** How a sliced writer lets other work run: `pause()` awaited, then `current()` asked. */
export interface Slicing {
  readonly sliceMs: number;
  /** Lets whatever waits run (a window's request, a commit). */
  pause(): Promise<void>;
  /**
   * Asked right after each pause, in the same turn as the work that follows (any await lets
   * other work in, even a promise's): false gives up, what is being written being stale.
   */
  current(): boolean;
}

/**
 * writeVerifiedTemp a slice at a time: after about `slicing.sliceMs` of writing or reading
 * back it pauses, and gives up, the temporary file removed, when what is being written is no
 * longer current. Undefined when it gave up. The fsync is one call; the file is synced every
 * few MB as it is written, so that the last one has little left to do.
 */
export async function writeVerifiedTempInSlices(fsys: FileSystem, target: string, chunks: Iterable<string | Uint8Array>, slicing: Slicing): Promise<WrittenFile | undefined> {
  // Nothing is awaited but the pauses: between two, nothing else runs on this thread.
  let deadline = monotonicMs() + slicing.sliceMs;
  const writing = writeTempSteps(fsys, target, chunks, SYNC_EVERY_BYTES);
  let step = writing.next();
  while (!step.done) {
    if (monotonicMs() >= deadline) {
      await slicing.pause();
      deadline = monotonicMs() + slicing.sliceMs;
      if (!slicing.current()) {
        // Its `finally` closes the file and removes it.
        writing.return(undefined as never);
        return undefined;
      }
    }
    step = writing.next();
  }
  const written = step.value;
  let kept = false;
  try {
    const fd = fsys.openSync(written.tmp, 'r');
    try {
      const piece = Buffer.allocUnsafe(READ_BACK_BYTES);
      let size = 0;
      let crc = 0;
      for (;;) {
        if (monotonicMs() >= deadline) {
          await slicing.pause();
          deadline = monotonicMs() + slicing.sliceMs;
          if (!slicing.current()) return undefined;
        }
        const read = fsys.readSync(fd, piece, 0, piece.length, size);
        if (read <= 0) break;
        crc = zlib.crc32(piece.subarray(0, read), crc);
        size += read;
      }
      checkReadBack(written, size, crc);
    } finally {
      fsys.closeSync(fd);
    }
    kept = true;
    return written;
  } finally {
    if (!kept) removeQuietly(fsys, written.tmp);
  }
}

/**
 * Writes the chunks to a new temporary file, a step per chunk (the caller may pause between
 * them), then fsyncs and closes it. Ended early (return()) or failing, it removes the file.
 * `syncEvery`: an fdatasync after each so many bytes (the sliced writer's; 0: none).
 */
function* writeTempSteps(fsys: FileSystem, target: string, chunks: Iterable<string | Uint8Array>, syncEvery = 0): Generator<void, WrittenFile> {
  const tmp = tempPathFor(target);
  let size = 0;
  let crc = 0;
  let unsynced = 0;
  let open = false;
  let done = false;
  const fd = fsys.openSync(tmp, 'wx', 0o644);
  open = true;
  try {
    for (const chunk of chunks) {
      const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      writeAll(fsys, fd, data, size);
      crc = zlib.crc32(data, crc);
      size += data.length;
      unsynced += data.length;
      if (syncEvery > 0 && unsynced >= syncEvery) {
        fsys.fdatasyncSync(fd);
        unsynced = 0;
      }
      yield;
    }
    fsys.fsyncSync(fd);
    open = false;
    fsys.closeSync(fd);
    done = true;
  } finally {
    if (!done) {
      try {
        if (open) fsys.closeSync(fd);
      } catch {
        // already closed or unusable; the unlink below is what matters
      }
      removeQuietly(fsys, tmp);
    }
  }
  return { tmp, size, crc: crc.toString(16).padStart(8, '0') };
}

/** Throws (EIO) unless what was read back is what was written. */
function checkReadBack(written: WrittenFile, size: number, crc: number): void {
  const actual = crc.toString(16).padStart(8, '0');
  if (size === written.size && actual === written.crc) return;
  const error = new Error(`verification failed: wrote ${written.size} bytes (crc ${written.crc}), read back ${size} (crc ${actual})`) as NodeJS.ErrnoException;
  error.code = 'EIO';
  throw error;
}

/** The sliced writer syncs the file as it goes, every so many bytes. */
const SYNC_EVERY_BYTES = 16 * 1024 * 1024;
/** The sliced writer reads the file back in pieces this large. */
const READ_BACK_BYTES = 4 * 1024 * 1024;

/**
 * Replaces `target` with a temporary file renamed over it, without fsync: for caches only (the
 * insights rollup, the saved chart list). A power cut may leave the old file, the new one, or a
 * torn one that fails its reader's check; that costs a rebuild, never data. An fsync of each
 * would cost more than the cache saves on a small folder (`tension chart list` at 1k charts).
 */
export function replaceCacheFile(fsys: FileSystem, target: string, chunks: readonly Uint8Array[]): void {
  const tmp = tempPathFor(target);
  const fd = fsys.openSync(tmp, 'wx', 0o644);
  try {
    try {
      for (const chunk of chunks) writeAll(fsys, fd, chunk);
    } finally {
      fsys.closeSync(fd);
    }
    fsys.renameSync(tmp, target);
  } catch (error) {
    removeQuietly(fsys, tmp);
    throw error;
  }
}

export function removeQuietly(fsys: FileSystem, file: string): void {
  try {
    fsys.unlinkSync(file);
  } catch {
    // best effort: a stray temporary file is harmless and is swept on the next open
  }
}

/** Small whole-file replacement (checkpoints, manifests): temp, fsync, verify, rename, fsync dir. */
export function replaceFileAtomically(fsys: FileSystem, target: string, content: string | Uint8Array): void {
  const written = writeVerifiedTemp(fsys, target, [content]);
  try {
    fsys.renameSync(written.tmp, target);
  } catch (error) {
    removeQuietly(fsys, written.tmp);
    throw error;
  }
  syncDirectory(fsys, path.dirname(target));
}
