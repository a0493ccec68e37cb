// Taking in other writers' versions of the context file: the versions the observer read as
// they appeared, the file as it is now (a peer's rewrite, a symbolic link, a file removed), and
// how a version we did not write is judged (which version it started from, cut short or read
// mid-rewrite) and merged into the state and the journal, so that no writer's change vanishes
// unseen. Refresh's second step (contextLoading.ts catches up with the journal first); the
// rewrite (contextRewrite.ts) also comes here when a peer's version lands beside ours.
import path from 'node:path';
import { entityKey, sameLines, type StoredRecord } from './records.ts';
import { repeatedKey, type RecordSet } from './recordSet.ts';
import type { Origin } from './journalFormat.ts';
import { linesAreItsRecords, parseContextBytes, parseReadFile, readStable, sameStat, statIdentity, type FileIdentity, type ParsedContextFile } from './contextFile.ts';
import { absorbExternalVersion } from './externalMerge.ts';
import { absorbLateVersion } from './lateVersion.ts';
import { onlyWholeChartsTakenOut } from './chartsTakenOut.ts';
import { raceWindowMs } from './fileVersions.ts';
import type { ObservedVersion } from './versionObserver.ts';
import type { ContextMemory } from './contextMemory.ts';
import { loadVersions } from './journalReplay.ts';
import { appendSnapshotLine, commitChanges } from './contextCommit.ts';
import { broughtBackNote, keptDeletedNote } from '../../shared/externalChangeNotes.ts';

/**
 * Versions of the file another program wrote: first those the observer read as they appeared
 * (in order), then the file as it is now.
 */
export function takeInOtherVersions(m: ContextMemory): void {
  m.options.catchUpObserver?.();
  absorbObservedVersions(m);
  checkFile(m);
}

/** Queues a version of the file read by the observer; journaled by the next refresh. */
export function noteObservedVersion(m: ContextMemory, version: ObservedVersion): void {
  m.observed.push(version);
  // A bound, should refreshes stop (a full disk): the oldest go first.
  if (m.observed.length > 64) m.observed.shift();
}

/**
 * Runs `absorb`, which journals a version of the file that is not the one on disk now (one our
 * rewrite replaced, or one a killed rewrite displaced), and keeps what this store knows of the
 * disk as it was: absorbing sets it to that version, and the next look at the file would take
 * our own file for another program's.
 */
export function absorbingVersionNotOnDisk(m: ContextMemory, absorb: () => void): void {
  const onDisk = m.materialized;
  const onDiskIsFileMap = m.materializedIsFileMap;
  const identity = m.fileIdentity;
  const damage = m.fileDamage;
  const forceRewrite = m.forceRewrite;
  try {
    absorb();
  } finally {
    if (m.materialized !== onDisk) {
      m.pendAgainst(onDisk);
      m.materialized = onDisk;
      m.materializedIsFileMap = onDiskIsFileMap;
    }
    m.fileIdentity = identity;
    m.fileDamage = damage;
    m.forceRewrite ||= forceRewrite;
  }
}

/**
 * Journals the versions the observer read, in order, before the file as it is now: each one is
 * a version a later writer may have started from, and its records are then not lost if that
 * writer had not seen them. Versions already accounted for (ours, another of our processes'
 * rewrites, one absorbed before) are skipped.
 */
export function absorbObservedVersions(m: ContextMemory): void {
  const queue = m.observed.sort((a, b) => (a.identity.mtimeNs < b.identity.mtimeNs ? -1 : a.identity.mtimeNs > b.identity.mtimeNs ? 1 : 0));
  m.observed = [];
  for (const version of queue) {
    if (m.knownVersions.has(`${version.identity.size}:${version.identity.crc}`)) continue;
    const parsed = parseContextBytes(version.bytes);
    const file = { ...parsed, identity: version.identity, bytes: version.bytes, exists: true };
    // Read by the observer, but no newer than a version already taken in (the file itself,
    // read directly, or another process's rewrite, can overtake the observer's report): not
    // the newest version of the file.
    if (version.identity.mtimeNs <= m.newestVersionTime) absorbLateVersion(m, file);
    else {
      for (const bad of parsed.bad) m.noteBadLine(bad);
      absorbFile(m, file, 'external');
    }
  }
}

