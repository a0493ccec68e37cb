// Putting a rewritten context file in place so that whatever it replaces is in our hands. A peer
// may rename its version over the file, or write it in place, an instant before our rename; the
// replaced file is kept under `<file>.replaced-<pid>-<size>-<crc>` and compared with what we
// last saw, and if it is another program's version its changes are absorbed before the copy goes.
// - With an atomic exchange (atomicExchange.ts): the temp file is renamed to the keep name,
//   then swapped with the context file; the keep name then holds exactly what was replaced.
// - Without one: a hard link keeps the current file, then the temp file is renamed over it; a
//   peer's rename between those two calls would be lost unseen (the window is two system calls).
// - Without hard links either (FAT, some network mounts): a plain rename.
import path from 'node:path';
import type { FileSystem } from './fileSystem.ts';
import { removeQuietly } from './atomicFile.ts';
import { readStable, statIdentity, type FileIdentity } from './contextFile.ts';

/** Errors of a file system that has no hard links. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);
/** Errors that mean the exchange call is missing or this file system cannot do it. */
const NO_EXCHANGE = new Set(['ENOSYS', 'EINVAL', 'ENOTSUP', 'EOPNOTSUPP']);
/** Folders where the exchange was refused: not tried again by this process. */
const exchangeRefused = new Set<string>();

export type ReplacementPath = 'exchange' | 'link-then-rename' | 'rename';

/** Size and CRC-32 (hex) of the file a rewrite puts in place. */
export interface StagedFile {
  readonly size: number;
  readonly crc: string;
}

/**
 * The name that keeps what a rewrite replaced. With an exchange the rewrite's own file is staged
 * under it first, so a process killed between the two steps leaves either: the name says which
 * (the staged file's size and CRC-32), and the next open judges only what was replaced
 * (contextLoading.ts).
 */
export function keptCopyName(file: string, staged: StagedFile): string {
  const named = `${file}.replaced-${process.pid}-${staged.size}-${staged.crc}`;
  // A name the file system refuses (over 255 bytes) would fail every rewrite: the older name
  // then, whose copy a next open can only keep in .recovery/.
  return Buffer.byteLength(path.basename(named)) > NAME_MAX ? `${file}.replaced-${process.pid}` : named;
}

/** The longest file name (bytes) the file systems we run on take. */
const NAME_MAX = 255;

/**
 * A kept copy's name, read back: its process, and the file that process staged under it
 * (undefined for the name older versions wrote, `<file>.replaced-<pid>`, which does not say).
 */
export function readKeptCopyName(base: string, name: string): { pid: number; staged: StagedFile | undefined } | undefined {
  const prefix = `${base}.replaced-`;
  if (!name.startsWith(prefix)) return undefined;
  const match = /^(\d+)(?:-(\d+)-([0-9a-f]{8}))?$/.exec(name.slice(prefix.length));
  if (!match) return undefined;
  return { pid: Number(match[1]), staged: match[2] === undefined ? undefined : { size: Number(match[2]), crc: match[3] as string } };
}

export interface Swapped {
  /** Where the file we replaced is kept, if it is (removed by the caller once its content is safe). */
  readonly keptAt: string | undefined;
  readonly how: ReplacementPath;
}

/**
 * Puts `tmp` in place of `file`. On failure nothing changed: the context file is as it was and
 * no temporary file is left.
 */
export function swapIntoPlace(fsys: FileSystem, tmp: string, file: string, staged: StagedFile): Swapped {
  const keep = keptCopyName(file, staged);
  removeQuietly(fsys, keep);
  const dir = path.dirname(file);
  if (!exchangeRefused.has(dir)) {
    // Staged under the keep name: a crash from here on leaves it for the next open to move to
    // .recovery/ (after the swap it holds what was replaced).
    try {
      fsys.renameSync(tmp, keep);
    } catch (error) {
      removeQuietly(fsys, tmp);
      throw error;
    }
    try {
      fsys.exchangeSync(keep, file);
      return { keptAt: keep, how: 'exchange' };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code === 'ENOENT' && fsys.existsSync(keep) && !fsys.existsSync(file)) {
        // No context file yet: nothing to replace.
        try {
          fsys.renameSync(keep, file);
        } catch (renameError) {
          removeQuietly(fsys, keep);
          throw renameError;
        }
        return { keptAt: undefined, how: 'rename' };
      }
      if (!NO_EXCHANGE.has(code)) {
        removeQuietly(fsys, keep);
        throw error;
      }
      exchangeRefused.add(dir);
      try {
        fsys.renameSync(keep, tmp);
      } catch (renameError) {
        removeQuietly(fsys, keep);
        throw renameError;
      }
    }
  }
  let kept = false;
  try {
    fsys.linkSync(file, keep);
    kept = true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    // No file yet; or a file system without hard links: the rewrite goes on, only without
    // catching a peer's rename in the last instant.
    if (code !== 'ENOENT' && !NO_HARD_LINKS.has(code)) {
      removeQuietly(fsys, tmp);
      throw error;
    }
  }
  try {
    fsys.renameSync(tmp, file);
  } catch (error) {
    removeQuietly(fsys, tmp);
    if (kept) removeQuietly(fsys, keep);
    throw error;
  }
  return kept ? { keptAt: keep, how: 'link-then-rename' } : { keptAt: undefined, how: 'rename' };
}

