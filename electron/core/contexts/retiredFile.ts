// Taking away the file of a retired context once its records are all elsewhere, so peers no
// longer see an empty context under the old name. A peer may write that file at any moment
// (it ignores our lock), so the file is first renamed aside (a peer still writing through a
// descriptor it opened keeps writing into the renamed inode), then read: empty, it goes. With
// records (a peer's write landed), that version is journaled there and then, and put back
// unless a new file took its place: a peer that found no file while it was aside writes one
// from nothing, and that rename would replace it unread (seen with strace in the rename race
// test). The caller moves the records on and calls this again. Nothing is deleted that held a
// record the journal lacks.
import path from 'node:path';
import type { Engine } from '../engine.ts';
import type { FileSystem } from '../fileSystem.ts';
import { readFileIfExists, syncDirectory } from '../fileSystem.ts';
import { removeQuietly } from '../atomicFile.ts';
import { parseContextBytes, statIdentity } from '../contextFile.ts';
import { crc32Hex } from '../journalFormat.ts';
import { contextPaths } from '../dataRoot.ts';
import type { ContextStore } from '../contextStore.ts';

/** How many times a file is set aside in one call before its records are handed back to the caller. */
const ATTEMPTS = 5;

/**
 * Under the lock. Returns how many records the context still holds (a peer's write taken in):
 * the caller moves them on and calls this again. 0: the file is gone.
 */
export function takeAwayRetiredFile(engine: Engine, context: string): number {
  takeInLeftAside(engine, context);
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const store = engine.storeForLockedWork(context);
    if (store.state.size > 0) return store.state.size;
    engine.flushForLockedWork();
    const { file } = store.paths;
    if (statIdentity(engine.fs, file) === undefined) break;
    const aside = asidePath(store, process.pid);
    engine.fs.renameSync(file, aside);
    syncDirectory(engine.fs, engine.layout.root);
    if (!takeInAside(engine, store, aside)) break;
    // Taken in: records the state now holds go back to the caller; a version that added
    // nothing (records already moved) leaves the file in place again, rewritten and set aside anew.
  }
  if (engine.storeForLockedWork(context).state.size > 0) return engine.storeForLockedWork(context).state.size;
  removeQuietly(engine.fs, engine.storeForLockedWork(context).paths.checkpoint);
  engine.forget(context);
  return 0;
}

/**
 * A file set aside by a process that died before it finished (found under the lock, so no
 * living process is working on it): its version is taken in like any other.
 */
export function takeInLeftAside(engine: Engine, context: string): void {
  const found = leftAside(engine, context);
  if (found.length === 0) return;
  const store = engine.storeForLockedWork(context);
  for (const aside of found) takeInAside(engine, store, aside);
}

/** Files set aside from this context and not yet taken in (a process died between the two). */
export function leftAside(engine: Engine, context: string): string[] {
  const paths = contextPaths(engine.layout, context);
  const folder = path.dirname(paths.journal);
  const prefix = `${path.basename(paths.file, '.jsonl')}.retiring-`;
  try {
    return engine.fs.readdirSync(folder).filter((name) => name.startsWith(prefix) && name.endsWith('.tmp')).map((name) => path.join(folder, name));
  } catch {
    return [];
  }
}

function asidePath(store: ContextStore, pid: number): string {
  return path.join(path.dirname(store.paths.journal), `${path.basename(store.paths.file, '.jsonl')}.retiring-${pid}.tmp`);
}

/**
 * Reads a file set aside: empty, it goes (false). With records or damaged lines, its version is
 * journaled (the store takes it in as a version seen on its way), put back in place unless a
 * new file took it, and the set-aside name goes (true).
 */
function takeInAside(engine: Engine, store: ContextStore, aside: string): boolean {
  // Read at once, not with readStable's wait for a file emptied a moment ago: ours was, by the
  // rewrite just before, and every rename would wait for it.
  const stat = statIdentity(engine.fs, aside);
  const bytes = stat ? readFileIfExists(engine.fs, aside) : undefined;
  const parsed = bytes ? parseContextBytes(bytes) : undefined;
  if (!stat || !bytes || !parsed || (parsed.records.length === 0 && parsed.bad.length === 0)) {
    removeQuietly(engine.fs, aside);
    return false;
  }
  const read = { bytes, identity: { size: bytes.length, crc: crc32Hex(bytes), ino: stat.ino, mtimeNs: stat.mtimeNs, ctimeNs: stat.ctimeNs } };
  // Back first, so that the peer that wrote it finds it again, then journaled: the version
  // and, if it was put back, the file (the same bytes: nothing more to take).
  const back = putBackUnlessReplaced(engine.fs, aside, store.paths.file);
  if (back) syncDirectory(engine.fs, engine.layout.root);
  store.noteObservedVersion({ bytes: read.bytes, identity: read.identity });
  store.refresh();
  if (!back) removeQuietly(engine.fs, aside);
  return true;
}

/**
 * Puts the file at `aside` back at `file` only if nothing is there (a hard link refuses to
 * replace: the instant between a look and a rename would let a peer's new file be overwritten).
 * Without hard links, a look and a rename. True when it is back.
 */
function putBackUnlessReplaced(fsys: FileSystem, aside: string, file: string): boolean {
  try {
    fsys.linkSync(aside, file);
    removeQuietly(fsys, aside);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
  }
  if (statIdentity(fsys, file) !== undefined) return false;
  try {
    fsys.renameSync(aside, file);
    return true;
  } catch {
    return false;
  }
}
