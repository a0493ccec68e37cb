// Journaling a change: a commit appended durably and then applied to the store's memory, the
// journal started (with the file as found its first commit) or its torn tail cut off first, and
// the checkpoint a fast open starts from. The writing half of the journal (journalReplay.ts is
// the reading half); every other part that writes the journal (an open starting it, a peer's
// version taken in, a rewrite's snapshot line) goes through here.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { makeDirectoryDurably, syncDirectory } from './fileSystem.ts';
import { EngineError, fromSystemError } from './errors.ts';
import { type RecordSet } from './recordSet.ts';
import { applyOrderMoves, orderMoves, type OrderMove } from './recordOrder.ts';
import { encodeCommitLineSteps, encodeCommitLines, type CommitMeta } from './commitLines.ts';
import { runAtOnce, runInSlices, type Steps } from './steppedWork.ts';
import type { Slicing } from './atomicFile.ts';
import type { StoredRecord } from './records.ts';
import { encodeHeader, encodeSnapshot } from './journalFormat.ts';
import { refuseOtherUse } from './operationIntent.ts';
import { appendLinesDurably, cutJournal } from './journalFile.ts';
import { irregularLineSteps, statIdentity, type FileIdentity } from './contextFile.ts';
import { writeCheckpoint } from './checkpointFile.ts';
import type { CommitResult, ContextMemory, PendingChanges } from './contextMemory.ts';

/**
 * Appends a snapshot line naming a version of the file ours (our rewrite, or ours for an
 * instant before a peer's was swapped back), with the file's inode and times when they are
 * known to be that version's. Starts the journal first if need be. Throws when it cannot.
 */
export function appendSnapshotLine(m: ContextMemory, size: number, crc: string, stat?: { ino: bigint; mtimeNs: bigint; ctimeNs: bigint }): void {
  ensureJournalReady(m);
  const seq = m.seq + 1;
  const identity = stat ? { fileIno: stat.ino.toString(), fileMtimeNs: stat.mtimeNs.toString(), fileCtimeNs: stat.ctimeNs.toString() } : {};
  m.journalOffset = appendLinesDurably(m.fs, m.paths.journal, [encodeSnapshot({ seq, ts: m.clock().toISOString(), fileSize: size, fileCrc: crc, ...identity })], m.journalOffset);
  m.seq = seq;
}

/** Starts the journal of a context opened without one (journalPending), with its lines if made before (journalStartInSlices). Throws when it cannot be written. */
export function startPendingJournal(m: ContextMemory): void {
  if (m.journalPending) ensureJournalReady(m);
}

/** Journals a change (durably) and applies it. Under the lock, after refresh(). */
export function commitChanges(m: ContextMemory, changes: PendingChanges, meta: CommitMeta): CommitResult {
  if (m.readOnly) {
    throw new EngineError('READ_ONLY', `Cannot change ${path.basename(m.paths.file)}: ${m.readOnlyReason}.`, { file: m.paths.file, kept: 'Nothing was changed.' });
  }
  if (meta.op !== undefined) {
    const done = m.ops.get(meta.op);
    if (done) {
      refuseOtherUse(meta.op, done, meta.opFor);
      return { seq: done.seq, tx: done.tx, changed: 0, duplicate: true };
    }
  }
  const puts = changes.puts.filter((record) => m.state.get(record.key)?.raw !== record.raw);
  const present = changes.deletes.filter((key) => m.state.has(key));
  const deletes = withRepeatedLines(m.state, present);
  const moves = changes.order ? movesAfter(m, puts, deletes, changes.order) : [];
  const tx = randomUUID();
  if (puts.length + deletes.length + moves.length === 0 && meta.op === undefined && meta.fileDiffers === undefined) return { seq: m.seq, tx, changed: 0, duplicate: false };
  ensureJournalReady(m);
  const lines = encodeCommitLines((key) => m.state.get(key), { puts, deletes, verbatim: changes.verbatim }, meta, { firstSeq: m.seq + 1, tx, ts: m.clock().toISOString(), moves });
  const seq = m.seq + lines.length;
  try {
    m.journalOffset = appendLinesDurably(m.fs, m.paths.journal, lines, m.journalOffset);
  } catch (error) {
    if ((error as { cutBackFailed?: unknown }).cutBackFailed) {
      // The bytes may be on disk after all: say so, and reload from the journal next time.
      m.journalIno = -1n;
      throw fromSystemError(error, 'Saving the change', m.paths.journal, 'The change may have been saved despite this error: check the chart (or `tension history`) before trying again. Everything saved before is kept.');
    }
    throw fromSystemError(error, 'Saving the change', m.paths.journal, 'Nothing was changed; everything saved before is kept.');
  }
  m.seq = seq;
  m.applyInMemory({ puts, deletes });
  applyOrderMoves(m.state, moves);
  if (meta.op !== undefined) m.rememberOp(meta.op, seq, tx, meta.opFor);
  if (meta.fileDiffers) m.versions.close(seq, 'peer', meta.fileWritten ?? m.clock().getTime(), meta.fileDiffers);
  return { seq, tx, changed: puts.length + deletes.length, duplicate: false };
}

