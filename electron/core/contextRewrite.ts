// Rewriting the context file from the state: a verified temporary file swapped into place, the
// version it replaced read and journaled if another program wrote it (or put straight back when
// it landed an instant before ours), the snapshot line and checkpoint that name our rewrite.
// Peers read this file and rewrite it too, so a rewrite must never make their version vanish
// unseen (docs/FORMAT.md, "Rewrites"); that is most of what is here.
import path from 'node:path';
import { syncDirectory } from './fileSystem.ts';
import { fromSystemError } from './errors.ts';
import { parseContextBytes, serializeRecords, serializedChunks, statIdentity, type FileIdentity, type ParsedContextFile } from './contextFile.ts';
import { removeQuietly, writeVerifiedTemp, writeVerifiedTempInSlices, type Slicing, type WrittenFile } from './atomicFile.ts';
import { keptLooksForeign, releaseKept, replacedPeerVersion, swapBack, swapIntoPlace, type ReplacedVersion } from './fileReplacement.ts';
import type { ContextMemory } from './contextMemory.ts';
import type { StoredRecord } from './records.ts';
import { appendSnapshotLine, startPendingJournal, tryWriteCheckpoint } from './contextCommit.ts';
import { loadVersions } from './journalReplay.ts';
import { absorbFile, absorbObservedVersions, absorbingVersionNotOnDisk, fileMovedSinceCheck, noteObservedVersion, racilyClean, takeInOtherVersions } from './peerVersionIntake.ts';

/**
 * Rewrites the context file from the state: temp file, fsync, verify, then swapped into place
 * so that the file it replaces is kept (fileReplacement.ts). If that is not the file we last
 * saw, a peer's version landed just before ours: its changes are absorbed (and the file
 * rewritten again), so it never vanishes unseen.
 */
export function materialize(m: ContextMemory, prepared?: PreparedRewrite): void {
  // Written before the lock was taken, of this very state (nothing changed since, ours or
  // another process's: refresh() would have changed the state), it is the file this round
  // would write; of any other state, it is not used.
  let ready = prepared !== undefined && prepared.version === m.state.version && m.needsRewrite ? prepared.written : undefined;
  if (prepared && !ready) removeQuietly(m.fs, prepared.written.tmp);
  try {
    materializeRounds(m, () => {
      const written = ready ?? writeTemp(m);
      ready = undefined;
      return written;
    });
  } finally {
    if (ready) removeQuietly(m.fs, ready.tmp);
  }
}

/** A temporary file holding the state of one version of the record set, written and verified. */
export interface PreparedRewrite {
  readonly version: number;
  readonly written: RewrittenFile;
}

/** A rewrite's temporary file, with the lines its checkpoint lists (TrustedFile in contextFile.ts). */
interface RewrittenFile extends WrittenFile {
  readonly irregularLines: number[];
}

/**
 * Writes the file a rewrite would swap into place (serialized, fsynced, verified), without the
 * data folder's lock: at 100k charts that is 5-6 s, in which other processes' commits would
 * otherwise wait for the lock. The rewrite itself (materialize, under the lock) uses it when the
 * state is still this version, and writes anew otherwise. Undefined when no rewrite is due, or
 * when it needs the lock before it writes (a journal still to start, damaged lines to save).
 */
export function prepareRewrite(m: ContextMemory, options: { readonly lastWrite?: boolean } = {}): PreparedRewrite | undefined {
  if (!m.needsRewrite || m.journalPending || m.fileDamage.length > 0) return undefined;
  const written = writeTemp(m);
  // The copy the first rewrite after an open makes of the map read from the file (markMaterialized:
  // that map is also the first version's keys, never changed) is made here too, not under the
  // lock: at 100k charts it is 1-2 s. Only memory: what the map holds is the same either way.
  // Not for the last write of an engine that closes next (the CLI's): markMaterialized then
  // shares the state's map instead, which nothing changes again.
  if (options.lastWrite !== true) m.ownMaterialized();
  return { version: m.state.version, written };
}

