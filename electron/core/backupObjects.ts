// The pieces backups share: `.backup/objects/<first two hex digits>/<sha256>`, each one piece of
// a backed-up file, named by the SHA-256 of its bytes (content-addressed, as in git and restic).
// A piece that is already there is not written again, so backups of data that did not change
// cost only their manifests. A piece is written beside its place, fsynced and renamed into it,
// so an object under its name is always whole; its folder is fsynced before any manifest
// that names it is made durable (syncObjectFolders).
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { FileSystem } from './fileSystem.ts';
import { syncDirectory, writeAll } from './fileSystem.ts';
import { errnoOf } from './errors.ts';

export const OBJECTS_FOLDER = 'objects';
const HEX64 = /^[0-9a-f]{64}$/;

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export function isObjectName(name: string): boolean {
  return HEX64.test(name);
}

/** Where the piece with this hash lives (the hash is checked: only 64 hex digits make a path). */
export function objectPath(backupsDir: string, sha256: string): string {
  if (!HEX64.test(sha256)) throw new Error(`not a SHA-256: ${JSON.stringify(sha256.slice(0, 80))}`);
  return path.join(backupsDir, OBJECTS_FOLDER, sha256.slice(0, 2), sha256);
}

/**
 * Reads a piece without following a symbolic link, only if it is a regular file, and checks it
 * against its hash and size. The bytes, or why they cannot be used.
 */
export function readObject(fsys: FileSystem, backupsDir: string, sha256: string, size: number): { bytes: Buffer } | { problem: string } {
  const file = objectPath(backupsDir, sha256);
  const shown = `${OBJECTS_FOLDER}/${sha256.slice(0, 2)}/${sha256.slice(0, 12)}…`;
  let fd: number;
  try {
    fd = openPiece(fsys, file);
  } catch (error) {
    const errno = errnoOf(error);
    if (errno === 'ENOENT') {
      // A prune stopped between setting the piece aside and putting it back (it was named again
      // meanwhile) left it under its set-aside name: read there (the checks below hold it to its
      // hash); the next prune puts it back.
      try {
        fd = openPiece(fsys, path.join(path.dirname(file), `${SET_ASIDE}${sha256}`));
      } catch {
        return { problem: `${shown} is missing` };
      }
      return readOpenPiece(fsys, fd, shown, sha256, size);
    }
    if (errno === 'ELOOP') return { problem: `${shown} is a symbolic link, not a piece of the backup` };
    throw error;
  }
  return readOpenPiece(fsys, fd, shown, sha256, size);
}

function openPiece(fsys: FileSystem, file: string): number {
  return fsys.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
}

/** Reads an opened piece, checked against its size and hash, and closes it. */
function readOpenPiece(fsys: FileSystem, fd: number, shown: string, sha256: string, size: number): { bytes: Buffer } | { problem: string } {
  try {
    const stat = fsys.fstatSync(fd);
    if (!stat.isFile()) return { problem: `${shown} is not a regular file` };
    if (stat.size !== size) return { problem: `${shown} has ${stat.size} bytes, expected ${size}` };
    const bytes = Buffer.alloc(size);
    let offset = 0;
    while (offset < size) {
      const n = fsys.readSync(fd, bytes, offset, size - offset, offset);
      if (n <= 0) break;
      offset += n;
    }
    if (offset !== size) return { problem: `${shown} could be read only to byte ${offset} of ${size}` };
    if (sha256Hex(bytes) !== sha256) return { problem: `${shown} does not match its checksum (damaged)` };
    return { bytes };
  } finally {
    fsys.closeSync(fd);
  }
}

/** The folders a backup wrote pieces into: fsynced once, before its manifest is made durable. */
export class ObjectWriter {
  private readonly touched = new Set<string>();
  private readonly madeFolders = new Set<string>();
  /** Bytes of the pieces this backup wrote (not already there). */
  newBytes = 0;
  private counter = 0;