function checkFile(m: ContextMemory): void {
  const now = statIdentity(m.fs, m.paths.file);
  const known = m.fileIdentity;
  if (now?.link) {
    noteLinkedFile(m);
    return;
  }
  if (!now) {
    // An empty context whose file is gone has nothing to restore: no empty file is made again
    // (a context renamed or merged away leaves none behind, contexts/retiredFile.ts).
    if (known && m.state.size === 0 && m.materialized.size === 0 && !m.forceRewrite) {
      m.fileIdentity = undefined;
      return;
    }
    if (known || m.materialized.size > 0) {
      if (!m.forceRewrite) {
        m.findings.push({ severity: 'warning', kind: 'file-missing', file: m.paths.file, message: `${path.basename(m.paths.file)} was removed; it will be rewritten from the journal` });
      }
      m.fileIdentity = undefined;
      m.markAllPending();
    }
    return;
  }
  if (known && sameStat(known, now) && !racilyClean(m, known)) return;
  const read = readStable(m.fs, m.paths.file);
  if (!read) return;
  // Another program is still writing it (emptied and not yet filled, or cut a moment ago):
  // its version is taken when it is done (the watcher's next event, the next refresh).
  // Taken half-written, it would be judged a version and the ones just before it late.
  if (read.unsettled) return;
  // The version we know (another of our processes' rewrite, named by its snapshot line):
  // its size and CRC say so, and its 100k lines need not be parsed to learn nothing new.
  if (known && known.size === read.identity.size && known.crc === read.identity.crc) {
    m.rememberFile(read.identity);
    return;
  }
  const file = parseReadFile(read);
  for (const bad of file.bad) m.noteBadLine(bad);
  absorbFile(m, file, 'external');
}

/**
 * The context file is a symbolic link: it is not read through (a cloned folder could point it
 * anywhere); the records come from the journal and the next rewrite puts the file itself in
 * its place, leaving what the link pointed to untouched.
 */
export function noteLinkedFile(m: ContextMemory): void {
  if (!m.findings.some((f) => f.kind === 'linked-file')) {
    m.findings.push({
      severity: 'warning',
      kind: 'linked-file',
      file: m.paths.file,
      message: `${path.basename(m.paths.file)} is a symbolic link: Tension Desk does not read or write through it; its records come from the journal, and the next rewrite replaces the link with the file itself`,
    });
  }
  m.fileIdentity = undefined;
  m.markAllPending();
}

/** A quick look (one stat) whether the context file is no longer the one we last saw. */
export function fileMovedSinceCheck(m: ContextMemory): boolean {
  const known = m.fileIdentity;
  if (!known || known.ino === -1n) return false;
  const now = statIdentity(m.fs, m.paths.file);
  return now !== undefined && (now.ino !== known.ino || now.size !== known.size || now.mtimeNs !== known.mtimeNs);
}

/**
 * On a file system with whole-second timestamps, a peer's same-size rewrite within the second
 * of ours keeps size and mtime; until a check happens two seconds later, the content decides.
 */
export function racilyClean(m: ContextMemory, known: FileIdentity): boolean {
  if (known.mtimeNs % 1_000_000_000n !== 0n) return false;
  return m.fileCheckedAt - Number(known.mtimeNs / 1_000_000n) < 2_000;
}

/**
 * A file that is our own rewrite though the journal's replay does not end at it (contextLoading.ts):
 * `changedAfterFile`, when the journal can tell, the keys its commits changed after the rewrite.
 */
export interface OwnRewrite {
  readonly changedAfterFile?: ReadonlySet<string>;
}

/**
 * Merges a version of the file we did not write (or, `own`, our own rewrite that the journal lost
 * track of), journals the difference, adopts the file as on-disk truth.
 */
