// The journal read into a store's memory: each entry applied in order (a commit's changes, a
// snapshot line naming a rewrite of the file), and the versions of the file rebuilt from it.
// The reading half of the journal (contextCommit.ts is the writing half), used by the open, by
// refresh's catch-up with other processes' appends, and by the judging of peers' versions.
import path from 'node:path';
import { SpliceMismatch, recordOfChange } from './journalChanges.ts';
import { applyOrderMoves } from './recordOrder.ts';
import { decodeFileDiffers } from './commitLines.ts';
import { identityOfKey, keyOfIdentity } from './records.ts';
import type { JournalCommit, JournalEntry, JournalSnapshot } from './journalFormat.ts';
import { readJournal, type JournalRead } from './journalFile.ts';
import { ContextMemory, type SnapshotSeen } from './contextMemory.ts';

/** Applies entries read from the journal, in order. */
export function applyJournalRead(m: ContextMemory, read: JournalRead, onSnapshot?: (s: SnapshotSeen) => void): void {
  for (const { entry, end } of read.entries) applyEntry(m, entry, end, onSnapshot);
  // A damaged entry may be one the snapshots read above had in their file.
  if (read.bad.length > 0) m.stateIsFile(undefined);
  for (const bad of read.bad) {
    m.findings.push({
      severity: 'error',
      kind: 'journal-bad-line',
      file: m.paths.journal,
      offset: bad.start,
      message: `${path.basename(m.paths.journal)}: damaged entry at byte ${bad.start} (${bad.reason})`,
    });
  }
  m.journalTornTail = read.tornTail;
  m.journalOffset = read.endOffset;
}

function applyEntry(m: ContextMemory, entry: JournalEntry, end: number, onSnapshot?: (s: SnapshotSeen) => void): void {
  if (entry.kind === 'header') return;
  m.seq = Math.max(m.seq, entry.seq);
  if (entry.kind === 'snapshot') {
    m.markMaterialized(entry.seq, Date.parse(entry.ts));
    // The file is now another process's rewrite. With its inode and times named, the next check
    // knows it by a stat while they still match (as it knows a rewrite of its own); without
    // them, by reading it and comparing the CRC.
    m.fileIdentity = { size: entry.fileSize, crc: entry.fileCrc, ...statNamedBy(entry) };
    m.fileCheckedAt = Date.now();
    m.fileDamage = [];
    m.rememberVersion(entry.fileSize, entry.fileCrc);
    // The rewrite holds exactly the journal up to its snapshot line, as the state now does: what
    // is derived from the state (the chart list) may be saved for that file, as for our own rewrite.
    // Not when the state may differ from it: an entry of the journal skipped (damaged, or an edit
    // that did not fit), or changes shown here that are not journaled (a read-only process's).
    const faithful = m.previewed.size === 0 && m.unjournaled.size === 0 && !m.findings.some((f) => f.kind.startsWith('journal-'));
    m.stateIsFile(faithful ? { size: entry.fileSize, crc: entry.fileCrc } : undefined);
    // Another process's rewrite, written just before its snapshot line.
    const written = BigInt(Date.parse(entry.ts)) * 1_000_000n;
    m.noteVersionTime(written);
    onSnapshot?.({ size: entry.fileSize, crc: entry.fileCrc, seq: entry.seq, end });
    return;
  }
  applyCommit(m, entry);
}

function applyCommit(m: ContextMemory, commit: JournalCommit): void {
  for (const change of commit.changes) {
    let effect;
    try {
      effect = recordOfChange(change, (key) => m.state.get(key));
    } catch (error) {
      if (!(error instanceof SpliceMismatch)) throw error;
      m.editsSkipped.add(error.key);
      // Only a journal that lost an earlier entry gets here: the context file still holds the record.
      m.findings.push({ severity: 'error', kind: 'journal-edit-mismatch', file: m.paths.journal, message: `${path.basename(m.paths.journal)}: entry ${commit.seq} edits ${identityOfKey(error.key).slice(0, 2).join(' ')}, which is not as that edit expects; the edit is skipped (recover takes the record from the context file)` });
      continue;
    }
    if ('put' in effect) m.put(effect.put);
    else m.remove(effect.del);
    if (m.editsSkipped.size > 0) m.editsSkipped.delete('put' in effect ? effect.put.key : effect.del);
  }
  if (commit.order) {
    applyOrderMoves(m.state, commit.order.map(([key, after]) => [keyOfIdentity(key), after === null ? null : keyOfIdentity(after)] as const));
    m.orderChanged = true;
  }
  if (commit.op !== undefined) m.rememberOp(commit.op, commit.seq, commit.tx, commit.opFor);
  // The file was another program's version after this commit.
  if (commit.fileDiffers) {
    const written = Date.parse(commit.fileWritten ?? commit.ts);
    m.versions.close(commit.seq, 'peer', written, decodeFileDiffers(commit.fileDiffers));
    m.noteVersionTime(BigInt(written) * 1_000_000n);
  }
}

/**
 * Rebuilds the known versions of the file from the journal (after a fast open, which skips the
 * replay): a replay of the journal up to where this store has read it, into a scratch store.
 */
export function loadVersions(m: ContextMemory): void {
  const scratch = new ContextMemory({ ...m.options, readOnly: true });
  replayJournal(scratch, m.journalOffset);
  m.versions.adopt(scratch.versions);
  m.versionsLoaded = true;
}

/** Applies the journal's entries that end at or before `upTo` (for loadVersions). */
function replayJournal(m: ContextMemory, upTo: number): void {
  const journal = readJournal(m.fs, m.paths.journal, 0);
  for (const { entry, end } of journal.entries) if (end <= upTo) applyEntry(m, entry, end);
}

/** The inode and times a snapshot line names, or none (-1) for a line from before they were written. */
function statNamedBy(snapshot: JournalSnapshot): { ino: bigint; mtimeNs: bigint; ctimeNs: bigint } {
  const none = { ino: -1n, mtimeNs: -1n, ctimeNs: -1n };
  if (snapshot.fileIno === undefined || snapshot.fileMtimeNs === undefined || snapshot.fileCtimeNs === undefined) return none;
  try {
    return { ino: BigInt(snapshot.fileIno), mtimeNs: BigInt(snapshot.fileMtimeNs), ctimeNs: BigInt(snapshot.fileCtimeNs) };
  } catch {
    return none; // not decimal digits: read the file, as for an older line
  }
}