  constructor(
    private readonly fsys: FileSystem,
    private readonly backupsDir: string,
  ) {}

  /**
   * Stores one piece unless an intact copy is there. A copy that is there but damaged (a bad
   * disk sector, a hand edit) is replaced by these bytes, which also mends every older backup
   * sharing it. Returns true when the piece was written.
   */
  put(bytes: Uint8Array, sha256: string): boolean {
    const target = objectPath(this.backupsDir, sha256);
    if (this.fsys.existsSync(target) && 'bytes' in readObject(this.fsys, this.backupsDir, sha256, bytes.length)) return false;
    const folder = path.dirname(target);
    this.ensureFolder(folder);
    this.counter += 1;
    const tmp = path.join(folder, `.tmp-${process.pid}-${this.counter}-${sha256.slice(0, 8)}`);
    const fd = this.fsys.openSync(tmp, 'w', 0o644);
    try {
      writeAll(this.fsys, fd, bytes);
      this.fsys.fsyncSync(fd);
    } catch (error) {
      this.closeAndRemove(fd, tmp);
      throw error;
    }
    this.fsys.closeSync(fd);
    try {
      this.fsys.renameSync(tmp, target);
    } catch (error) {
      this.remove(tmp);
      throw error;
    }
    this.touched.add(folder);
    this.newBytes += bytes.length;
    return true;
  }

  /**
   * Makes every piece written, and the folders made for them, durable: a folder per step (up to
   * 256 fsyncs, run a slice at a time by a backup stored in slices, backupCreation.ts).
   */
  *syncFolderSteps(): Generator<void, void, void> {
    for (const folder of this.touched) {
      syncDirectory(this.fsys, folder);
      yield;
    }
    const objects = path.join(this.backupsDir, OBJECTS_FOLDER);
    if ([...this.madeFolders].some((made) => path.dirname(made) === objects)) syncDirectory(this.fsys, objects);
    if (this.madeFolders.has(objects)) syncDirectory(this.fsys, this.backupsDir);
    this.touched.clear();
    this.madeFolders.clear();
  }

  private ensureFolder(folder: string): void {
    const objects = path.dirname(folder);
    for (const dir of [objects, folder]) {
      if (this.fsys.existsSync(dir)) continue;
      try {
        this.fsys.mkdirSync(dir);
      } catch (error) {
        if (errnoOf(error) !== 'EEXIST') throw error;
      }
      this.madeFolders.add(dir);
    }
  }

  private closeAndRemove(fd: number, tmp: string): void {
    try {
      this.fsys.closeSync(fd);
    } catch {
      // the descriptor is unusable either way; removing the temporary file is what matters
    }
    this.remove(tmp);
  }

  private remove(file: string): void {
    try {
      this.fsys.unlinkSync(file);
    } catch {
      // a stray temporary piece is not named by any manifest; the next prune removes it
    }
  }
}

/** What keeps a garbage collection from removing a piece another process's backup uses (removeUnreferencedObjects). */
export interface RemovalGuard {
  /** When the collection began (ms since the epoch): a piece written since is never removed. */
  readonly startedAt: number;
  /** False once the data folder's lock is no longer this process's: the collection stops. */
  stillOurs(): boolean;
  /** The pieces the manifests name now (read again just before removing); undefined when one cannot be read. */
  referencedNow(): ReadonlySet<string> | undefined;
}

/** A piece set aside to be removed: `.gc-<sha256>` beside its place, a name no manifest can name. */
const SET_ASIDE = '.gc-';

