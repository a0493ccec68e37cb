// Whether a peer's version that lacks most of what the file last held may be a read cut short:
// its writer read the file while another program rewrote it in place (truncated, then written)
// and wrote back what it had read. Nothing is then taken as deleted from it (peerVersionIntake.ts).
//
// A cut read needs a writer rewriting the file in place at about the time the peer read it. Our
// own rewrites never are (a temporary file renamed or exchanged into place: a reader sees the old
// file or the new one whole), nor are the reference server's (saveGraph writes a temporary file
// and renames it). coaia-narrative, spiral-style writers and editors write in place. So a cut read
// is possible only when a version another program wrote lies within the race window of this one
// (peer versions are all we can tell apart: which of them were written in place is not kept).
// When every version around it is ours, what the file lacks was deleted: the newest chart of a
// small context, deleted by an assistant, leaves the start of the file, and it came back.
//
// One cut read stays possible without such a version: a read of the file just emptied (every
// in-place rewrite, of a file of any size, is empty for a moment), written back with the reader's
// own records. Its writer's version may have been replaced before any process of ours saw it, and
// taking it as a deletion would delete the whole context at once; a peer's deletion of every
// record leaves an empty file, which is taken as cut short anyway (peerVersionIntake.ts).
import type { StoredRecord } from './records.ts';
import type { ContextMemory } from './contextMemory.ts';
import { raceWindowMs } from './fileVersions.ts';
import { loadVersions } from './journalReplay.ts';
import { onlyWholeChartsTakenOut } from './chartsTakenOut.ts';

export interface PeerFile {
  /** The records of the file, by key, in file order. */
  readonly records: ReadonlyMap<string, StoredRecord>;
  /** When it was written (ms since the epoch). */
  readonly written: number;
  readonly bytes: number;
  /** Its writer drops every line of another type (they are not lost). */
  readonly linesDropped: boolean;
}

/**
 * True when the file lacks more than half (and at least 3) of the records the file last held
 * and may be a read cut short: written within the race window of the newest version we know, or
 * keeping only the start of what the file held; a cut read was possible then (above); and what
 * it lacks is not whole charts with records kept after them, a hole no cut leaves (chartsTakenOut.ts).
 */
export function mayBeCutRead(m: ContextMemory, file: PeerFile): boolean {
  return (
    lostMostRecords(m, file.records, file.linesDropped) &&
    (writtenSoonAfterAnother(m, file) || keptFromTheStart(m, file.records)) &&
    (keptNone(m, file.records) || inPlaceWriterNear(m, file)) &&
    !onlyWholeChartsTakenOut(m.materialized.values(), file.records, file.linesDropped)
  );
}

/**
 * True when the file lacks more than half (and at least 3) of the records the file last held
 * (lines of other types left out when its writer drops them all: they are not lost).
 */
function lostMostRecords(m: ContextMemory, records: ReadonlyMap<string, StoredRecord>, linesDropped: boolean): boolean {
  let held = 0;
  let lacking = 0;
  for (const record of m.materialized.values()) {
    if (linesDropped && record.kind === 'line') continue;
    held += 1;
    if (!records.has(record.key)) lacking += 1;
  }
  return lacking >= 3 && lacking * 2 > held;
}

/** True when the file was written within the race window of the newest version we know (or we know none). */
function writtenSoonAfterAnother(m: ContextMemory, file: PeerFile): boolean {
  if (!m.versionsLoaded) loadVersions(m);
  const newest = m.versions.newestTime;
  return newest === undefined || file.written - newest <= raceWindowMs(file.bytes);
}

/**
 * True when the records the file kept of what it last held are its first ones, in the file's
 * order or in the order peers write (entities, then relations): what a read of a file cut short
 * while being written keeps, whatever its writer added after them. None kept is such a start too.
 */
function keptFromTheStart(m: ContextMemory, records: ReadonlyMap<string, StoredRecord>): boolean {
  const held = recordsHeld(m);
  const grouped = [...held.filter((record) => record.kind === 'entity'), ...held.filter((record) => record.kind === 'relation')];
  const isPrefix = (order: readonly StoredRecord[]) => {
    let gap = false;
    for (const record of order) {
      if (!records.has(record.key)) gap = true;
      else if (gap) return false;
    }
    return true;
  };
  return isPrefix(held) || isPrefix(grouped);
}

/** True when the file keeps none of the entities and relations the file last held: a read of the file just emptied. */
function keptNone(m: ContextMemory, records: ReadonlyMap<string, StoredRecord>): boolean {
  return !recordsHeld(m).some((record) => records.has(record.key));
}

/** True when another program's version lies within the race window of this one: it may have been rewriting the file in place when this one's writer read it. */
function inPlaceWriterNear(m: ContextMemory, file: PeerFile): boolean {
  if (!m.versionsLoaded) loadVersions(m);
  return m.versions.peerVersionNear(file.written, raceWindowMs(file.bytes));
}

function recordsHeld(m: ContextMemory): StoredRecord[] {
  return [...m.materialized.values()].filter((record) => record.kind !== 'line');
}
