// recover: repairs what verify reports. Damaged bytes are copied to .recovery/ (never deleted);
// their records come back from the journal, or, where the journal does not hold them, from the
// newest good backup; what can still be read of a line neither holds is kept in
// .recovery/found-in-damaged-lines.jsonl; every action is one line in
// .recovery/recovery-YYYY-MM-DD.log. What a repair will do is planned first (planContextRepair),
// and the recovery wizard previews that same plan.
import path from 'node:path';
import type { Engine } from './engine.ts';
import { EngineError } from './errors.ts';
import { readJournal, type JournalRead } from './journalFile.ts';
import { crc32Hex, type JournalEntry } from './journalFormat.ts';
import { replayEntries } from './journalEntriesReplay.ts';
import { removeQuietly, replaceFileAtomically, writeVerifiedTemp } from './atomicFile.ts';
import { readFileIfExists, syncDirectory, writeAll } from './fileSystem.ts';
import { parseContextBytes, serializeRecords, statIdentity, type BadLine } from './contextFile.ts';
import { contextPaths } from './dataRoot.ts';
import { entityKey, identityOfKey, relationKey, type StoredRecord } from './records.ts';
import { keysOfJournalLine } from './damagedJournalEntry.ts';
import { listBackups, type BackupInfo } from './backups.ts';
import { readBackupContext } from './backupChecking.ts';
import type { ContextStore } from './contextStore.ts';
import { RecordSet } from './recordSet.ts';
import { salvageLine } from './damagedLineSalvage.ts';
import { removeCheckpoint } from './checkpointFile.ts';

export interface RecoveryAction {
  readonly context: string;
  readonly action: string;
}

export interface RecoveryReport {
  readonly actions: readonly RecoveryAction[];
  /** Damage that neither the journal nor a backup could make good (its bytes are in .recovery/). */
  readonly unrecovered: readonly string[];
}

export function recoverAll(engine: Engine, contexts?: string[]): Promise<RecoveryReport> {
  if (engine.readOnly) return Promise.reject(new EngineError('READ_ONLY', `Cannot recover: ${engine.readOnlyReason}. Nothing was changed.`, { kept: 'Nothing was changed.' }));
  return engine.withLock(() => {
    const actions: RecoveryAction[] = [];
    const unrecovered: string[] = [];
    for (const context of contexts ?? engine.listContextNames()) {
      recoverContext(engine, context, actions, unrecovered);
    }
    return { actions, unrecovered };
  });
}

/** Under the lock: repairs one context (what recoverAll does for each). */
export function recoverContextUnderLock(engine: Engine, context: string): RecoveryReport {
  const actions: RecoveryAction[] = [];
  const unrecovered: string[] = [];
  recoverContext(engine, context, actions, unrecovered);
  return { actions, unrecovered };
}

