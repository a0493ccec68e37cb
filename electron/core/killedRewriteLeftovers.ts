// What a process killed in the middle of a rewrite leaves beside the context file: temporary
// files, and the kept copy (fileReplacement.ts), which holds either its own rewrite, staged and
// never swapped in, or the version its exchange displaced, perhaps another program's that landed
// an instant before. Swept by the next open (contextLoading.ts), and by a process running all
// along as soon as it finds the killed rewrite's file in place (takeInLeftCopies): judged later
// than that, by a process that replays a snapshot line dated when the file was found, the
// displaced version would read as older than the race window and be dropped.
import path from 'node:path';
import { readFileIfExists } from './fileSystem.ts';
import { crc32Hex } from './journalFormat.ts';
import { statIdentity } from './contextFile.ts';
import { removeQuietly } from './atomicFile.ts';
import { isProcessAlive } from './rootLock.ts';
import type { ContextMemory } from './contextMemory.ts';
import { absorbObservedVersions, absorbingVersionNotOnDisk, noteObservedVersion } from './peerVersionIntake.ts';
import { readKeptCopyName } from './fileReplacement.ts';
import type { ObservedVersion } from './versionObserver.ts';

/**
 * A running writer's sweep, under the lock, once it has taken in the context file as it is now:
 * the leftovers of processes that died since, their displaced versions judged at once.
 */
export function takeInLeftCopies(m: ContextMemory): void {
  if (m.readOnly) return;
  const displaced = sweepLeftovers(m);
  if (displaced.length > 0) takeInDisplaced(m, displaced);
}

/**
 * What a killed rewrite displaced, judged as versions seen on its way once the journal says
 * which versions are known: one of ours changes nothing; another program's is taken in. The
 * disk still holds the file just read. A copy goes only once that is journaled: if it cannot
 * be (a full disk), it stays for the next open to judge, and this open goes on without it.
 */
export function takeInDisplaced(m: ContextMemory, displaced: readonly DisplacedCopy[]): void {
  try {
    absorbingVersionNotOnDisk(m, () => {
      for (const copy of displaced) noteObservedVersion(m, copy.version);
      absorbObservedVersions(m);
    });
  } catch {
    m.observed = [];
    return;
  }
  for (const copy of displaced) {
    // Journaled now; a copy is still kept in .recovery/, as for every leftover of a killed
    // rewrite (if that fails, it stays where it is: the next look saves it there).
    try {
      m.recovery.saveBytes(m.paths.file, 0, copy.version.bytes, 'the file a rewrite replaced, left by a process that stopped mid-way (its changes are journaled)');
    } catch {
      continue;
    }
    removeQuietly(m.fs, copy.file);
  }
}

/** A kept copy left by a killed rewrite that holds the version its exchange displaced. */
export interface DisplacedCopy {
  readonly file: string;
  readonly version: ObservedVersion;
}

/**
 * Temporary files and kept copies left by a process killed in the middle of a rewrite
 * (`.<file>.tmp-<pid>-…`, `<file>.replaced-<pid>-<size>-<crc>`): removed once their process is
 * gone. A temporary file never holds anything the journal lacks. A kept copy holds either that
 * process's own rewrite, staged under that name and never swapped in (its size and CRC-32 are
 * the name's), which the journal holds too; or the version the exchange displaced, which may
 * be another program's that landed an instant before it: that one is returned, to be judged
 * once the journal is read, then saved to .recovery/ and removed (takeInDisplaced). A copy
 * named as older versions named it (no size and CRC) cannot be told either way: it is saved to
 * .recovery/ only. Runs under the lock.
 */
export function sweepLeftovers(m: ContextMemory): DisplacedCopy[] {
  const displaced: DisplacedCopy[] = [];
  const dir = path.dirname(m.paths.file);
  const base = path.basename(m.paths.file);
  let names: string[];
  try {
    names = m.fs.readdirSync(dir);
  } catch {
    return displaced;
  }
  for (const name of names) {
    const kept = readKeptCopyName(base, name);
    const pid = name.startsWith(`.${base}.tmp-`) ? Number(name.slice(base.length + 6).split('-')[0]) : (kept?.pid ?? NaN);
    if (!Number.isInteger(pid) || pid === process.pid || isProcessAlive(pid)) continue;
    const file = path.join(dir, name);
    if (kept) {
      try {
        const stat = statIdentity(m.fs, file);
        const bytes = readFileIfExists(m.fs, file);
        const identity = bytes ? { size: bytes.length, crc: crc32Hex(bytes) } : undefined;
        const staged = identity !== undefined && kept.staged?.size === identity.size && kept.staged.crc === identity.crc;
        // Not the staged rewrite: one that says so is judged once the journal is read
        // (takeInDisplaced); one under the older name goes to .recovery/ (or, if that fails,
        // stays where it is).
        if (bytes && identity && !staged) {
          if (kept.staged && stat && !stat.link) {
            displaced.push({ file, version: { bytes, identity: { ...identity, ino: stat.ino, mtimeNs: stat.mtimeNs, ctimeNs: stat.ctimeNs } } });
            continue;
          }
          m.recovery.saveBytes(m.paths.file, 0, bytes, 'the file a rewrite replaced, left by a process that stopped mid-way');
        }
      } catch {
        continue;
      }
    }
    removeQuietly(m.fs, file);
  }
  return displaced;
}

