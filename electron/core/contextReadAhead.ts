// A context file read before the data folder's lock is taken, by a process about to write to
// it (the CLI). At 100k charts the read and parse of the file, its key map and the state's own
// copy of that map were 4.5 s of a CLI write's 7.5 s, all under the lock, every other process
// (the app's window, an MCP server) waiting for it meanwhile. Read ahead, the load under the lock
// takes them as they are if the file is still the one read: the same stat identity (inode, size,
// modification and change times) that a refresh trusts to say a file it holds has not changed
// (peerVersionIntake.ts, checkFile); otherwise the file is read again there, as before.
// Our own processes replace the file only by renaming a whole new one over it, so a read without
// the lock sees one whole version; a peer writing in place may be caught mid-write, which the
// read tells (unsettled), and such a read is not used.
import { readCheckpoint, trustedAs } from './checkpointFile.ts';
import { readContextFile, sameStat, statIdentity, type ParsedContextFile } from './contextFile.ts';
import type { ContextPaths } from './dataRoot.ts';
import { DeferredRecordMap } from './deferredRecordMap.ts';
import type { FileSystem } from './fileSystem.ts';
import type { ReadProgress } from './readProgress.ts';
import type { StoredRecord } from './records.ts';

export interface ReadAheadFile {
  readonly file: ParsedContextFile;
  /** When it was read (ms since the epoch). */
  readonly readAt: number;
}

/**
 * A copy of a read-ahead file's map, made with it: the state adopting the file owns it at once,
 * where it would copy the map before its first change (RecordSet.adopt).
 */
const stateCopies = new WeakMap<ParsedContextFile, Map<string, StoredRecord>>();

/** The copy of `file.map` made when it was read ahead, if it was. */
export function stateCopyOf(file: ParsedContextFile): Map<string, StoredRecord> | undefined {
  return stateCopies.get(file);
}

/**
 * Reads and parses a context file without the lock; undefined when there is nothing worth
 * keeping. `readyForChange`: its key map is built and the state's copy made too (the CLI, which
 * changes it next); without, the app readies them a slice at a time after the open (searchWarmUp.ts).
 */
export function readFileAhead(fsys: FileSystem, paths: ContextPaths, options: { readonly progress?: ReadProgress; readonly readyForChange?: boolean } = {}): ReadAheadFile | undefined {
  // The checkpoint only says how to parse (a file that is exactly our last rewrite is read
  // without a full JSON parse of each line): its size and CRC are compared with the bytes read.
  const checkpoint = readCheckpoint(fsys, paths.checkpoint);
  const readAt = Date.now();
  const file = readContextFile(fsys, paths.file, (identity) => trustedAs(checkpoint, identity), options.progress);
  if (!file.exists || file.link || file.unsettled || file.identity === undefined) return undefined;
  if (options.readyForChange !== false) {
    if (file.map instanceof DeferredRecordMap) file.map.build();
    stateCopies.set(file, new Map(file.map));
  }
  return { file, readAt };
}

/**
 * How long before the read a file's last change must be for its stat figures to tell a later
 * same-size write in place: the kernel stamps times from a clock that moves in ticks of a few
 * milliseconds (up to 10), and on a file system that keeps whole seconds only, in seconds (the
 * rule a refresh follows there: racilyClean). A file changed more recently is read again.
 */
const TICK_MARGIN_MS = 50;
const WHOLE_SECOND_MARGIN_MS = 2_000;

/**
 * The file read ahead, if the context file on disk is still that very file (under the lock);
 * undefined otherwise, and when it had changed too shortly before it was read (the margins above).
 */
export function stillTheFileReadAhead(fsys: FileSystem, paths: ContextPaths, ahead: ReadAheadFile): ParsedContextFile | undefined {
  const was = ahead.file.identity;
  if (was === undefined) return undefined;
  const now = statIdentity(fsys, paths.file);
  if (now === undefined || now.link === true) return undefined;
  if (!sameStat(was, now)) return undefined;
  const wholeSeconds = was.mtimeNs % 1_000_000_000n === 0n;
  if (ahead.readAt - Number(was.mtimeNs / 1_000_000n) < (wholeSeconds ? WHOLE_SECOND_MARGIN_MS : TICK_MARGIN_MS)) return undefined;
  return ahead.file;
}