function recoverContext(engine: Engine, context: string, actions: RecoveryAction[], unrecovered: string[]): void {
  const say = (action: string) => {
    actions.push({ context, action });
    engine.recovery.log(`[${context}] ${action}`);
  };
  // 1. Load afresh, and decide where every damaged line's record comes from (the same plan the
  //    recovery wizard previews: recoveryAnalysis.ts).
  const { store, journal, lines, journalEntries } = planContextRepair(engine, context, { fresh: true });
  const paths = store.paths;

  // 2. The journal: damaged entries are copied out and the journal rewritten without them.
  //    The load above already recorded, as a 'recover' commit, what the context file shows of them.
  const restoredForEntries = new Set<string>();
  if (journal.bad.length > 0 || journal.tornTail) {
    for (const bad of journal.bad) engine.recovery.saveBytes(paths.journal, bad.start, bad.bytes, bad.reason);
    if (journal.tornTail) engine.recovery.saveBytes(paths.journal, journal.tornTail.start, journal.tornTail.bytes, 'interrupted last entry');
    // What those entries made that neither the rest of the journal nor the context file holds:
    // from the newest backup made after the entry holding it (planDamagedEntries). Committed
    // before the entries are cut out: a process stopped between the two leaves the damage for
    // the next repair to find, not a journal that no longer says what was lost.
    const fromBackups = journalEntries.flatMap((entry) => entry.records.flatMap(({ source }) => (source.from === 'backup' ? [source.record] : [])));
    if (fromBackups.length > 0) {
      for (const record of fromBackups) restoredForEntries.add(record.key);
      store.commit({ puts: fromBackups, deletes: [] }, { origin: 'recover', note: `restored ${fromBackups.length} records of damaged journal entries from backups` });
    }
    // The commit (if any) cut an interrupted last entry and appended after the rest.
    const bytes = readFileIfExists(engine.fs, paths.journal) ?? Buffer.alloc(0);
    const end = fromBackups.length > 0 ? bytes.length : journal.endOffset;
    const keep: Buffer[] = [];
    let at = 0;
    for (const bad of journal.bad) {
      keep.push(bytes.subarray(at, bad.start));
      at = bad.end;
    }
    keep.push(bytes.subarray(at, end));
    replaceFileAtomically(engine.fs, paths.journal, Buffer.concat(keep));
    removeCheckpoint(engine.fs, paths.checkpoint);
    say(`removed ${journal.bad.length} damaged journal entries${journal.tornTail ? ' and an interrupted last entry' : ''} from ${path.basename(paths.journal)} (bytes kept in .recovery/)`);
    if (fromBackups.length > 0) say(`restored ${fromBackups.length} records of damaged journal entries from the newest backup holding them`);
    for (const entry of journalEntries) {
      for (const { key, source } of entry.records) {
        if (source.from !== 'nowhere') continue;
        const before = store.state.has(key) ? 'kept as the journal had it before the entry' : 'left out, as before the entry';
        unrecovered.push(`${path.basename(paths.journal)} byte ${entry.bad.start}: a damaged entry named ${describeKey(key)}; neither the context file nor a backup made after the entry holds what it made of it, so it is ${before} (the entry's bytes are in .recovery/)`);
      }
    }
  }

  // 3. The context file: unreadable lines whose records the journal does not hold come from a backup.
  if (lines.length > 0) {
    // A record a damaged journal entry changed was restored with that entry's records above.
    const restored = lines.flatMap((line) => (line.source.from === 'backup' && !restoredForEntries.has(line.source.record.key) ? [line.source.record] : []));
    const missing = lines.filter((line) => line.source.from !== 'journal');
    const lost = lines.filter((line) => line.source.from === 'nowhere');
    for (const { bad } of lost) {
      unrecovered.push(`${path.basename(paths.file)} byte ${bad.start}: ${bad.reason}; no journal entry or backup holds this line (its bytes are in .recovery/)`);
    }
    if (restored.length > 0) {
      store.commit({ puts: restored, deletes: [] }, { origin: 'recover', note: `restored ${restored.length} records from backups` });
      say(`restored ${restored.length} records of unreadable lines from the newest backup holding them`);
    }
    const deleted = lines.filter((line) => line.source.from === 'journal' && line.source.deleted).length;
    say(`${lines.length} unreadable lines in ${path.basename(paths.file)} copied to .recovery/; their records ${missing.length === 0 ? 'were restored from the journal' : 'restored where a journal or backup holds them'}${deleted > 0 ? ` (${deleted} of them held records deleted since, which stay deleted)` : ''}`);
    if (lost.length > 0) keepFoundInDamagedLines(engine, context, paths.file, lost.map((line) => line.bad), say);
  }

  // 4. Rewrite the context file from the journal's state (this copies damaged bytes first;
  //    lines the store does not know of, see damagedLinesOnDisk, are copied here).
  if (lines.length > 0 && store.damagedLines().length === 0) {
    for (const { bad } of lines) engine.recovery.saveBytes(paths.file, bad.start, bad.bytes, `${bad.reason}; copied before the file was rewritten`);
  }
  if (store.needsRewrite) {
    store.materialize();
    say(`rewrote ${path.basename(paths.file)} from the journal`);
  } else if (lines.length > 0) {
    if (rewriteAroundDamage(engine, store)) say(`rewrote ${path.basename(paths.file)} from the journal`);
    else unrecovered.push(`${path.basename(paths.file)} was changed by another program during the repair; it was not rewritten (run the repair again)`);
  }
  engine.forget(context);
  engine.storeForLockedWork(context);
}