/**
 * prepareRewrite a slice at a time (the scheduled rewrite of a large file): after about
 * `slicing.sliceMs` of work it pauses, and the engine's thread answers whatever waits (a
 * window's request, a commit). A change to the state meanwhile makes the file being written
 * stale: it stops there, removes it, and is undefined; so it is when `slicing.current()` is false.
 */
export async function prepareRewriteInSlices(m: ContextMemory, slicing: Slicing): Promise<PreparedRewrite | undefined> {
  // No temporary file begun for a write no longer wanted (the engine closing).
  if (!m.needsRewrite || m.journalPending || m.fileDamage.length > 0 || !slicing.current()) return undefined;
  const version = m.state.version;
  const current = () => slicing.current() && m.state.version === version;
  const ofThisVersion: Slicing = { sliceMs: slicing.sliceMs, pause: () => slicing.pause(), current };
  const irregularLines: number[] = [];
  const irregular: StoredRecord[] = [];
  // Read lazily: the state is not read again once it has changed (current() is false from then on).
  const chunks = serializedChunks(m.state.values(), irregularLines, (record) => {
    const odd = m.irregularRecords.reads(record);
    if (odd) irregular.push(record);
    return odd;
  });
  let written: WrittenFile | undefined;
  try {
    written = await writeVerifiedTempInSlices(m.fs, m.paths.file, chunks, ofThisVersion);
  } catch (error) {
    throw fromSystemError(error, 'Rewriting the context file', m.paths.file, 'Every change is kept in the journal; the file will be rewritten on the next attempt.');
  }
  if (!written) return undefined;
  // Asked again after the await: other work may have run since the writer's last look.
  if (!current()) {
    removeQuietly(m.fs, written.tmp);
    return undefined;
  }
  // Every record of this version was read, with no change between: as writeTemp's one pass.
  m.irregularRecords.checkedAll(irregular);
  if (!(await m.ownMaterializedInSlices(ofThisVersion)) || !current()) {
    removeQuietly(m.fs, written.tmp);
    return undefined;
  }
  return { version, written: { ...written, irregularLines } };
}

function materializeRounds(m: ContextMemory, nextTemp: () => RewrittenFile): void {
  // The snapshot line the rewrite appends belongs after the journal's first commit.
  if (m.needsRewrite) startPendingJournal(m);
  for (let round = 0; round < 3 && m.needsRewrite; round += 1) {
    saveDamagedBytes(m);
    const written = nextTemp();
    if (fileMovedSinceCheck(m)) {
      // A peer wrote while ours was being written: its version is read first (then, next
      // round, ours includes it), rather than replaced and handed back a moment later.
      removeQuietly(m.fs, written.tmp);
      takeInOtherVersions(m);
      continue;
    }
    let swapped;
    try {
      swapped = swapIntoPlace(m.fs, written.tmp, m.paths.file, written);
    } catch (error) {
      throw fromSystemError(error, 'Rewriting the context file', m.paths.file, 'Every change is kept in the journal; the file will be rewritten on the next attempt.');
    }
    const expected = m.fileIdentity;
    const racy = expected !== undefined && racilyClean(m, expected);
    if (swapped.how === 'exchange' && swapped.keptAt && putPeerVersionBack(m, swapped.keptAt, written, expected, racy)) continue;
    let peerVersion: ReplacedVersion | undefined;
    let syncError: unknown;
    try {
      if (swapped.keptAt) peerVersion = replacedPeerVersion(m.fs, swapped.keptAt, expected, racy);
      syncDirectory(m.fs, path.dirname(m.paths.file));
    } catch (error) {
      syncError = error;
    }
    if (syncError !== undefined) {
      // Ours is in place but perhaps not durable; what it replaced must not be lost meanwhile.
      const where = swapped.keptAt ? keepAside(m, swapped.keptAt, peerVersion?.bytes) : undefined;
      throw fromSystemError(syncError, 'Rewriting the context file', m.paths.file, `Every change is kept in the journal; the file will be rewritten on the next attempt.${where ? ` ${where}` : ''}`);
    }
    // The snapshot line about to be appended names this version.
    m.markMaterialized(m.seq + 1, m.clock().getTime());
    m.takeStateOrder();
    const identity = statIdentity(m.fs, m.paths.file);
    m.rememberFile(identity ? { ...identity, size: written.size, crc: written.crc } : undefined);
    m.stateIsFile(written);
    m.fileDamage = [];
    appendSnapshotMarker(m, written, identity?.size === written.size ? identity : undefined);
    // The other program's version exists only in the kept copy until its changes are
    // journaled: the copy goes only after that (or to .recovery/ if that fails). A peer still
    // writing into it through an old descriptor is caught by a last look before it goes.
    for (let look = 0; swapped.keptAt && look < 5; look += 1) {
      if (peerVersion) absorbReplacedVersion(m, swapped.keptAt, peerVersion);
      peerVersion = releaseKept(m.fs, swapped.keptAt, peerVersion);
      if (!peerVersion) break;
    }
  }
}

