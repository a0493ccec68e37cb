// Taking away the file of a retired context once its records are all elsewhere, so peers no
// longer see an empty context under the old name. A peer may write that file at any moment
// (it ignores our lock), so the file is first renamed aside (a peer still writing through a
// descriptor it opened keeps writing into the renamed inode), then read. With records (a
// peer's write landed), that version is journaled there and then, and put back unless a new
// file took its place: a peer that found no file while it was aside writes one from nothing,
// and that rename would replace it unread (seen with strace in the rename race test). The
// caller moves the records on and calls this again. Empty, it goes once nothing has written
// it for QUIET_MS: a peer that writes in place (coaia-narrative) may have opened it, truncating
// it, an instant before it was set aside, and truncating a file already empty can fall in our
// own write's clock tick, so only time tells. Until then it stays set aside, and the next
// context operation (adoptLeftovers) looks again, without waiting here. Nothing is deleted
// that held a record the journal lacks.
import path from 'node:path';
import type { Engine } from '../engine.ts';
import type { FileSystem } from '../fileSystem.ts';
import { readFileIfExists, syncDirectory } from '../fileSystem.ts';
import { removeQuietly } from '../atomicFile.ts';
import { statIdentity, type FileIdentity } from '../contextFile.ts';
import { crc32Hex } from '../journalFormat.ts';
import { contextPaths } from '../dataRoot.ts';
import type { ContextStore } from '../contextStore.ts';
import { clearRetiredNote } from './retiredContexts.ts';

/** How many times a file is set aside in one call before its records are handed back to the caller. */
const ATTEMPTS = 5;

/** How long a set-aside empty file must have stayed unwritten before it goes. */
export const QUIET_MS = 2_000;

let asideCount = 0;

/** A set-aside file's name: `<context file base>.retiring-<pid>-<ms>-<n>.tmp` in .history/. */
const ASIDE_MARK = '.retiring-';
const isAsideName = (name: string, base?: string): boolean => (base === undefined ? name.includes(ASIDE_MARK) : name.startsWith(`${base}${ASIDE_MARK}`)) && name.endsWith('.tmp');

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
    const aside = asidePath(store);
    engine.fs.renameSync(file, aside);
    syncDirectory(engine.fs, engine.layout.root);
    if (!takeInAside(engine, context, aside)) break;
    // Taken in: records the state now holds go back to the caller; a version that added
    // nothing (records already moved) leaves the file in place again, rewritten and set aside anew.
  }
  const store = engine.storeForLockedWork(context);
  if (store.state.size > 0) return store.state.size;
  removeQuietly(engine.fs, store.paths.checkpoint);
  removeQuietly(engine.fs, store.paths.summaries);
  engine.forget(context);
  return 0;
}

/**
 * Files set aside earlier (found under the lock, so no living process of ours is working on
 * them): an empty one left for a later look, or one a process that died never read. Whatever a
 * peer wrote into them since is taken in like any other version. True when something was.
 */
export function takeInLeftAside(engine: Engine, context: string): boolean {
  let tookIn = false;
  // An empty one is settled without loading the context (a retired journal can be long).
  for (const aside of leftAside(engine, context)) tookIn = takeInAside(engine, context, aside) || tookIn;
  return tookIn;
}

/**
 * Under the lock: a retired name taken up again (a context created under it, or restored into
 * it) is a context again: a file set aside meanwhile is taken in first, then the note goes.
 */
export function takeUpRetiredName(engine: Engine, context: string): void {
  takeInLeftAside(engine, context);
  clearRetiredNote(engine.fs, engine.layout, context);
}

/** Files set aside from this context and not yet taken in (a process died between the two). */
export function leftAside(engine: Engine, context: string): string[] {
  const paths = contextPaths(engine.layout, context);
  const folder = path.dirname(paths.journal);
  const base = path.basename(paths.file, '.jsonl');
  try {
    return engine.fs.readdirSync(folder).filter((name) => isAsideName(name, base)).map((name) => path.join(folder, name));
  } catch {
    return [];
  }
}

/** Whether any retired context's file is set aside in the data folder (one readdir). */
export function anySetAside(engine: Engine): boolean {
  try {
    return engine.fs.readdirSync(path.join(engine.layout.root, '.history')).some((name) => isAsideName(name));
  } catch {
    return false;
  }
}

function asidePath(store: ContextStore): string {
  asideCount += 1;
  return path.join(path.dirname(store.paths.journal), `${path.basename(store.paths.file, '.jsonl')}${ASIDE_MARK}${process.pid}-${Date.now()}-${asideCount}.tmp`);
}

/**
 * The set-aside file, read, if it holds a record or a damaged line. Otherwise undefined: it
 * goes if nothing wrote it for QUIET_MS, else it stays for a later look.
 */
function readAside(engine: Engine, aside: string): { bytes: Buffer; identity: FileIdentity } | undefined {
  const stat = statIdentity(engine.fs, aside);
  if (!stat) return undefined;
  const bytes = readFileIfExists(engine.fs, aside) ?? Buffer.alloc(0);
  // A line that is not blank is a record or a damaged line (parseContextBytes): no parse here,
  // the store parses the version once when it takes it in.
  if (bytes.toString('utf8').trim() !== '') {
    return { bytes, identity: { size: bytes.length, crc: crc32Hex(bytes), ino: stat.ino, mtimeNs: stat.mtimeNs, ctimeNs: stat.ctimeNs } };
  }
  if (Date.now() - Number(stat.mtimeNs / 1_000_000n) >= QUIET_MS) removeQuietly(engine.fs, aside);
  return undefined;
}

/**
 * Takes in a file set aside that holds something: its version is journaled (the store takes it
 * in as a version seen on its way), it is put back in place unless a new file took it, and the
 * set-aside name goes (true). Read at once, not with readStable's wait for a file emptied a
 * moment ago (ours was, by the rewrite just before): an empty one is left to readAside's rule.
 */
function takeInAside(engine: Engine, context: string, aside: string): boolean {
  const read = readAside(engine, aside);
  if (!read) return false;
  const store = engine.storeForLockedWork(context);
  // Back first, so that the peer that wrote it finds it again, then journaled: the version
  // and, if it was put back, the file (the same bytes: nothing more to take).
  const back = putBackUnlessReplaced(engine.fs, aside, store.paths.file);
  if (back) syncDirectory(engine.fs, engine.layout.root);
  store.noteObservedVersion(read);
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