/**
 * Where a damaged line's record comes from: the journal (`deleted`: the journal removed the
 * record since, and it stays removed), a backup (with that backup's copy), or nowhere.
 */
export type LineSource =
  | { readonly from: 'journal'; readonly deleted?: true }
  | { readonly from: 'backup'; readonly backup: string; readonly created: string; readonly record: StoredRecord }
  | { readonly from: 'nowhere' };

export interface LinePlan {
  readonly bad: BadLine;
  /** The record the line held, when its name (or relation ends) can still be read in it. */
  readonly key: string | undefined;
  readonly source: LineSource;
}

/**
 * Where a record a damaged journal entry named comes from: the journal (a readable entry after
 * the damaged one changed it again), the context file, a backup, or nothing.
 */
export type EntryRecordSource =
  | { readonly from: 'journal' }
  | { readonly from: 'context-file' }
  | { readonly from: 'backup'; readonly backup: string; readonly created: string; readonly record: StoredRecord }
  | { readonly from: 'nowhere' };

export interface JournalEntryPlan {
  readonly bad: JournalRead['bad'][number];
  /** The records the entry named (as far as its bytes can still be read). */
  readonly records: readonly { readonly key: string; readonly source: EntryRecordSource }[];
}

export interface ContextRepairPlan {
  readonly store: ContextStore;
  readonly journal: JournalRead;
  readonly lines: readonly LinePlan[];
  readonly journalEntries: readonly JournalEntryPlan[];
  /** The context as the repair leaves it: the journal's state and the records restored from backups. */
  readonly result: RecordSet;
}

/**
 * Under the lock: what repairing a context does, decided without changing anything but the
 * cache (with `fresh`, as the repair itself runs: the checkpoint is dropped so the whole journal
 * is read and damage anywhere in it is seen). The repair and the wizard's preview both use it.
 */
export function planContextRepair(engine: Engine, context: string, options: { fresh?: boolean } = {}): ContextRepairPlan {
  // The journal's state is authoritative; differences in the file are absorbed by the load.
  // Fresh: the whole journal is replayed, and the checkpoint dropped only after the load, which
  // it still tells that the file is our own rewrite (a journal whose last snapshot line is
  // damaged lost what the file holds, deletions included: contextLoading.ts, ownRewriteAhead).
  engine.forget(context);
  const store = engine.storeForLockedWork(context, { replayWholeJournal: options.fresh === true });
  if (options.fresh) removeCheckpoint(engine.fs, contextPaths(engine.layout, context).checkpoint);
  const journal = readJournal(engine.fs, store.paths.journal, 0);
  const backups = new BackupLookup(engine, context);
  const journalEntries = planDamagedEntries(engine, store, journal, backups);
  // A record a damaged entry changed comes back as the entry's plan says, whatever its line shows.
  const newestElsewhere = new Map<string, EntryRecordSource>();
  for (const entry of journalEntries) for (const { key, source } of entry.records) if (source.from === 'backup' || source.from === 'nowhere') newestElsewhere.set(key, source);
  const lines = planDamagedLines(engine, store, journal, backups, newestElsewhere);
  const result = new RecordSet();
  for (const record of store.state.values()) result.set(record);
  for (const line of lines) if (line.source.from === 'backup') result.set(line.source.record);
  for (const entry of journalEntries) for (const { source } of entry.records) if (source.from === 'backup') result.set(source.record);
  return { store, journal, lines, journalEntries, result };
}

/**
 * Where each record a damaged journal entry named comes from. The journal's version of it is
 * the one before the entry (or none), so it is the newest only when a readable entry after the
 * damaged one changed it again. Otherwise the context file holds its newest version when the file
 * was written after the entry, shows a change of the record, and the load took that version in;
 * else the newest backup made after the entry that holds another version than the journal's (one
 * that holds the journal's is a copy of this damage: the safety backup a repair makes first);
 * else nothing does, and the entry's change is lost (reported, never replaced quietly by the
 * older version).
 */