/**
 * A record another program wrote more than once is read as its first line, and the lines after
 * it are kept as opaque lines (contextFile.ts). Deleting the record deletes them too, as the MCP
 * servers do (they drop every line of the name): left in the file, the first of them would be
 * read as the record at the next open, bringing back what was deleted, with the repeat's text.
 * Verbatim changes too: a chart restored from a backup that lacks a record deletes it.
 */
function withRepeatedLines(state: RecordSet, deletes: string[]): string[] {
  let repeats: string[] | undefined;
  for (const key of deletes) for (const repeat of state.repeatsOf(key)) (repeats ??= []).push(repeat);
  // A set only when there are repeats: deleting a whole context names 1.3M keys at 100k charts.
  return repeats === undefined ? deletes : [...new Set([...deletes, ...repeats])];
}

/** The moves that give the wanted order once the puts and deletes are applied. */
function movesAfter(m: ContextMemory, puts: readonly StoredRecord[], deletes: readonly string[], wanted: Iterable<string>): OrderMove[] {
  const gone = new Set(deletes);
  const keys = [...m.state.keys()].filter((key) => !gone.has(key));
  for (const record of puts) if (!m.state.has(record.key)) keys.push(record.key);
  return orderMoves(keys, wanted);
}

/** Creates the journal if needed and cuts off a torn tail (saving its bytes first). */
export function ensureJournalReady(m: ContextMemory): void {
  if (m.journalIno === undefined) {
    const baseline = m.pendingBaseline;
    try {
      writeHeaderAndBaseline(m, baseline ?? { records: [], identity: undefined, linesAreItsRecords: true });
    } catch (error) {
      throw fromSystemError(error, 'Starting the journal', m.paths.journal, 'Nothing was changed.');
    }
    m.pendingBaseline = undefined;
    return;
  }
  if (m.journalTornTail) {
    const torn = m.journalTornTail;
    try {
      m.recovery.saveBytes(m.paths.journal, torn.start, torn.bytes, 'incomplete last entry (a write interrupted by a crash; never acknowledged)');
      cutJournal(m.fs, m.paths.journal, torn.start);
    } catch (error) {
      throw fromSystemError(error, 'Trimming an interrupted journal entry', m.paths.journal, 'Nothing was changed; everything saved before is kept.');
    }
    m.journalTornTail = undefined;
    m.journalOffset = torn.start;
  }
}

/** A context file as found, to become a new journal's first commit. */
export interface FileBaseline {
  /** Its records, in the file's order. */
  readonly records: readonly StoredRecord[];
  readonly identity: FileIdentity | undefined;
  /**
   * Its lines are its records one by one (contextFile.ts, linesAreItsRecords): none could not be
   * read (those are not among the records), none held several. Only then may a checkpoint vouch for it.
   */
  readonly linesAreItsRecords: boolean;
  /**
   * The state's version when its records were these (RecordSet.version): while it still is, the
   * journal start's look at which lines the quick reading misreads is a look at every record of
   * the state, and the rewrite after the first commit need not look again (IrregularRecords).
   */
  readonly stateVersion?: number;
}