export function absorbFile(m: ContextMemory, file: ParsedContextFile, origin: Origin, own?: OwnRewrite): void {
  const fileIsOurs = own !== undefined;
  const truncated = !fileIsOurs && file.bad.length === 0 && isTruncatedCopy(m, file.bytes);
  // A cut inside a line can leave a fragment that still parses (half a "#" comment): not a record.
  const records = new Map(file.map);
  if (truncated && file.unterminatedKey !== undefined) records.delete(file.unterminatedKey);
  // A file that lost most of what the file last held may have been read while a peer was
  // rewriting it in place (truncate, then write: a moment in which it is empty or cut) and
  // written back from that. Nothing is taken as deleted from such a file, unless no such read
  // could explain it: written well after every version we know (no rewrite was in progress),
  // and what it kept is not how a cut file starts (peers deleting a chart among others); or
  // what it lacks is whole charts with records kept after them, a hole no cut leaves
  // (chartsTakenOut.ts: a chart with its steps deleted just after our write).
  const writerDropsOtherLines = !fileIsOurs && stateHoldsOtherLines(m) && !holdsOtherLines(records);
  const gutted =
    !fileIsOurs &&
    lostMostRecords(m, records, writerDropsOtherLines) &&
    (writtenSoonAfterAnother(m, file) || keptFromTheStart(m, records)) &&
    !onlyWholeChartsTakenOut(m.materialized.values(), records, writerDropsOtherLines);
  // Our own rewrite has no race to account for: its base is the newest version.
  const judgement = fileIsOurs ? undefined : judgePeerVersion(m, records, file);
  const result = absorbExternalVersion({
    file: records,
    base: judgement ? (key) => judgement.base(key) : (key) => m.versions.latest(key),
    ...(judgement
      ? {
          cameWithRacingPeerBase: (key: string) => judgement.cameWithRacingPeerBase(key),
          addedByPeerLongBefore: (key: string) => judgement.addedByPeerLongBefore(key),
          deletionRepeated: (key: string) => judgement.deletionRepeated(key),
        }
      : {}),
    otherKeys: m.versions.changedKeys(),
    current: m.state,
    absenceIsDeletion: fileIsOurs || (file.bad.length === 0 && !truncated && !gutted && origin === 'external'),
    ...(writerDropsOtherLines ? { droppedLine: (line: StoredRecord) => droppedNotDeleted(line, records) } : {}),
    fileIsOurs,
    ...(own?.changedAfterFile ? { changedAfterFile: own.changedAfterFile } : {}),
  });
  const notes: string[] = [];
  if (judgement && judgement.behind > 0) notes.push(`it started from the file as it was ${judgement.behind} versions ago`);
  if (result.keptFields > 0) notes.push(`kept fields the other writer dropped on ${result.keptFields} records`);
  if (result.lostRace > 0) notes.push(`kept ${result.lostRace} records the other writer had not seen`);
  if (result.restoredWith > 0) notes.push(broughtBackNote(result.restoredWith));
  if (result.keptWith > 0) notes.push(keptDeletedNote(result.keptWith));
  if (truncated) notes.push('the file was cut short; missing records restored');
  if (gutted) notes.push('the file lost more than half of its records at once (read while being rewritten?); nothing taken as deleted');
  if (file.bad.length > 0) notes.push(`${file.bad.length} unreadable lines; their records restored from the journal`);
  // Lines the writer dropped stay where they were among the records it kept.
  const order = writerDropsOtherLines ? withDroppedLines(records.keys(), m.state, result.deletes) : [...records.keys()];
  const changes = { puts: result.puts, deletes: result.deletes, verbatim: true, order };
  const changed = result.puts.length + result.deletes.length > 0 || !sameOrder(m.state.keys(), order);
  if (changed) {
    m.findings.push({
      severity: 'info',
      kind: 'external-change',
      file: m.paths.file,
      message: `${path.basename(m.paths.file)} was changed by another program: ${result.puts.length} records added or changed, ${result.deletes.length} removed${notes.length ? `; ${notes.join('; ')}` : ''}`,
    });
  }
  // The file as read is a version a later writer may have started from: it is journaled (with
  // where it differs from the state) whenever it changed anything or differs from the state.
  if (changed || result.overrides.size > 0) {
    if (m.readOnly) {
      m.applyInMemory(changes);
      m.state.reorder(order);
      m.versions.close(m.seq, 'peer', writtenAt(file.identity, m.clock()), result.overrides);
      // Seen, not journaled (a reader may not write): history shows them as pending.
      const seen = { ts: new Date(writtenAt(file.identity, m.clock())).toISOString(), note: ['change found in the context file, not yet saved in the journal (the next Tension Desk process that writes saves it)', ...notes].join('; ') };
      for (const record of result.puts) m.unjournaled.set(record.key, seen);
      for (const key of result.deletes) m.unjournaled.set(key, seen);
    } else commitChanges(m, changes, { origin, note: ['change found in the context file', ...notes].join('; '), fileDiffers: result.overrides, fileWritten: writtenAt(file.identity, m.clock()) });
  } else if (!fileIsOurs) journalSameVersion(m, file);
  else m.versions.close(m.seq, 'peer', writtenAt(file.identity, m.clock()));
  // What is on disk now is the file as read: it becomes our base; whatever differs is pending.
  const onDisk = records;
  m.materialized = onDisk;
  m.materializedIsFileMap = false;
  m.pendAgainst(onDisk);
  m.rememberFile(file.identity);
  m.fileDamage = file.bad;
  m.forceRewrite = file.bad.length > 0 || truncated;
}

