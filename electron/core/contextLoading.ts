// Loading a context: leftovers of a killed rewrite swept away (killedRewriteLeftovers.ts), the context file read, and the
// journal read from the checkpoint on (a fast open) or replayed in full, a journal started for
// a file found without one, and the file judged against the journal's view of it. Also
// refresh's first step, catching up with what other processes appended to the journal since.
// Opening never fails on damage: what is good is loaded and the rest becomes findings.
import path from 'node:path';
import { fromSystemError } from './errors.ts';
import { sameLines } from './records.ts';
import { JOURNAL_FORMAT } from './journalFormat.ts';
import { cutJournal, readJournal, type JournalRead } from './journalFile.ts';
import { irregularLinesOf, linesAreItsRecords, readContextFile, readStable, statIdentity, type ParsedContextFile } from './contextFile.ts';
import type { FileSystem } from './fileSystem.ts';
import type { ContextPaths } from './dataRoot.ts';
import { FileVersions } from './fileVersions.ts';
import { readCheckpoint, trustedAs, type Checkpoint } from './checkpointFile.ts';
import { stateCopyOf, stillTheFileReadAhead, type ReadAheadFile } from './contextReadAhead.ts';
import type { ContextMemory, SnapshotSeen } from './contextMemory.ts';
import { applyJournalRead } from './journalReplay.ts';
import { tryWriteCheckpoint, writeHeaderAndBaseline, type FileBaseline } from './contextCommit.ts';
import { absorbFile, noteLinkedFile, writtenAt, type OwnRewrite } from './peerVersionIntake.ts';
import { keyOfChange } from './journalChanges.ts';
import { adoptJournalStartedElsewhere } from './journalStartedElsewhere.ts';
import { sweepLeftovers, takeInDisplaced } from './killedRewriteLeftovers.ts';

/** Loads the context. Never fails on damage: it loads what is good and records findings. */
export function load(m: ContextMemory, readAhead?: ReadAheadFile): void {
  loadFromDisk(m, readAhead);
  // What was on disk when read (an earlier run's or another process's): live updates count a
  // context they first see with data in it as another program's (ContextMemory.othersReads).
  if (m.seq > 0 || m.state.size > 0) m.othersReads += 1;
}

function loadFromDisk(m: ContextMemory, readAhead?: ReadAheadFile): void {
  resetMemory(m);
  const displaced = m.readOnly ? [] : sweepLeftovers(m);
  loadFile(m, readAhead);
  if (displaced.length > 0) takeInDisplaced(m, displaced);
}

// loadsAsFile (below) mirrors what this decides: a change here that makes a state other than the
// file as it is (or takes it as is in a new case) must change it too, or a reader's chart list is
// read back for a file whose load would show something else (test/unit/listWithoutLoading.test.ts).
function loadFile(m: ContextMemory, readAhead?: ReadAheadFile): void {
  const checkpoint = readCheckpoint(m.fs, m.paths.checkpoint);
  // Read before the lock was taken (the CLI's write: contextReadAhead.ts) and still the file on disk, or read now.
  const ahead = readAhead === undefined ? undefined : stillTheFileReadAhead(m.fs, m.paths, readAhead);
  const file = ahead ?? readContextFile(m.fs, m.paths.file, (identity) => trustedAs(checkpoint, identity), m.options.readProgress?.('file'));
  for (const bad of file.bad) m.noteBadLine(bad);
  if (checkpoint && !m.options.replayWholeJournal && tryLoadFromCheckpoint(m, file, checkpoint)) return;
  const vouched = checkpoint !== undefined && file.identity !== undefined && checkpoint.size === file.identity.size && checkpoint.crc === file.identity.crc;
  loadByReplay(m, file, vouched ? checkpoint : undefined);
  if (file.link) noteLinkedFile(m);
}