/**
 * A journal's first lines, made for one baseline at one seq: the header, the baseline as its
 * first commit (in parts), the snapshot marker. Made before the lock, a slice at a time
 * (journalStartInSlices), or at once where the journal is started.
 */
export interface JournalStartLines {
  readonly baseline: FileBaseline;
  readonly fromSeq: number;
  readonly lines: readonly string[];
  /** The seq of the last line. */
  readonly seq: number;
  /** The baseline's lines read in full on a fast open (the checkpoint's). */
  readonly irregularLines: number[];
  /** The records on those lines. */
  readonly irregularRecords: StoredRecord[];
}

/**
 * Starts a journal. A file found without one (a peer's, or ours before a journal existed)
 * becomes the first commit, followed by a snapshot marker: the file is that state. Its lines
 * are those made before the lock (journalStartInSlices) when they are of this very baseline and
 * seq, finished here if they are still being made; otherwise they are made here.
 */
export function writeHeaderAndBaseline(m: ContextMemory, baseline: FileBaseline): void {
  const start = finishOrMake(m, baseline);
  const { identity } = baseline;
  makeDirectoryDurably(m.fs, path.dirname(m.paths.journal));
  const existing = statIdentity(m.fs, m.paths.journal);
  const offset = appendLinesDurably(m.fs, m.paths.journal, start.lines, existing?.size ?? 0);
  // The journal exists from here on, whatever fails next (so a retry does not start it twice).
  m.seq = start.seq;
  m.journalOffset = offset;
  m.journalIno = statIdentity(m.fs, m.paths.journal)?.ino ?? -1n;
  m.pendingBaseline = undefined;
  syncDirectory(m.fs, path.dirname(m.paths.journal));
  // A checkpoint lets the next open read the file's lines as our own, known good: not of a file
  // with damaged lines, or they would be read as records (the snapshot line above still names
  // the file, for the versions; the rewrite soon replaces it). Its lines are the records'.
  if (identity && baseline.linesAreItsRecords) tryWriteCheckpoint(m, identity.size, identity.crc, offset, start.seq, start.irregularLines);
  // The baseline is the state (nothing changed since it was read): its records were all looked at.
  if (baseline.stateVersion !== undefined && baseline.stateVersion === m.state.version) m.irregularRecords.checkedAll(start.irregularRecords);
}

/**
 * Makes the lines that start the journal of a context opened without one (journalPending), a
 * slice at a time before the lock is taken (the scheduled rewrite): at 100k charts making them
 * took 6-10 s of the engine's thread in one piece, every request waiting. They are kept in the
 * context's memory (journalStartUnderWay) for the start under the lock (finishOrMake). Nothing
 * is made when no journal is to be started or lines for it are made or being made already; what
 * is made is dropped when the baseline changed meanwhile (another program's version taken in, a
 * commit that started the journal) or the slicing stopped (the engine closing): the start under
 * the lock then makes its own. The baseline never changes once made (baselineOf).
 */
export async function journalStartInSlices(m: ContextMemory, slicing: Slicing): Promise<void> {
  const baseline = m.pendingBaseline;
  if (!m.journalPending || baseline === undefined || !slicing.current()) return;
  const known = m.journalStartUnderWay;
  if (known !== undefined) {
    if (known.baseline === baseline && known.fromSeq === m.seq) return;
    m.journalStartUnderWay = undefined; // of another baseline or seq: of no use any more
  }
  const fromSeq = m.seq;
  const current = () => slicing.current() && m.pendingBaseline === baseline && m.seq === fromSeq;
  const underWay: JournalStartUnderWay = { baseline, fromSeq, steps: journalStartSteps(m, baseline), made: undefined };
  m.journalStartUnderWay = underWay;
  try {
    // Finished meanwhile by a start that could not wait (finishOrMake): the baseline is no longer pending, current() is false.
    const made = await runInSlices(underWay.steps, { sliceMs: slicing.sliceMs, pause: () => slicing.pause(), current }, () => new EngineError('BUSY', 'The journal start made before the lock is no longer wanted.'));
    if (current() && m.journalStartUnderWay === underWay) underWay.made = made;
  } catch {
    // No longer wanted (the slicing stopped, the baseline changed): the start under the lock makes its own.
  } finally {
    if (m.journalStartUnderWay === underWay && underWay.made === undefined) m.journalStartUnderWay = undefined;
  }
}

