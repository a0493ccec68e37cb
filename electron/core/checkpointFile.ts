// The checkpoint (docs/FORMAT.md, "Checkpoint"): a cache that lets an open read the context file
// without replaying the whole journal when the file is exactly our last rewrite. Anything
// unexpected in it only means the slow, full open; it is never trusted for data.
import type { FileSystem } from './fileSystem.ts';
import { readFileIfExists } from './fileSystem.ts';
import { removeQuietly, replaceFileAtomically } from './atomicFile.ts';
import { JOURNAL_FORMAT } from './journalFormat.ts';
import type { SavedVersions } from './fileVersions.ts';
import type { FileIdentity, TrustedFile } from './contextFile.ts';

export interface Checkpoint {
  format: number;
  journalIno: string;
  journalOffset: number;
  seq: number;
  size: number;
  crc: string;
  /** [op, seq, tx] or [op, seq, tx, what the op was given for]. */
  ops: ([string, number, string] | [string, number, string, string])[];
  /** The known versions of the file up to `seq` (fileVersions.ts), so a fast open need not replay the journal to judge a peer. */
  versions?: SavedVersions;
  /**
   * The file's lines (counted from 0) that quickRecord misreads, ascending: every other line is
   * read by it (TrustedFile). Absent (a checkpoint of an earlier version, or one that is not a
   * list of ascending line numbers): the file's lines are read by trustedRecord.
   */
  irregularLines?: number[];
}

/**
 * Removes the checkpoint (a cache: the next rewrite writes it again). A folder in its place is
 * renamed aside, never deleted (it is not ours to delete), and so no longer stops `recover`.
 */
export function removeCheckpoint(fsys: FileSystem, file: string): void {
  try {
    fsys.rmSync(file, { recursive: false, force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ERR_FS_EISDIR' && code !== 'EISDIR') throw error;
    fsys.renameSync(file, `${file}.a-folder-set-aside-${Date.now()}`);
  }
}

export function readCheckpoint(fsys: FileSystem, file: string): Checkpoint | undefined {
  let buffer: Buffer | undefined;
  try {
    buffer = readFileIfExists(fsys, file);
  } catch (error) {
    // A cache: one that cannot be read as a file (a folder in its place) is as none, and the next
    // checkpoint replaces it. Every command, `recover` too, stopped on EISDIR (found by review).
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
    throw error;
  }
  if (!buffer) return undefined;
  try {
    const c = JSON.parse(buffer.toString('utf8')) as Partial<Checkpoint>;
    const valid =
      c.format === JOURNAL_FORMAT &&
      typeof c.journalIno === 'string' &&
      Number.isSafeInteger(c.journalOffset) &&
      Number.isSafeInteger(c.seq) &&
      Number.isSafeInteger(c.size) &&
      typeof c.crc === 'string' &&
      Array.isArray(c.ops) &&
      c.ops.every((o) => Array.isArray(o) && typeof o[0] === 'string' && Number.isSafeInteger(o[1]) && typeof o[2] === 'string' && (o.length === 3 || (o.length === 4 && typeof o[3] === 'string')));
    if (!valid) return undefined;
    if (c.irregularLines !== undefined && !ascendingLineNumbers(c.irregularLines)) delete c.irregularLines;
    return c as Checkpoint;
  } catch {
    return undefined;
  }
}

function ascendingLineNumbers(list: unknown): boolean {
  if (!Array.isArray(list)) return false;
  let previous = -1;
  for (const line of list) {
    if (!Number.isSafeInteger(line) || (line as number) <= previous) return false;
    previous = line as number;
  }
  return true;
}

/** Writes the checkpoint atomically; on failure removes it (only the next open's speed depends on it). */
export function writeCheckpoint(fsys: FileSystem, file: string, checkpoint: Omit<Checkpoint, 'format'>): void {
  try {
    replaceFileAtomically(fsys, file, JSON.stringify({ format: JOURNAL_FORMAT, ...checkpoint }));
  } catch {
    removeQuietly(fsys, file);
  }
}

/**
 * A file that is exactly our last rewrite (size and CRC-32 as checkpointed) is read without
 * parsing every line as JSON, by the checkpoint's list of the lines to read in full when it has
 * one (TrustedFile); anything else is parsed in full.
 */
export function trustedAs(checkpoint: Checkpoint | undefined, identity: FileIdentity): TrustedFile | false {
  if (checkpoint?.size !== identity.size || checkpoint.crc !== identity.crc) return false;
  return checkpoint.irregularLines === undefined ? {} : { irregularLines: checkpoint.irregularLines };
}