/**
 * Whether a read-only load of the context would make its state exactly the file whose tag
 * (size:CRC-32, DerivedCache.tagNow) is `tag`, found without parsing a line: what lets a derived
 * cache saved for that tag (the chart list's) be read without loading the context. Mirrors
 * loadFile: the file is taken as it is when there is no journal or an empty one (startJournal),
 * or when the checkpoint vouches for this very file and nothing was journaled after it
 * (tryLoadFromCheckpoint); anything else (a journal to replay, a file another program changed,
 * a link, a file still being written) answers false and the caller loads. Damaged lines are not
 * looked for: a derived cache is saved only for a state that had none (stateIsFile), and a tag
 * names one exact content. The cheap looks come first (sizes, the checkpoint), so a miss costs
 * a few stats, not a read of the file; the file is read last, as loadFile reads it after the
 * checkpoint, and its CRC decides. Not for a writer: its load may take in a killed rewrite's
 * leftovers (sweepLeftovers), and it may finish a change across contexts first.
 */
export function loadsAsFile(fsys: FileSystem, paths: ContextPaths, tag: string): boolean {
  const size = Number(tag.slice(0, tag.indexOf(':')));
  const checkpoint = readCheckpoint(fsys, paths.checkpoint);
  const file = statIdentity(fsys, paths.file);
  if (file === undefined || file.link || file.size !== size) return false;
  const journal = statIdentity(fsys, paths.journal);
  if (journal?.link) return false;
  if (journal !== undefined && journal.size > 0) {
    const vouched = checkpoint !== undefined && `${checkpoint.size}:${checkpoint.crc}` === tag && checkpoint.journalIno === journal.ino.toString() && checkpoint.journalOffset === journal.size;
    if (!vouched) return false;
  }
  const read = readStable(fsys, paths.file);
  return read !== undefined && !read.unsettled && `${read.identity.size}:${read.identity.crc}` === tag;
}

function resetMemory(m: ContextMemory): void {
  m.state.observe(undefined);
  m.index = undefined;
  m.indexBuild = undefined;
  m.state.clear();
  m.materialized = new Map();
  m.materializedIsFileMap = false;
  m.pending = new Map();
  m.versions = new FileVersions(m.state);
  m.versionsLoaded = false;
  m.fileIdentity = undefined;
  m.newestVersionTime = 0n;
  m.fileDamage = [];
  m.forceRewrite = false;
  m.orderChanged = false;
  m.pendingBaseline = undefined;
  m.journalStartUnderWay = undefined;
  m.previewed.clear();
  m.unjournaled.clear();
  m.findings = [];
  m.ops.clear();
  m.seq = 0;
  m.journalOffset = 0;
  m.journalIno = undefined;
  m.journalTornTail = undefined;
  m.editsSkipped.clear();
  m.loadedFast = false;
  if (m.readOnlyReason?.startsWith('the journal')) m.readOnlyReason = undefined;
  if (m.options.readOnly) m.readOnlyReason = m.options.readOnlyReason ?? 'the data folder is read-only';
}

function adoptFile(m: ContextMemory, file: ParsedContextFile): void {
  // A copy made with a file read ahead is the state's own map at once (no copy under the lock).
  m.state.adopt(file.map, stateCopyOf(file));
  // What is derived from every record (the chart list) may be read from a cache made for this very file.
  m.stateIsFile(file.bad.length === 0 ? file.identity : undefined);
  m.materialized = file.map;
  m.materializedIsFileMap = true;
  m.rememberFile(file.identity);
  m.fileDamage = file.bad;
}

/** Fast open: the file is exactly our last rewrite, so only the journal after it is read. */
function tryLoadFromCheckpoint(m: ContextMemory, file: ParsedContextFile, checkpoint: Checkpoint): boolean {
  if (!file.identity || file.bad.length > 0) return false;
  if (checkpoint.size !== file.identity.size || checkpoint.crc !== file.identity.crc) return false;
  const tail = readJournal(m.fs, m.paths.journal, checkpoint.journalOffset);
  if (tail.ino === undefined || tail.ino.toString() !== checkpoint.journalIno || tail.size < checkpoint.journalOffset) return false;
  const first = tail.entries[0]?.entry;
  if (first && (first.kind === 'header' || first.seq !== checkpoint.seq + 1)) return false;
  adoptFile(m, file);
  m.seq = checkpoint.seq;
  for (const [op, seq, tx, opFor] of checkpoint.ops) m.rememberOp(op, seq, tx, opFor);
  // The versions as of the checkpoint; the journal's tail adds the newer ones.
  if (checkpoint.versions !== undefined) m.versionsLoaded = m.versions.restore(checkpoint.versions);
  m.journalIno = tail.ino;
  applyJournalRead(m, tail);
  m.loadedFast = true;
  return true;
}