/**
 * A file no journal line names that holds exactly the state: most often our own rewrite, swapped
 * into place by a process killed before its snapshot line. That line is written now, as the
 * rewrite would have: known only in memory, the version was judged again by the next process,
 * after more commits, as another program's file written from an older version, and what those
 * commits deleted came back. (The line also lets the next open match the file and open fast.)
 * Only for a file of the state's very lines: the same records in another key order or without
 * the fields a peer drops are "no change" to absorbFile, but named by a snapshot line, such a file
 * is taken by the next open for our own rewrite, its forms as ours (deletions made since undone,
 * metadata stripped: review). Not by a reader, nor before the journal is started; a journal
 * that refuses the line (a full disk) leaves the version known in memory only, as before.
 */
function journalSameVersion(m: ContextMemory, file: ParsedContextFile): void {
  const identity = file.identity;
  if (!m.readOnly && !m.journalPending && identity && linesAreItsRecords(file) && sameLines(file.map, m.state)) {
    try {
      appendSnapshotLine(m, identity.size, identity.crc, identity.ino >= 0n ? identity : undefined);
      // As a replay of the line closes it: a version of ours, of our commits' records.
      m.versions.close(m.seq, 'ours', m.clock().getTime());
      return;
    } catch {
      // Known in memory only (below).
    }
  }
  m.versions.close(m.seq, 'peer', writtenAt(identity, m.clock()));
}

/** True when the context holds a line of another type (counted as the contexts list counts: no scan after the first). */
function stateHoldsOtherLines(m: ContextMemory): boolean {
  const { entities, relations } = m.state.kindCounts();
  return m.state.size > entities + relations;
}

/** True when some line of the file is neither an entity nor a relation (a comment, an `_aim` marker, a legacy narrative_beat...). */
function holdsOtherLines(records: ReadonlyMap<string, StoredRecord>): boolean {
  for (const record of records.values()) if (record.kind === 'line') return true;
  return false;
}

/**
 * A line of another type the file lacks, its writer dropping every such line: dropped, not
 * deleted, unless it repeats a record (the reference server writes a repeated line back, so it
 * went as meant) or the file holds an entity of the line's name (coaia-narrative turns a legacy
 * narrative_beat line into one).
 */
function droppedNotDeleted(line: StoredRecord, file: ReadonlyMap<string, StoredRecord>): boolean {
  if (repeatedKey(line.raw) !== undefined) return false;
  const name = nameOfLine(line.raw);
  return name === undefined || !file.has(entityKey(name));
}

