// Replacing a whole file so that a crash at any moment leaves either the old or the new one:
// write a temporary file beside it (every byte, short writes retried), fsync, read it back and
// check its checksum, then rename over the target and fsync the directory.
// (write-file-atomic 7 ignores a short write and does not fsync the directory, which on a
// nearly full disk replaced a good file with a truncated one; hence this module.)
import path from 'node:path';
import zlib from 'node:zlib';
import type { FileSystem } from './fileSystem.ts';
import { syncDirectory, writeAll } from './fileSystem.ts';

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
  const tmp = tempPathFor(target);
  let size = 0;
  let crc = 0;
  const fd = fsys.openSync(tmp, 'wx', 0o644);
  try {
    for (const chunk of chunks) {
      const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      writeAll(fsys, fd, data, size);
      crc = zlib.crc32(data, crc);
      size += data.length;
    }
    fsys.fsyncSync(fd);
    fsys.closeSync(fd);
  } catch (error) {
    try {
      fsys.closeSync(fd);
    } catch {
      // already closed or unusable; the unlink below is what matters
    }
    removeQuietly(fsys, tmp);
    throw error;
  }
  const expected = crc.toString(16).padStart(8, '0');
  try {
    const back = fsys.readFileSync(tmp);
    const actual = zlib.crc32(back).toString(16).padStart(8, '0');
    if (back.length !== size || actual !== expected) {
      const error = new Error(`verification failed: wrote ${size} bytes (crc ${expected}), read back ${back.length} (crc ${actual})`) as NodeJS.ErrnoException;
      error.code = 'EIO';
      throw error;
    }
  } catch (error) {
    removeQuietly(fsys, tmp);
    throw error;
  }
  return { tmp, size, crc: expected };
}

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