function planDamagedEntries(engine: Engine, store: ContextStore, journal: JournalRead, backups: BackupLookup): JournalEntryPlan[] {
  if (journal.bad.length === 0) return [];
  const named = journal.bad.map((bad) => ({ bad, keys: keysOfJournalLine(bad.bytes) }));
  const last = lastChangesOf(journal, new Set(named.flatMap(({ keys }) => keys)));
  const file = contextFileAsFound(engine, store, journal);
  // A key several damaged entries named is decided by the last of them (its newest change).
  const lastDamaged = new Map<string, number>();
  for (const { bad, keys } of named) for (const key of keys) lastDamaged.set(key, Math.max(lastDamaged.get(key) ?? -1, bad.start));
  return named.map(({ bad, keys }) => {
    // One of our rewrites made before the entry cannot show it.
    const fileAfter = file !== undefined && !(file.rewrittenBefore !== undefined && file.rewrittenBefore <= bad.start);
    const madeWithEntry = file !== undefined && rewriteMadeWithEntry(journal, bad, file);
    const before = fileAfter && !madeWithEntry ? versionsBefore(journal, new Set(keys), bad.start) : undefined;
    const after = timeOfDamagedEntry(journal, bad);
    return {
      bad,
      records: keys.map((key): { key: string; source: EntryRecordSource } => {
        const later = last.get(key);
        if (later && later.start > bad.start) return { key, source: { from: 'journal' } };
        // A later damaged entry changed it again: that entry's plan decides it.
        if ((lastDamaged.get(key) ?? -1) > bad.start) return { key, source: { from: 'journal' } };
        const current = store.state.get(key);
        if (fileAfter) {
          // A later rewrite may have been made once the entry was damaged, from a state without
          // its change (the app opening the damaged folder; the close of a process whose repair
          // stopped part-way), a damaged line of the record going to .recovery/ then: it shows
          // the entry's change only where it differs from what the journal held before the
          // entry. An absence says so only in a file without damaged lines.
          const line = file.records.get(key);
          const held = before?.get(key)?.raw;
          const shows = madeWithEntry || (line ? line.raw !== held : held !== undefined);
          if (shows && (line ? line.raw === current?.raw : current === undefined && file.damaged === 0)) return { key, source: { from: 'context-file' } };
        }
        const found = after === undefined ? undefined : backups.find(key, { after, unlike: current });
        return { key, source: found ? { from: 'backup', ...found } : { from: 'nowhere' } };
      }),
    };
  });
}

/**
 * True when the file is, byte for byte, the rewrite the process that wrote a damaged entry made
 * right after it, while the entry was whole: the next line of the journal is a snapshot (no
 * other commit between) whose seq follows the entry's (read from its bytes). A process that read
 * the journal with the entry damaged numbers its next line as if the entry were not there (the
 * same seq as the entry, or lower): its rewrite, made without the entry's change (after a crash
 * before the rewrite, the next command's), does not show it.
 */
function rewriteMadeWithEntry(journal: JournalRead, bad: JournalRead['bad'][number], file: { size: number; crc: string }): boolean {
  const next = journal.entries.find(({ start }) => start > bad.start)?.entry;
  const seq = /"seq"\s*:\s*(\d+)/.exec(bad.bytes.toString('utf8'))?.[1];
  return next?.kind === 'snapshot' && seq !== undefined && next.seq === Number(seq) + 1 && next.fileSize === file.size && next.fileCrc === file.crc;
}

/**
 * The context file as it is on disk, read again (the store's state has absorbed it): its
 * readable records, how many lines did not read, and, when it is one of our rewrites, where in
 * the journal its last snapshot line is (it holds no commit after that). Undefined when missing.
 */