/**
 * After an exchange: if what it replaced is another program's version (it landed an instant
 * before ours), that version is put straight back, so its writer never finds its own change
 * gone; it is then read and journaled like any peer rewrite, and the next round rewrites the
 * file with both. Returns true when it did so (the round is over).
 */
function putPeerVersionBack(m: ContextMemory, keptAt: string, ours: { size: number; crc: string }, expected: FileIdentity | undefined, racy: boolean): boolean {
  let theirs: ReplacedVersion | undefined;
  let foreign = keptLooksForeign(m.fs, keptAt, expected, racy);
  if (foreign === undefined) {
    theirs = replacedPeerVersion(m.fs, keptAt, expected, racy);
    foreign = theirs !== undefined;
  }
  if (!foreign) return false;
  // Read before it goes back. For an instant ours was in place: a peer that read it then
  // (without the change it had just made) may write its next version into this very file,
  // in place, before we would read it there; its change would then be gone unseen.
  if (!theirs) {
    try {
      theirs = replacedPeerVersion(m.fs, keptAt, expected, racy);
    } catch {
      // Unreadable now: it still goes back first, and is read at its place like any peer version.
    }
  }
  let other: ReplacedVersion | undefined;
  try {
    other = swapBack(m.fs, keptAt, m.paths.file, ours);
  } catch {
    // Ours stays in place, the peer's version in the kept copy: the usual path absorbs it.
    return false;
  }
  try {
    syncDirectory(m.fs, path.dirname(m.paths.file));
  } catch {
    // The swap back is done: the peer's version is in place, ours in the kept copy. Only its
    // durability is in doubt, and a crash would bring back ours, which the journal holds. The
    // rest goes on as after a sync (the usual path would journal ours as the file on disk).
  }
  noteInstantVersion(m, ours);
  // Taken in as a version seen on its way (as the observer's are), before anything newer: a
  // version that came out of the swap back, or the file as it is now, may have been written
  // by a peer that read ours in that instant, so it must be judged knowing this one.
  // (Still being written through the peer's own descriptor: it is complete at the path soon.)
  if (theirs && !theirs.unsettled) {
    noteObservedVersion(m, { bytes: theirs.bytes, identity: theirs.identity });
    m.options.catchUpObserver?.();
    absorbObservedVersions(m);
  }
  // Yet another program's version came out of the swap: journaled (it was on disk a moment).
  if (other) absorbReplacedVersion(m, keptAt, other);
  if (other) removeQuietly(m.fs, keptAt);
  // The peer's version is on disk: read, judged and journaled; our rewrite stays pending.
  takeInOtherVersions(m);
  return true;
}

/**
 * Ours was the file for an instant (between the exchange and the swap back): a peer that read
 * it then writes its next version from it, without the record the peer had just added. That
 * version must be judged knowing ours existed, or it reads as deleting that record (seen with
 * the reference server during a context rename). So the instant is a version of ours in the
 * journal, before theirs is taken in: a snapshot line, as for any rewrite of ours. The file on
 * disk is theirs again, so the base stays as it was until theirs is read, and no checkpoint
 * names ours (the last one still says truly which file was the state at its line).
 */
