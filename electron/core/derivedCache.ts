// A cache file beside a context's journal for what is derived from all of its records (the
// chart list's summaries), made for one exact content of the context file and read back only
// while the state is exactly that content again. Like the checkpoint it is never trusted for
// data: a cache of another content, of another format or unreadable is ignored and made anew.
//
// Why: at 100k charts the chart list's first pass over 1.3M records takes about 3 s, and the
// app made it at every start. The context file rarely changes between the app's close and its
// next start, so the list the close saw is the list the start needs.
//
// The store owns the files (it knows when its state is its file's content: DerivedCache.tagNow);
// what is derived (chartSummaries.ts, in the chart layer above) finds them by the state.
import type { RecordSet } from './recordSet.ts';
import { readFileIfExists, type FileSystem } from './fileSystem.ts';
import { replaceCacheFile } from './atomicFile.ts';

/** What the store offers the layers above for one state. */
export interface DerivedCache {
  /**
   * A name for what the state holds now, when that is exactly the context file's content (as
   * read at an open, or as our rewrite wrote it, and unchanged since): the file's size and
   * CRC-32. Undefined while the state holds anything else (changes not yet in the file).
   */
  tagNow(): string | undefined;
  /** The text last saved under `kind`, if it was saved for `tag`. */
  read(kind: string, tag: string): string | undefined;
  /**
   * Saves the text `encode` makes under `kind` for `tag` (atomically; a failure only means no
   * cache). `encode` runs only when the text will be written: a reading command in a peer's
   * folder writes nothing, and encoding 1k charts' summaries was 4 % of its `chart list`.
   */
  write(kind: string, tag: string, encode: () => string): void;
  /** Called at the engine's close, after its last rewrite: what keeps a derived cache saves it then. */
  onClose(kind: string, save: () => void): void;
}

const caches = new WeakMap<RecordSet, DerivedCache>();

export function attachDerivedCache(state: RecordSet, cache: DerivedCache): void {
  caches.set(state, cache);
}

/** The derived cache of a store's state; undefined for any other record set (a backup's, a preview's). */
export function derivedCacheOf(state: RecordSet): DerivedCache | undefined {
  return caches.get(state);
}

/** The derived caches' file format: a cache of another is ignored. */
const DERIVED_CACHE_FORMAT = 1;

/**
 * The text of the cache file at `file` when it was saved for `tag`; undefined when it is missing,
 * unreadable, of another format or made for another content. Its first line names the format and
 * the content (`{"format":1,"tag":"<size>:<crc>"}`); the rest is the caller's text.
 */
export function readDerivedFile(fsys: FileSystem, file: string, tag: string): string | undefined {
  const saved = readDerivedEntry(fsys, file);
  return saved?.tag === tag ? saved.text : undefined;
}

/** The cache file at `file` with the tag it was saved for (whatever it is); undefined when missing, unreadable or of another format. */
export function readDerivedEntry(fsys: FileSystem, file: string): { readonly tag: string; readonly text: string } | undefined {
  let text: string | undefined;
  try {
    text = readFileIfExists(fsys, file)?.toString('utf8');
  } catch {
    return undefined;
  }
  const end = text?.indexOf('\n') ?? -1;
  if (text === undefined || end < 0) return undefined;
  try {
    const header = JSON.parse(text.slice(0, end)) as { format?: unknown; tag?: unknown };
    return header.format === DERIVED_CACHE_FORMAT && typeof header.tag === 'string' ? { tag: header.tag, text: text.slice(end + 1) } : undefined;
  } catch {
    return undefined;
  }
}

/** Saves `text` for `tag` at `file` (replaceCacheFile: a rename, no fsync); a failure only means no cache. */
export function writeDerivedFile(fsys: FileSystem, file: string, tag: string, text: string): void {
  try {
    replaceCacheFile(fsys, file, [Buffer.from(`${JSON.stringify({ format: DERIVED_CACHE_FORMAT, tag })}\n${text}`)]);
  } catch {
    // A cache: without it the next open makes it anew (disk full, permission denied).
  }
}