function contextFileAsFound(
  engine: Engine,
  store: ContextStore,
  journal: JournalRead,
): { records: ReadonlyMap<string, StoredRecord>; damaged: number; rewrittenBefore: number | undefined; size: number; crc: string } | undefined {
  const bytes = readFileIfExists(engine.fs, store.paths.file);
  if (!bytes) return undefined;
  const parsed = parseContextBytes(bytes);
  const crc = crc32Hex(bytes);
  const snapshot = journal.entries.findLast(({ entry }) => entry.kind === 'snapshot' && entry.fileSize === bytes.length && entry.fileCrc === crc);
  return { records: parsed.map, damaged: parsed.bad.length, rewrittenBefore: snapshot?.start, size: bytes.length, crc };
}

/** What the journal's readable entries before byte `offset` made of each of `keys` (absent: nothing, or deleted). */
function versionsBefore(journal: JournalRead, keys: ReadonlySet<string>, offset: number): Map<string, StoredRecord | undefined> {
  const versions = new Map<string, StoredRecord | undefined>();
  replayEntries(
    (each) => {
      for (const { entry, start } of journal.entries) if (start < offset) each(entry);
    },
    (key) => keys.has(key),
    (key, _entry, record) => versions.set(key, record),
  );
  return versions;
}

/**
 * When a damaged entry was written, as far as can be told: the time it names, if that reads and
 * is not before the readable entry in front of it; else the time of the readable entry after it
 * (written later). A backup made after that time holds what the entry did.
 */
function timeOfDamagedEntry(journal: JournalRead, bad: JournalRead['bad'][number]): string | undefined {
  const timeOf = (entry: JournalEntry | undefined) => (entry && entry.kind !== 'header' ? entry.ts : undefined);
  const before = timeOf(journal.entries.findLast(({ start }) => start < bad.start)?.entry);
  const named = /"ts"\s*:\s*"([^"]*)"/.exec(bad.bytes.toString('utf8'))?.[1];
  if (named !== undefined && !Number.isNaN(Date.parse(named)) && (before === undefined || Date.parse(named) >= Date.parse(before))) return named;
  return timeOf(journal.entries.find(({ start }) => start > bad.start)?.entry);
}

/**
 * Records the journal holds that the file lacks are what the damaged lines held (restored from
 * the journal). A damaged line whose name can still be read is matched by it; any other (its
 * name damaged too, or unreadable) is accounted for by one of the remaining records. Only a
 * line left over, whose record is in neither, is looked for in the backups, newest first.
 */
function planDamagedLines(engine: Engine, store: ContextStore, journal: JournalRead, backups: BackupLookup, newestElsewhere: ReadonlyMap<string, EntryRecordSource>): LinePlan[] {
  const damaged = store.damagedLines().length > 0 ? store.damagedLines() : damagedLinesOnDisk(engine, store);
  if (damaged.length === 0) return [];
  const fromJournal = new Set(store.keysMissingFromFile());
  const guessed = damaged.map((bad) => ({ bad, key: guessKey(bad) }));
  // The record each matched line held (the journal's version of it is its newest unless a
  // damaged journal entry changed it: then it comes from where that entry's plan says).
  const matched = new Map<BadLine, string>();
  for (const { bad, key } of guessed) {
    if (key !== undefined && (fromJournal.delete(key) || store.state.has(key))) matched.set(bad, key);
  }
  // A line naming a record the journal does not hold is a damaged copy of one the file lacks
  // only when its bytes are that record's line but for a few (a flipped byte in the name). Any
  // other such line is a record of its own (another program's): it was taken for whichever
  // record was missing, reported "from journal", and lost.
  for (const { bad, key } of guessed) {
    if (key === undefined || matched.has(bad)) continue;
    for (const missing of fromJournal) {
      const record = store.state.get(missing);
      if (record && nearlyTheLine(record.raw, bad.bytes)) {
        fromJournal.delete(missing);
        matched.set(bad, missing);
        break;
      }
    }
  }
  // A line naming a record the journal removed is that record's stale line (the file was not
  // rewritten after the deletion: a crash, a full disk): the acknowledged deletion stands, and
  // only a backup made after it can hold the record again (another program wrote it back).
  const removals = lastChangesOf(journal, new Set(guessed.flatMap(({ bad, key }) => (key !== undefined && !matched.has(bad) && !store.state.has(key) ? [key] : []))));
  const spare = [...fromJournal];
  const fromEntryPlan = (key: string): LineSource | undefined => {
    const source = newestElsewhere.get(key);
    return source?.from === 'backup' || source?.from === 'nowhere' ? source : undefined;
  };
  return guessed.map(({ bad, key }) => {
    const held = matched.get(bad);
    if (held !== undefined) return { bad, key, source: fromEntryPlan(held) ?? ({ from: 'journal' } as const) };
    // A line whose record cannot be named may be one the journal holds that the file lacks.
    const unnamed = key === undefined ? spare.shift() : undefined;
    if (unnamed !== undefined) return { bad, key, source: fromEntryPlan(unnamed) ?? ({ from: 'journal' } as const) };
    const planned = key === undefined ? undefined : fromEntryPlan(key);
    if (planned) return { bad, key, source: planned };
    const removed = key === undefined ? undefined : removals.get(key);
    if (removed?.deleted) {
      const found = backups.find(key as string, { after: removed.ts });
      return { bad, key, source: found ? ({ from: 'backup', ...found } as const) : ({ from: 'journal', deleted: true } as const) };
    }
    const found = key ? backups.find(key) : undefined;
    return { bad, key, source: found ? ({ from: 'backup', ...found } as const) : ({ from: 'nowhere' } as const) };
  });
}