/**
 * Removes every piece no manifest in `referenced` names, and temporary files left by an
 * interrupted backup. Run under the lock, after the backups to remove are gone from the list.
 * The lock alone is not enough: a process stopped mid-way (Ctrl-Z, a VM pause) past the lock's
 * stale time finds, when it goes on, that another process took the lock over and made a backup
 * meanwhile, whose pieces `referenced` (built before) does not name. So a piece goes in two
 * steps: first renamed aside (unless written since the collection began, or the lock is no
 * longer ours); then, once the lock is still ours and the manifests read again do not name
 * it, the set-aside name is removed, or else it is renamed back. Only set-aside names are ever
 * removed: a backup made after the check (after a stop there) finds the piece missing and
 * stores it again. Returns what it freed, and whether it stopped early.
 */
export function removeUnreferencedObjects(fsys: FileSystem, backupsDir: string, referenced: ReadonlySet<string>, guard: RemovalGuard): { objects: number; bytes: number; stopped: boolean } {
  const objects = path.join(backupsDir, OBJECTS_FOLDER);
  const freed = { objects: 0, bytes: 0, stopped: false };
  const setAside: { folder: string; name: string; size: number }[] = [];
  const newSince = (file: string) => Number(fsys.statSync(file, { bigint: true }).mtimeNs / 1_000_000n) >= guard.startedAt;
  walk: for (const prefix of safeReaddir(fsys, objects)) {
    const folder = path.join(objects, prefix);
    for (const name of safeReaddir(fsys, folder)) {
      const file = path.join(folder, name);
      // Set aside by a collection that was stopped: put back if named, else removed below.
      const piece = name.startsWith(SET_ASIDE) && isObjectName(name.slice(SET_ASIDE.length)) ? name.slice(SET_ASIDE.length) : isObjectName(name) ? name : undefined;
      if (piece !== undefined && referenced.has(piece) && piece === name) continue;
      let size = 0;
      try {
        if (newSince(file)) continue;
        size = Number(fsys.statSync(file, { bigint: true }).size);
      } catch {
        continue; // gone meanwhile
      }
      if (!guard.stillOurs()) {
        freed.stopped = true;
        break walk;
      }
      if (piece === undefined) {
        // A temporary file of a backup interrupted before it renamed it into place.
        fsys.rmSync(file, { recursive: true, force: true });
        continue;
      }
      if (piece !== name) {
        setAside.push({ folder, name: piece, size });
        continue;
      }
      fsys.renameSync(file, path.join(folder, SET_ASIDE + piece));
      setAside.push({ folder, name: piece, size });
    }
  }
  const named = freed.stopped || !guard.stillOurs() ? undefined : guard.referencedNow();
  if (named === undefined) freed.stopped = true;
  for (const { folder, name, size } of setAside) {
    const aside = path.join(folder, SET_ASIDE + name);
    let putBack = named === undefined || named.has(name);
    if (!putBack) {
      try {
        putBack = newSince(aside);
      } catch {
        continue; // gone meanwhile
      }
    }
    if (putBack) {
      // Whole, and the same bytes as any copy stored meanwhile under its name (content-addressed).
      fsys.renameSync(aside, path.join(folder, name));
      continue;
    }
    fsys.rmSync(aside, { recursive: false, force: true });
    freed.objects += 1;
    freed.bytes += size;
  }
  return freed;
}

/** Every piece in the store with its size (for the benchmark and for accounting). */
export function storedObjects(fsys: FileSystem, backupsDir: string): Map<string, number> {
  const found = new Map<string, number>();
  const objects = path.join(backupsDir, OBJECTS_FOLDER);
  for (const prefix of safeReaddir(fsys, objects)) {
    for (const name of safeReaddir(fsys, path.join(objects, prefix))) {
      if (!isObjectName(name)) continue;
      try {
        found.set(name, Number(fsys.statSync(path.join(objects, prefix, name), { bigint: true }).size));
      } catch {
        // removed meanwhile
      }
    }
  }
  return found;
}

function safeReaddir(fsys: FileSystem, dir: string): string[] {
  try {
    return fsys.readdirSync(dir);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT' || errnoOf(error) === 'ENOTDIR') return [];
    throw error;
  }
}