/** `vouchedBy`: the checkpoint that says this exact file is our own rewrite. */
function loadByReplay(m: ContextMemory, file: ParsedContextFile, vouchedBy?: Checkpoint): void {
  const journal = readJournal(m.fs, m.paths.journal, 0, m.options.readProgress?.('journal'));
  if (journal.ino === undefined || (journal.entries.length === 0 && journal.bad.length === 0)) {
    startJournal(m, file, journal);
    return;
  }
  const header = journal.entries[0]?.entry;
  if (header?.kind === 'header' && header.format > JOURNAL_FORMAT) {
    m.readOnlyReason = `the journal ${path.basename(m.paths.journal)} is format ${header.format}, newer than this version understands (${JOURNAL_FORMAT}); it opens read-only — update Tension Desk to write to it`;
    m.findings.push({ severity: 'error', kind: 'newer-format', file: m.paths.journal, message: m.readOnlyReason });
  }
  m.journalIno = journal.ino;
  let lastSnapshot: SnapshotSeen | undefined;
  applyJournalRead(m, journal, (snapshot) => (lastSnapshot = snapshot));
  m.versionsLoaded = true;
  const journalDamaged = journal.bad.length > 0;

  if (!file.exists && !file.link) {
    // Never written yet (a crash before the first rewrite) is normal; gone after being written is not.
    if (lastSnapshot !== undefined && m.materialized.size > 0) {
      m.findings.push({
        severity: 'warning',
        kind: 'file-missing',
        file: m.paths.file,
        message: `${path.basename(m.paths.file)} is missing; its records are rebuilt from the journal`,
      });
    }
  }
  if (!file.exists) {
    if (m.materialized.size > 0 || m.state.size > 0) m.markAllPending();
    return;
  }
  const matchesSnapshot = lastSnapshot !== undefined && file.identity !== undefined && lastSnapshot.size === file.identity.size && lastSnapshot.crc === file.identity.crc;
  if (matchesSnapshot && !journalDamaged && sameLines(file.map, m.materialized)) {
    m.rememberFile(file.identity);
    // Next time, open fast from here (not from a file with damaged lines: see writeHeaderAndBaseline).
    if (!m.readOnly && lastSnapshot && linesAreItsRecords(file)) tryWriteCheckpoint(m, lastSnapshot.size, lastSnapshot.crc, lastSnapshot.end, lastSnapshot.seq, irregularLinesOf(file.map.values()));
    return;
  }
  // A file that is our own last rewrite but differs from the journal's view: the journal lost
  // entries (damage, or cut short), and the file is where they survive, deletions included.
  const ours = (matchesSnapshot || vouchedBy !== undefined) && file.bad.length === 0;
  absorbFile(m, file, journalDamaged || ours ? 'recover' : 'external', ours ? ownRewriteAhead(m, journal, matchesSnapshot ? lastSnapshot : undefined, vouchedBy) : undefined);
}

/**
 * Our rewrite found where the journal does not end at it: how far the file goes in the journal's
 * sequence (its snapshot line's, or the checkpoint's when that line was lost with the journal's
 * end), and the keys the journal's commits changed after it. A journal cut before the rewrite
 * also lost the sequence numbers and operation ids of the commits the file holds: they are taken
 * back from the checkpoint, so the next commit does not reuse a number a backup or a history may
 * name, nor a retried operation run twice. Without a checkpoint of this journal (another file
 * since, or the journal replaced) nothing is known: the file is merged against the journal's view.
 */
