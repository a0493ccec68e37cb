// What a backup's manifest may name, and how a named file is read. A manifest is data on disk
// like any other: someone (or a damaged disk) can put "../../secret/private.jsonl" in it, and
// verify or restore must then never read, or copy into a context, a file outside the backup.
// A backup holds a context file at its top and a journal in its `.history/` (the places
// createBackupUnderLock puts them), so an entry names exactly that: one plain name, or
// `.history/` and one plain name, and the file there must be a regular file, not a link.
// A backup of format 2 keeps its files as pieces in the shared store (backupObjects.ts): an
// entry then lists its pieces by SHA-256, and only 64 hex digits ever become a path.
import fs from 'node:fs';
import path from 'node:path';
import type { FileSystem } from './fileSystem.ts';
import { errnoOf } from './errors.ts';

const HEX64 = /^[0-9a-f]{64}$/;

/** A single file name: no folder part, not `.` or `..`, no control characters, a .jsonl file. */
function isPlainName(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return name.length > '.jsonl'.length && name.length <= 255 && name.endsWith('.jsonl') && !/[/\\\u0000-\u001f]/.test(name) && name !== '.' && name !== '..';
}

/**
 * Why a manifest entry may not be used (undefined when it may). Paths are checked as text,
 * before anything is opened; `validContext` is the context-name rule of dataRoot.ts.
 */
export function entryProblem(entry: unknown, index: number, validContext: (name: string) => boolean): string | undefined {
  const label = `manifest entry ${index + 1}`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return `${label} is not an object`;
  const { path: named, role, context, size, sha256 } = entry as Record<string, unknown>;
  if (typeof named !== 'string') return `${label} has no path`;
  const shown = JSON.stringify(named.slice(0, 200));
  if (role !== 'context' && role !== 'journal') return `${label} (${shown}) has an unknown role ${JSON.stringify(String(role).slice(0, 40))}`;
  // Either separator: a backup made on Windows writes `.history\\…`.
  const parts = named.split(/[\\/]/);
  const plain = role === 'context' ? parts.length === 1 && isPlainName(parts[0] as string) : parts.length === 2 && parts[0] === '.history' && isPlainName(parts[1] as string);
  if (!plain) {
    return `${label} names ${shown}, which is not a plain file inside the backup (a ${role} is ${role === 'context' ? 'a file name' : '.history/ and a file name'}); refused, nothing read from it`;
  }
  if (typeof context !== 'string' || !validContext(context)) return `${label} (${shown}) names no valid context`;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return `${label} (${shown}) has no valid size`;
  if (typeof sha256 !== 'string' || !HEX64.test(sha256)) return `${label} (${shown}) has no valid sha256`;
  const { chunks } = entry as Record<string, unknown>;
  if (chunks !== undefined) return chunksProblem(chunks, size, `${label} (${shown})`);
  return undefined;
}

/** Most pieces one file may have: far more than a 256 MB file makes at the smallest piece size. */
const MAX_CHUNKS = 1_000_000;

/** Why the list of pieces of a format-2 entry may not be used: each a SHA-256 and a size, adding up to the file's size. */
function chunksProblem(chunks: unknown, size: number, label: string): string | undefined {
  if (!Array.isArray(chunks) || chunks.length > MAX_CHUNKS) return `${label} has no valid list of pieces`;
  let total = 0;
  for (const [i, chunk] of chunks.entries()) {
    const { sha256, size: chunkSize } = (typeof chunk === 'object' && chunk !== null ? chunk : {}) as Record<string, unknown>;
    if (typeof sha256 !== 'string' || !HEX64.test(sha256)) return `${label}: piece ${i + 1} has no valid sha256`;
    if (typeof chunkSize !== 'number' || !Number.isSafeInteger(chunkSize) || chunkSize <= 0) return `${label}: piece ${i + 1} has no valid size`;
    total += chunkSize;
  }
  if (total !== size) return `${label}: its pieces add up to ${total} bytes, not ${size}`;
  return undefined;
}

/** The problems of every entry of a manifest's `files` (empty when all may be used). */
export function manifestProblems(files: unknown, validContext: (name: string) => boolean): string[] {
  if (!Array.isArray(files)) return ['the manifest has no list of files'];
  return files.flatMap((entry, index) => entryProblem(entry, index, validContext) ?? []);
}

/**
 * Reads a file of a backup without following a symbolic link at its last step (O_NOFOLLOW),
 * and only if it is a regular file. Undefined when it is missing; a string when it may not be read.
 */
export function readBackupEntry(fsys: FileSystem, backupDir: string, relative: string): Buffer | undefined | string {
  const file = path.join(backupDir, ...relative.split(/[\\/]/));
  const inside = path.relative(backupDir, file);
  if (inside.startsWith('..') || path.isAbsolute(inside)) return `${relative} is outside the backup`;
  let fd: number;
  try {
    fd = fsys.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const errno = errnoOf(error);
    if (errno === 'ENOENT') return undefined;
    if (errno === 'ELOOP') return `${relative} is a symbolic link, not a file of the backup`;
    throw error;
  }
  try {
    const stat = fsys.fstatSync(fd);
    if (!stat.isFile()) return `${relative} is not a regular file`;
    const bytes = Buffer.alloc(stat.size);
    let offset = 0;
    while (offset < bytes.length) {
      const read = fsys.readSync(fd, bytes, offset, bytes.length - offset, offset);
      if (read <= 0) break;
      offset += read;
    }
    return offset === bytes.length ? bytes : bytes.subarray(0, offset);
  } finally {
    fsys.closeSync(fd);
  }
}