function nameOfLine(raw: string): string | undefined {
  if (!raw.includes('"name"')) return undefined;
  try {
    const value = JSON.parse(raw) as { name?: unknown } | null;
    return typeof value?.name === 'string' ? value.name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The file's order with what the state keeps beyond it (lines the writer dropped, records it
 * never saw or lost to a cut) where it was: each after the record of the file it came after in
 * the state (the first ones before them all). Left to the reorder, they would all go last.
 */
function withDroppedLines(fileOrder: Iterable<string>, state: RecordSet, deletes: readonly string[]): string[] {
  const inFile = new Set(fileOrder);
  const deleted = new Set(deletes);
  const after = new Map<string | null, string[]>();
  let anchor: string | null = null;
  for (const key of state.keys()) {
    if (inFile.has(key)) anchor = key;
    else if (!deleted.has(key)) {
      const list = after.get(anchor);
      if (list) list.push(key);
      else after.set(anchor, [key]);
    }
  }
  const order = [...(after.get(null) ?? [])];
  for (const key of inFile) order.push(key, ...(after.get(key) ?? []));
  return order;
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
function writtenSoonAfterAnother(m: ContextMemory, file: ParsedContextFile): boolean {
  if (!m.versionsLoaded) loadVersions(m);
  const newest = m.versions.newestTime;
  return newest === undefined || writtenAt(file.identity, m.clock()) - newest <= raceWindowMs(file.bytes.length);
}

/**
 * True when the records the file kept of what it last held are its first ones, in the file's
 * order or in the order peers write (entities, then relations): what a read of a file cut short
 * while being written keeps, whatever its writer added after them. None kept is such a start
 * too (a read of the file just emptied to be written, then the reader's own record written
 * back): a peer's deletion of every record is therefore not taken as one (its journal has it).
 */
function keptFromTheStart(m: ContextMemory, records: ReadonlyMap<string, StoredRecord>): boolean {
  const held = [...m.materialized.values()].filter((record) => record.kind !== 'line');
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

/** Which version we know of a peer's file started from (the versions are rebuilt from the journal first if need be). */
function judgePeerVersion(m: ContextMemory, records: ReadonlyMap<string, StoredRecord>, file: ParsedContextFile) {
  if (!m.versionsLoaded) loadVersions(m);
  return m.versions.judge(records, writtenAt(file.identity, m.clock()), file.bytes.length);
}

/**
 * True when the file's bytes are a strict prefix of what we last wrote, cut inside a line or
 * just after a newline: it was cut short, not edited. A prefix that ends exactly at the end of
 * a line without its newline is how peers write a file (no final newline) after deleting the
 * trailing records, so that counts as their version.
 */
function isTruncatedCopy(m: ContextMemory, bytes: Buffer): boolean {
  let offset = 0;
  for (const record of m.materialized.values()) {
    const line = Buffer.from(`${record.raw}\n`, 'utf8');
    const remaining = bytes.length - offset;
    if (remaining <= 0) return true;
    const span = Math.min(line.length, remaining);
    if (bytes.compare(line, 0, span, offset, offset + span) !== 0) return false;
    if (remaining < line.length) return remaining !== line.length - 1;
    offset += line.length;
  }
  return false;
}

/** True when the keys the two sequences share come in the same order in both. */
function sameOrder(a: Iterable<string>, b: Iterable<string>): boolean {
  const right = new Set(b);
  const left = [...a].filter((key) => right.has(key));
  const shared = new Set(left);
  let i = 0;
  for (const key of right) {
    if (!shared.has(key)) continue;
    if (left[i] !== key) return false;
    i += 1;
  }
  return true;
}

/** When a version of the file was written: its mtime, or now if unknown (ms since the epoch). */
export function writtenAt(identity: FileIdentity | undefined, now: Date): number {
  return identity && identity.mtimeNs > 0n ? Number(identity.mtimeNs / 1_000_000n) : now.getTime();
}