function noteInstantVersion(m: ContextMemory, ours: { size: number; crc: string }): void {
  // After a fast open the versions are rebuilt from the journal at their first use, which would
  // drop one closed only in memory (below): rebuilt first.
  if (!m.versionsLoaded) loadVersions(m);
  try {
    appendSnapshotLine(m, ours.size, ours.crc);
  } catch {
    // The journal refused the line (a full disk): this process still knows the instant (below)
    // and judges the peer's next version by it, and so does a fast open from a checkpoint this
    // process writes later (its versions include it); a process that replays the journal does
    // not. The rewrite goes on as before.
  }
  m.versions.close(m.seq, 'ours', m.clock().getTime());
  m.rememberVersion(ours.size, ours.crc);
}

/** Journals another program's version found in the kept copy of the file our rewrite replaced. */
function absorbReplacedVersion(m: ContextMemory, keptAt: string, version: ReplacedVersion): void {
  try {
    const parsed = parseContextBytes(version.bytes);
    absorbPeerVersion(m, { ...parsed, identity: m.fileIdentity, bytes: version.bytes, exists: true });
  } catch (error) {
    throw fromSystemError(error, "Saving another program's changes to the context file", m.paths.journal, keepAside(m, keptAt, version.bytes));
  }
}

/** Moves a kept copy holding another program's version to .recovery/ (or leaves it); says where it is. */
function keepAside(m: ContextMemory, keptAt: string, bytes: Buffer | undefined): string {
  if (!bytes) {
    removeQuietly(m.fs, keptAt);
    return '';
  }
  try {
    const saved = m.recovery.saveBytes(m.paths.file, 0, bytes, "another program's version, replaced by ours before its changes could be saved");
    removeQuietly(m.fs, keptAt);
    return `Its version was copied to ${path.relative(path.dirname(m.paths.file), saved)}.`;
  } catch {
    return `Its version is kept as ${path.basename(keptAt)}.`;
  }
}

/** The peer's version was replaced by ours: journaled, and the disk holds our rewrite, not theirs. */
function absorbPeerVersion(m: ContextMemory, file: ParsedContextFile): void {
  absorbingVersionNotOnDisk(m, () => absorbFile(m, file, 'external'));
}

function saveDamagedBytes(m: ContextMemory): void {
  for (const bad of m.fileDamage) {
    m.recovery.saveBytes(m.paths.file, bad.start, bad.bytes, `${bad.reason}; copied before the file was rewritten`);
  }
  m.fileDamage = [];
}

function writeTemp(m: ContextMemory): RewrittenFile {
  try {
    const irregularLines: number[] = [];
    const irregular: StoredRecord[] = [];
    const text = serializeRecords(m.state.values(), irregularLines, (record) => {
      const odd = m.irregularRecords.reads(record);
      if (odd) irregular.push(record);
      return odd;
    });
    m.irregularRecords.checkedAll(irregular);
    const written = writeVerifiedTemp(m.fs, m.paths.file, text);
    return { ...written, irregularLines };
  } catch (error) {
    throw fromSystemError(error, 'Rewriting the context file', m.paths.file, 'Every change is kept in the journal; the file will be rewritten on the next attempt.');
  }
}

function appendSnapshotMarker(m: ContextMemory, written: RewrittenFile, stat?: { ino: bigint; mtimeNs: bigint; ctimeNs: bigint }): void {
  const { size, crc } = written;
  try {
    appendSnapshotLine(m, size, crc, stat);
  } catch {
    // The marker only speeds up the next open; without it the next open replays the journal.
    removeQuietly(m.fs, m.paths.checkpoint);
    return;
  }
  tryWriteCheckpoint(m, size, crc, m.journalOffset, m.seq, written.irregularLines);
}