/** The journal start's lines for one baseline at one seq: being made in slices, or made (`made`). */
export interface JournalStartUnderWay {
  readonly baseline: FileBaseline;
  readonly fromSeq: number;
  readonly steps: Steps<JournalStartLines>;
  made: JournalStartLines | undefined;
}

/**
 * The lines for this baseline now: those made before the lock, or those being made in slices
 * finished at once from where they are (their generator is paused between two steps while this
 * runs), or made from the start. The ones kept in memory go either way.
 */
function finishOrMake(m: ContextMemory, baseline: FileBaseline): JournalStartLines {
  const underWay = m.journalStartUnderWay;
  m.journalStartUnderWay = undefined;
  if (underWay !== undefined && underWay.baseline === baseline && underWay.fromSeq === m.seq) {
    if (underWay.made !== undefined) return underWay.made;
    // Undefined only from a generator already run to its end.
    const finished = runAtOnce(underWay.steps) as JournalStartLines | undefined;
    if (finished !== undefined) return finished;
  }
  return runAtOnce(journalStartSteps(m, baseline));
}

function* journalStartSteps(m: ContextMemory, baseline: FileBaseline): Steps<JournalStartLines> {
  const fromSeq = m.seq;
  const records = baseline.records;
  const lines = [encodeHeader(m.context, m.clock().toISOString())];
  let seq = fromSeq;
  if (records.length > 0) {
    const commit = yield* encodeCommitLineSteps(
      // The journal starts here: there is nothing before this commit to make a change against
      // (and a lookup of every record in the state cost 0.5 s at 100k charts).
      () => undefined,
      { puts: records, deletes: [], verbatim: true },
      // Another program's version (fileDiffers: exactly the state): a version the next
      // writer may have started from, made by a peer (fileVersions.ts).
      { origin: 'external', note: 'existing file adopted: its contents as found', fileDiffers: new Map() },
      { firstSeq: seq + 1, tx: randomUUID(), ts: m.clock().toISOString() },
    );
    lines.push(...commit);
    seq += commit.length;
  }
  if (baseline.identity) {
    seq += 1;
    lines.push(encodeSnapshot({ seq, ts: m.clock().toISOString(), fileSize: baseline.identity.size, fileCrc: baseline.identity.crc }));
  }
  const irregularLines = yield* irregularLineSteps(records);
  const irregularRecords = irregularLines.map((line) => records[line] as StoredRecord);
  return { baseline, fromSeq, lines, seq, irregularLines, irregularRecords };
}

/** Records where a fast open can start: the file of this size and CRC is the state at `seq`. */
export function tryWriteCheckpoint(m: ContextMemory, size: number, crc: string, journalOffset: number, seq: number, irregularLines: number[] | undefined): void {
  if (m.journalIno === undefined) return;
  writeCheckpoint(m.fs, m.paths.checkpoint, {
    journalIno: m.journalIno.toString(),
    journalOffset,
    seq,
    size,
    crc,
    ops: [...m.ops].map(([op, entry]) => (entry.for === undefined ? [op, entry.seq, entry.tx] : [op, entry.seq, entry.tx, entry.for])),
    ...(m.versionsLoaded ? { versions: m.versions.save(seq) } : {}),
    ...(irregularLines === undefined ? {} : { irregularLines }),
  });
}