/** What the journal's readable entries last did to a record: when, at which byte, and whether it removed it. */
interface LastChange {
  readonly ts: string;
  readonly start: number;
  readonly deleted: boolean;
}

/** The last change the journal's readable entries made to each of `keys` (a key they never touched is absent). */
function lastChangesOf(journal: JournalRead, keys: ReadonlySet<string>): Map<string, LastChange> {
  const last = new Map<string, LastChange>();
  if (keys.size === 0) return last;
  const starts = new Map<JournalEntry, number>(journal.entries.map(({ entry, start }) => [entry, start]));
  replayEntries(
    (each) => journal.entries.forEach(({ entry }) => each(entry)),
    (key) => keys.has(key),
    (key, entry, record) => last.set(key, { ts: entry.ts, start: starts.get(entry) ?? 0, deleted: record === undefined }),
  );
  return last;
}

/** True when damaged bytes are a record's line cut short, or but for a few bytes changed in place (at most 1 in 20). */
function nearlyTheLine(raw: string, damaged: Buffer): boolean {
  const line = Buffer.from(raw, 'utf8');
  const bytes = damaged[damaged.length - 1] === 10 ? damaged.subarray(0, -1) : damaged;
  if (bytes.length < line.length && line.subarray(0, bytes.length).equals(bytes)) return true;
  if (Math.abs(line.length - bytes.length) > 4) return false;
  let same = 0;
  for (let i = 0; i < Math.min(line.length, bytes.length); i += 1) if (line[i] === bytes[i]) same += 1;
  return same * 20 >= Math.max(line.length, bytes.length) * 19;
}

/**
 * The unreadable lines of the context file as it is on disk. The store forgets them when its
 * journal was started from the file as found, damage included (its snapshot then vouches for
 * that file, and a later load takes it as our own rewrite; contextLoading.ts): the file is read
 * here again so the repair still sees them.
 */
function damagedLinesOnDisk(engine: Engine, store: ContextStore): readonly BadLine[] {
  const bytes = readFileIfExists(engine.fs, store.paths.file);
  return bytes ? parseContextBytes(bytes).bad : [];
}

/**
 * Rewrites a context file the store will not rewrite by itself (it takes the damaged file for
 * its own last rewrite, see damagedLinesOnDisk), once its damaged bytes are in .recovery/: the
 * journal's state is written beside the file, checked, and renamed over it if no other program
 * changed the file meanwhile. Returns false when one did (nothing replaced).
 */