/**
 * Whether the file kept at `keptAt` is not, by its identity, the file we last saw: true or false,
 * or undefined when only its content can tell (an identity learned from another process's
 * journal, or timestamps too coarse to trust).
 */
export function keptLooksForeign(fsys: FileSystem, keptAt: string, expected: FileIdentity | undefined, racy: boolean): boolean | undefined {
  const now = statIdentity(fsys, keptAt);
  // A link that stood where the context file belongs: replaced, never read through or put back.
  if (!now || now.link) return false;
  if (expected === undefined) return now.size > 0;
  if (expected.ino === -1n || racy) return undefined;
  // Not the change time: the exchange itself moves it.
  return !(expected.ino === now.ino && expected.size === now.size && expected.mtimeNs === now.mtimeNs);
}

/**
 * Puts the file kept at `keptAt` back in place of ours (an exchange): a peer's version that
 * landed an instant before our rewrite stays what the peers see, with no moment in which its
 * own write has vanished. Returns what came back out: ours, or (if yet another program wrote in
 * between) its version.
 */
export function swapBack(fsys: FileSystem, keptAt: string, file: string, ours: { size: number; crc: string }): ReplacedVersion | undefined {
  fsys.exchangeSync(keptAt, file);
  const back = readStable(fsys, keptAt);
  if (!back || (back.identity.size === ours.size && back.identity.crc === ours.crc)) {
    removeQuietly(fsys, keptAt);
    return undefined;
  }
  return back;
}

export interface ReplacedVersion {
  readonly bytes: Buffer;
  readonly identity: FileIdentity;
  /** It did not settle while read (readStable): its writer may still be writing it. */
  readonly unsettled?: boolean;
}

/**
 * The file kept at `keptAt`, if it is not the one we last saw (`expected`): another program's
 * version that landed just before ours. A peer writing in place may still be writing it (it
 * opened the file before our swap): the read waits for it to settle. `racy`: timestamps too
 * coarse to tell, so the content decides.
 */
export function replacedPeerVersion(fsys: FileSystem, keptAt: string, expected: FileIdentity | undefined, racy: boolean): ReplacedVersion | undefined {
  const now = statIdentity(fsys, keptAt);
  if (!now) return undefined;
  // Not the change time: our own link or rename of the kept file moves it.
  const sameIdentity = expected !== undefined && expected.ino === now.ino && expected.size === now.size && expected.mtimeNs === now.mtimeNs;
  if (sameIdentity && !racy) return undefined;
  const read = readStable(fsys, keptAt);
  if (!read) return undefined;
  if (expected !== undefined && read.identity.size === expected.size && read.identity.crc === expected.crc) return undefined;
  // A file a peer created where there was none, or any other content than ours.
  return read.bytes.length === 0 && expected === undefined ? undefined : read;
}

/**
 * Removes the kept copy, unless it changed after `read` was taken (a peer still writing in place
 * through a descriptor it opened before our swap): then its newer content is returned instead.
 */
export function releaseKept(fsys: FileSystem, keptAt: string, read: ReplacedVersion | undefined): ReplacedVersion | undefined {
  if (read) {
    const now = statIdentity(fsys, keptAt);
    if (now && (now.size !== read.identity.size || now.mtimeNs !== read.identity.mtimeNs || now.ctimeNs !== read.identity.ctimeNs)) {
      const again = readStable(fsys, keptAt);
      if (again && again.identity.crc !== read.identity.crc) return again;
    }
  }
  removeQuietly(fsys, keptAt);
  return undefined;
}