function ownRewriteAhead(m: ContextMemory, journal: JournalRead, snapshot: SnapshotSeen | undefined, checkpoint: Checkpoint | undefined): OwnRewrite {
  let fileSeq: number;
  if (snapshot) fileSeq = snapshot.seq;
  else if (checkpoint && journal.ino !== undefined && checkpoint.journalIno === journal.ino.toString()) {
    fileSeq = checkpoint.seq;
    if (m.seq < checkpoint.seq) {
      m.seq = checkpoint.seq;
      for (const [op, seq, tx, opFor] of checkpoint.ops) if (!m.ops.has(op)) m.rememberOp(op, seq, tx, opFor);
    }
  } else return {};
  const changedAfterFile = new Set<string>();
  for (const { entry } of journal.entries) {
    if (entry.kind !== 'commit' || entry.seq <= fileSeq) continue;
    for (const change of entry.changes) changedAfterFile.add(keyOfChange(change));
  }
  // An edit the replay could not apply left the journal's form unknown: the file's stands.
  for (const key of m.editsSkipped) changedAfterFile.delete(key);
  return { changedAfterFile };
}


/**
 * The file as found, for the journal's first commit when it is written (at the first write or
 * the close): its records listed then, not in the open (130k records at 10k charts), from the
 * map the state adopted (never changed: the state copies it before its first change). Not the
 * parsed file itself, which holds the file's bytes.
 */
function baselineOf(m: ContextMemory, file: ParsedContextFile): FileBaseline {
  const map = file.map;
  return {
    get records() {
      return [...map.values()];
    },
    identity: file.identity,
    linesAreItsRecords: linesAreItsRecords(file),
    stateVersion: m.state.version,
  };
}

/** A context we have never journaled: the file as found becomes the journal's first commit. */
function startJournal(m: ContextMemory, file: ParsedContextFile, journal: JournalRead): void {
  adoptFile(m, file);
  // The file as found is the first version we know of, another program's (as its replay says).
  m.versions.adoptedFile(m.seq + 1, writtenAt(file.identity, m.clock()), file.map);
  m.versionsLoaded = true;
  if (m.readOnly || (!file.exists && journal.ino === undefined)) return;
  if (journal.ino === undefined) {
    // No journal yet (another program's file, seen for the first time): the open ends here and
    // the journal is started, the file as found its first commit, by the first write or the
    // engine's scheduled rewrite just after (journalPending). Writing a copy of every record
    // durably took longer than reading them; until then the file on disk is that state.
    m.pendingBaseline = baselineOf(m, file);
    return;
  }
  try {
    if (journal.tornTail) {
      // A crash while the journal was being started: its bytes go to .recovery/, then it starts over.
      m.recovery.saveBytes(m.paths.journal, journal.tornTail.start, journal.tornTail.bytes, 'interrupted start of the journal (never acknowledged)');
      cutJournal(m.fs, m.paths.journal, journal.endOffset);
    }
    writeHeaderAndBaseline(m, { records: file.records, identity: file.identity, linesAreItsRecords: linesAreItsRecords(file) });
  } catch (error) {
    // Opening never fails: the file is read as it is, and the journal is started by the next
    // write (which then reports the real cause, disk full or the like, if it persists).
    m.pendingBaseline = baselineOf(m, file);
    const failure = fromSystemError(error, 'Starting the journal', m.paths.journal, 'Nothing was changed.');
    m.findings.push({ severity: 'warning', kind: 'rewrite-failed', file: m.paths.journal, message: failure.message });
  }
}

/**
 * Reads what other processes appended to the journal since we last read it (refresh's first
 * step); a journal replaced or cut short since is loaded again from the start.
 */
export function catchUpJournal(m: ContextMemory): void {
  const now = statIdentity(m.fs, m.paths.journal);
  if (now === undefined && m.journalIno === undefined) return;
  if (now === undefined || now.ino !== m.journalIno || now.size < m.journalOffset) {
    // Started by another process from the very file this store holds: only what follows its start is read.
    if (now !== undefined && m.journalIno === undefined && adoptJournalStartedElsewhere(m, now.ino)) {
      m.othersReads += 1;
      return;
    }
    load(m); // replaced by recovery or an upgrade in another process, or started from another version of the file
    m.othersReads += 1;
    return;
  }
  if (now.size === m.journalOffset && !m.journalTornTail) return;
  applyJournalRead(m, readJournal(m.fs, m.paths.journal, m.journalOffset));
  m.othersReads += 1;
}