function rewriteAroundDamage(engine: Engine, store: ContextStore): boolean {
  const file = store.paths.file;
  const before = statIdentity(engine.fs, file);
  const written = writeVerifiedTemp(engine.fs, file, serializeRecords(store.state.values()));
  const now = statIdentity(engine.fs, file);
  if (!before || !now || before.ino !== now.ino || before.size !== now.size || before.mtimeNs !== now.mtimeNs) {
    removeQuietly(engine.fs, written.tmp);
    return false;
  }
  try {
    engine.fs.renameSync(written.tmp, file);
  } catch (error) {
    removeQuietly(engine.fs, written.tmp);
    throw error;
  }
  syncDirectory(engine.fs, path.dirname(file));
  return true;
}

/** Which record a damaged line held, when its name (or relation ends) can still be read in it. */
export function guessKey(bad: BadLine): string | undefined {
  const found = salvageLine(bad.bytes);
  if (found?.kind === 'relation') return relationKey(found.from as string, found.to as string, found.relationType as string);
  return found?.name === undefined ? undefined : entityKey(found.name);
}

/** The backups of a context, each read once, newest first. */
class BackupLookup {
  private readonly parsed = new Map<string, ReturnType<typeof readBackupContext>>();
  private list: BackupInfo[] | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly context: string,
  ) {}

  /**
   * The newest backup holding `key`; with `after`, only among backups made after that time;
   * with `unlike`, only one holding another version than that.
   */
  find(key: string, options: { after?: string; unlike?: StoredRecord | undefined } = {}): { record: StoredRecord; backup: string; created: string } | undefined {
    this.list ??= listBackups(this.engine);
    const after = options.after === undefined ? undefined : Date.parse(options.after);
    for (const info of this.list) {
      if (after !== undefined && !(Date.parse(info.created) > after)) break;
      if (!this.parsed.has(info.id)) this.parsed.set(info.id, readBackupContext(this.engine, info, this.context));
      const record = this.parsed.get(info.id)?.map.get(key);
      if (record && record.raw !== options.unlike?.raw) return { record, backup: info.id, created: info.created };
    }
    return undefined;
  }
}

/** A record's key as a person reads it: an entity's name, `from -[type]-> to` for a relation. */
export function describeKey(key: string): string {
  const identity = identityOfKey(key);
  if (identity[0] === 'entity') return identity[1];
  if (identity[0] === 'relation') return `${identity[1]} -[${identity[3]}]-> ${identity[2]}`;
  return 'a line kept as it is';
}

/** The file of .recovery/ where what could be read of lines nothing else holds is kept. */
export const FOUND_FILE = 'found-in-damaged-lines.jsonl';

/**
 * Keeps what can still be read of damaged lines that no journal entry or backup holds, one JSON
 * line each in .recovery/found-in-damaged-lines.jsonl (their bytes are in .recovery/ too).
 */
function keepFoundInDamagedLines(engine: Engine, context: string, file: string, lines: readonly BadLine[], say: (action: string) => void): void {
  const found = lines.flatMap((bad) => {
    const salvaged = salvageLine(bad.bytes);
    return salvaged ? [{ found: new Date().toISOString(), context, file: path.basename(file), offset: bad.start, ...salvaged }] : [];
  });
  if (found.length === 0) return;
  const target = path.join(engine.recovery.dir, FOUND_FILE);
  try {
    engine.fs.mkdirSync(engine.recovery.dir, { recursive: true });
    const fd = engine.fs.openSync(target, 'a', 0o644);
    try {
      writeAll(engine.fs, fd, Buffer.from(found.map((f) => `${JSON.stringify(f)}\n`).join('')));
      engine.fs.fdatasyncSync(fd);
    } finally {
      engine.fs.closeSync(fd);
    }
    say(`kept what could be read of ${found.length} lines no journal or backup holds in .recovery/${FOUND_FILE}`);
  } catch (error) {
    say(`could not keep what was read of ${found.length} damaged lines in .recovery/${FOUND_FILE} (${(error as Error).message}); their bytes are in .recovery/`);
  }
}
