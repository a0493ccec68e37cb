// What one context's store holds in memory between operations: the state, the file as last
// written or read, the keys pending a rewrite, the versions of the file we know of, and where the
// journal was last read; with the small bookkeeping steps every part changes it by (a record put
// or removed, the file marked as holding the state, a version remembered).
//
// It is ContextStore's internals, kept in one object so that the modules that load the context
// (contextLoading.ts, journalReplay.ts), take in other writers' versions (peerVersionIntake.ts),
// journal changes (contextCommit.ts) and rewrite the file (contextRewrite.ts) can share them
// without these becoming ContextStore's public API: ContextStore holds it privately and hands it
// only to those modules.
import path from 'node:path';
import type { FileSystem } from './fileSystem.ts';
import type { Slicing } from './atomicFile.ts';
import { contextPaths, type DataLayout } from './dataRoot.ts';
import { RecordSet } from './recordSet.ts';
import { IrregularRecords } from './irregularRecords.ts';
import type { StoredRecord } from './records.ts';
import type { JournalRead } from './journalFile.ts';
import type { BadLine, FileIdentity } from './contextFile.ts';
import type { ReadFileKind, ReadProgress } from './readProgress.ts';
import type { FileBaseline, JournalStartUnderWay } from './contextCommit.ts';
import { FileVersions } from './fileVersions.ts';
import type { RecoveryLog } from './recoveryLog.ts';
import type { IndexBuild, SearchIndex } from './searchIndex.ts';
import type { ObservedVersion } from './versionObserver.ts';
import { attachDerivedCache, readDerivedFile, writeDerivedFile } from './derivedCache.ts';
import { monotonicMs } from './monotonicClock.ts';


/** How many recent operation ids are remembered (and checkpointed) to make retries apply once. */
export const OPERATION_IDS_KEPT = 10_000;

export type Severity = 'info' | 'warning' | 'error';

export interface Finding {
  readonly severity: Severity;
  readonly kind:
    | 'bad-line'
    | 'torn-file'
    | 'journal-bad-line'
    | 'journal-edit-mismatch'
    | 'linked-file'
    | 'journal-torn-tail'
    | 'external-change'
    | 'file-missing'
    | 'newer-format'
    | 'duplicate'
    | 'rewrite-failed'
    | 'read-only';
  readonly file: string;
  readonly message: string;
  readonly offset?: number;
}


export interface CommitResult {
  readonly seq: number;
  readonly tx: string;
  readonly changed: number;
  /** True when this operation id had already been applied: nothing was done again. */
  readonly duplicate: boolean;
}

/** A commit made under an operation id, and what the id was given for (when the commit says: operationIntent.ts). */
export interface OperationDone {
  readonly seq: number;
  readonly tx: string;
  readonly for?: string;
}

export interface PendingChanges {
  readonly puts: readonly StoredRecord[];
  readonly deletes: readonly string[];
  /** The puts are lines from a file, to be journaled exactly as they are (not re-checked). */
  readonly verbatim?: boolean;
  /** The line order wanted afterwards (keys; others keep their places), journaled when it differs. */
  readonly order?: Iterable<string>;
}

export interface SnapshotSeen {
  size: number;
  crc: string;
  seq: number;
  /** Journal offset just past the snapshot line. */
  end: number;
}

export interface ContextStoreOptions {
  readonly fs: FileSystem;
  readonly layout: DataLayout;
  readonly context: string;
  readonly readOnly: boolean;
  /** Why, when it is read-only (said when a change is refused). */
  readonly readOnlyReason?: string | undefined;
  readonly recovery: RecoveryLog;
  readonly clock?: () => Date;
  /** Hands over (through noteObservedVersion) the versions the observer has read so far. */
  readonly catchUpObserver?: () => void;
  /**
   * A reader saves derived caches all the same (a cache file beside the journal, by a rename,
   * no lock): the engine says so when it was opened for reading in a folder that is already
   * ours (its .history is there), never in a peer's folder or one it cannot write.
   */
  readonly savesCachesWhileReading?: boolean;
  /** Told how far a load's read of a large context file, or of its journal in a full replay, has gone (readProgress.ts). */
  readonly readProgress?: (kind: ReadFileKind) => ReadProgress;
  /**
   * Loads replay the whole journal even where the checkpoint would let them read only its tail
   * (a repair: damage anywhere in the journal is seen). The checkpoint still vouches for the file.
   */
  readonly replayWholeJournal?: boolean;
}

export class ContextMemory {
  readonly context: string;
  readonly paths: ReturnType<typeof contextPaths>;
  readonly state = new RecordSet();
  /** Which records the quick reading would misread, from the last rewrite's check on (for the checkpoint). */
  readonly irregularRecords = new IrregularRecords(this.state);
  /** Findings of the last load and of everything since (cleared by recovery). */
  findings: Finding[] = [];
  readOnlyReason: string | undefined;
  /** The head of the journal: the last sequence number read or written. */
  seq = 0;

  readonly fs: FileSystem;
  readonly recovery: RecoveryLog;
  readonly clock: () => Date;
  /** What the context file holds (as of our last rewrite or read of it). */
  materialized = new Map<string, StoredRecord>();
  /** `materialized` is the very map read from the file (shared with the state and the versions: copied before a change). */
  materializedIsFileMap = false;
  /** Keys changed since the file was last written, with their on-disk (materialized) versions. */
  pending = new Map<string, StoredRecord | undefined>();
  /** Every version of the context file we know of, to judge what a peer's rewrite started from. */
  versions = new FileVersions(this.state);
  /** False until the versions are rebuilt from the journal (a fast open skips the replay). */
  versionsLoaded = false;
  fileIdentity: FileIdentity | undefined;
  /** When fileIdentity was last confirmed (ms since the epoch). */
  fileCheckedAt = 0;
  fileDamage: BadLine[] = [];
  forceRewrite = false;
  /**
   * How many times this process took in journal lines another process wrote (or a journal it
   * replaced): the live updates tell another program's change from our own commits by it.
   */
  othersReads = 0;
  /** The state's line order moved away from the file's since the last rewrite. */
  orderChanged = false;
  /** A file adopted while its journal could not be started: journaled before the first commit. */
  pendingBaseline: FileBaseline | undefined;
  /**
   * The lines that start the journal, being made a slice at a time before the lock, or made and
   * waiting for it (contextCommit.ts, journalStartInSlices): the start under the lock takes them,
   * and a start that cannot wait (a commit, another program's version taken in) finishes them at
   * once instead of making them again from the start.
   */
  journalStartUnderWay: JournalStartUnderWay | undefined;
  journalOffset = 0;
  journalIno: bigint | undefined;
  journalTornTail: JournalRead['tornTail'];
  /**
   * Records whose last journal change could not be applied in the replay (an edit made to a form
   * that a damaged entry before it held): the journal does not know their form, the file may.
   */
  readonly editsSkipped = new Set<string>();
  readonly ops = new Map<string, OperationDone>();
  loadedFast = false;
  index: SearchIndex | undefined;
  /** The search index's build, while records present at its start are still being added. */
  indexBuild: IndexBuild | undefined;

  /** Versions of the file another program wrote, read as they appeared (versionObserver.ts), oldest first. */
  observed: ObservedVersion[] = [];
  /** Size and CRC-32 of versions of the file already accounted for (ours, or absorbed). */
  readonly knownVersions = new Set<string>();

  /** When the newest version of the file taken in was written (ns since the epoch): our rewrites, another process's, a peer's. */
  newestVersionTime = 0n;

  readonly previewed = new Set<string>();
  /** Records a read-only process found changed in the file by another program, and could not journal. */
  readonly unjournaled = new Map<string, { ts: string; note: string }>();

  /**
   * The state is exactly the context file's content (of this size and CRC-32) while the state's
   * version is this one: set when a file is adopted at an open and after our rewrite; any change
   * since (a journal line replayed, a commit) moves the version on (DerivedCache.tagNow).
   */
  private asFile: { readonly tag: string; readonly version: number } | undefined;
  /** What derived caches save at the engine's close (DerivedCache.onClose), by kind. */
  private readonly closeSavers = new Map<string, () => void>();

  constructor(readonly options: ContextStoreOptions) {
    this.fs = options.fs;
    this.context = options.context;
    this.paths = contextPaths(options.layout, options.context);
    this.recovery = options.recovery;
    this.clock = options.clock ?? (() => new Date());
    if (options.readOnly) this.readOnlyReason = options.readOnlyReason ?? 'the data folder is read-only';
    attachDerivedCache(this.state, {
      tagNow: () => (this.asFile !== undefined && this.asFile.version === this.state.version ? this.asFile.tag : undefined),
      read: (kind, tag) => readDerivedFile(this.fs, this.derivedPath(kind), tag),
      write: (kind, tag, encode) => {
        // A reader saves only while it is read-only for its own reason: not once its load found
        // a journal of a newer format (its state is then an older reading of what it holds).
        const reading = options.savesCachesWhileReading === true && this.readOnlyReason === options.readOnlyReason;
        if (!this.readOnly || reading) writeDerivedFile(this.fs, this.derivedPath(kind), tag, encode());
      },
      onClose: (kind, save) => this.closeSavers.set(kind, save),
    });
  }

  /** The state is now exactly the file with this identity (no damaged lines in it). */
  stateIsFile(identity: { readonly size: number; readonly crc: string } | undefined): void {
    this.asFile = identity && identity.size >= 0 ? { tag: `${identity.size}:${identity.crc}`, version: this.state.version } : undefined;
  }

  /** Runs what derived caches save at the engine's close; a failure is only a cache not saved. */
  saveDerivedCaches(): void {
    for (const save of this.closeSavers.values()) {
      try {
        save();
      } catch {
        // A cache: the next open makes it anew.
      }
    }
  }

  private derivedPath(kind: string): string {
    if (kind !== 'summaries') throw new Error(`no derived cache named ${kind}`);
    return this.paths.summaries;
  }

  get readOnly(): boolean {
    return this.readOnlyReason !== undefined;
  }

  /** True when the context file is behind the journal (or damaged) and should be rewritten. */
  get needsRewrite(): boolean {
    return !this.readOnly && (this.pending.size > 0 || this.forceRewrite);
  }

  /** A context opened without a journal: the journal (the file as found its first commit) is still to be started. */
  get journalPending(): boolean {
    return !this.readOnly && this.journalIno === undefined && this.pendingBaseline !== undefined;
  }

  noteBadLine(bad: BadLine): void {
    this.findings.push({
      severity: 'warning',
      kind: bad.torn ? 'torn-file' : 'bad-line',
      file: this.paths.file,
      offset: bad.start,
      message: `${path.basename(this.paths.file)}: ${bad.torn ? 'incomplete last line' : 'unreadable line'} at byte ${bad.start} (${bad.reason})`,
    });
  }

  rememberOp(op: string, seq: number, tx: string, opFor: string | undefined): void {
    this.ops.delete(op);
    this.ops.set(op, opFor === undefined ? { seq, tx } : { seq, tx, for: opFor });
    if (this.ops.size > OPERATION_IDS_KEPT) {
      const oldest = this.ops.keys().next().value as string;
      this.ops.delete(oldest);
    }
  }

  put(record: StoredRecord): void {
    this.versions.touch(record.key);
    if (!this.pending.has(record.key)) this.pending.set(record.key, this.materialized.get(record.key));
    // A record removed and made again moves to the end: the next rewrite's order differs from
    // what `materialized` would get by updating in place.
    if (!this.state.has(record.key) && this.materialized.has(record.key)) this.orderChanged = true;
    this.state.set(record);
  }

  remove(key: string): void {
    if (!this.state.has(key)) return;
    this.versions.touch(key);
    if (!this.pending.has(key)) this.pending.set(key, this.materialized.get(key));
    this.state.delete(key);
  }

  /** `materialized` becomes a map of its own (a copy, if it is the map read from the file): it may then be changed in place. */
  ownMaterialized(): void {
    if (!this.materializedIsFileMap) return;
    this.materialized = new Map(this.materialized);
    this.materializedIsFileMap = false;
  }

  /**
   * ownMaterialized a slice at a time (1-2 s in one go at 100k charts), pausing as `slicing`
   * says: the map read from the file is never changed, so it can be copied across pauses.
   * False when it gave up (slicing.current() false after a pause).
   */
  async ownMaterializedInSlices(slicing: Slicing): Promise<boolean> {
    if (!this.materializedIsFileMap) return true;
    const source = this.materialized;
    const copy = new Map<string, StoredRecord>();
    let deadline = monotonicMs() + slicing.sliceMs;
    let copied = 0;
    for (const [key, record] of source) {
      copy.set(key, record);
      copied += 1;
      if (copied % 1024 === 0 && monotonicMs() >= deadline) {
        await slicing.pause();
        if (!slicing.current()) return false;
        deadline = monotonicMs() + slicing.sliceMs;
      }
    }
    // Replaced meanwhile (a reload): the copy is of a map no longer used.
    if (this.materialized === source && this.materializedIsFileMap) {
      this.materialized = copy;
      this.materializedIsFileMap = false;
    }
    return true;
  }

  /**
   * The file now holds the current state (our rewrite, journal line `seq`): fold pending changes into `materialized`.
   * `materialized` may be the very map the state adopted (copy-on-write, RecordSet.adopt): it is
   * changed here only for pending keys, and a key is pending only after put() or remove()
   * changed the state, which made the state copy that map first.
   */
  markMaterialized(seq: number, time: number): void {
    // The map read from the file at an open is also the first version's list of keys
    // (FileVersions.adoptedFile): never changed. The file now holds the state, in its order:
    // `materialized` becomes the state's own map, shared (the state copies it before its next
    // change, RecordSet.sharedMap), rather than a copy of the file's map made now with the
    // changes folded in: at 100k charts that copy was 1.7 s of a CLI command's 11 s, under the
    // lock, for a process that exits next. (The app has copied it already, in slices, before
    // its rewrite: prepareRewriteInSlices.)
    if (this.materializedIsFileMap && this.pending.size > 0) {
      this.materialized = this.state.sharedMap() as Map<string, StoredRecord>;
      this.orderChanged = false; // it is the state's order
    } else {
      for (const [key, before] of this.pending) {
        const now = this.state.get(key);
        if (now?.raw === before?.raw) continue;
        if (now) this.materialized.set(key, now);
        else this.materialized.delete(key);
      }
    }
    this.materializedIsFileMap = false;
    this.pending.clear();
    this.forceRewrite = false;
    if (this.orderChanged) {
      // The file holds the state in the state's order (see put()).
      this.materialized = this.state.snapshotMap();
      this.orderChanged = false;
    }
    this.versions.close(seq, 'ours', time);
  }

  /**
   * Our rewrite put the state in the file, in the state's order: `materialized` (what the
   * truncation check reads the file's order from) holds it, checked record by record (~100 ms
   * at 100k charts) rather than assumed from what put() and the commits noted: a commit that
   * moved lines, new records made in another order than first touched. A copy of the whole map
   * after every rewrite (what the rewrite did before) cost 2-3 s at 100k charts, a third of it.
   */
  takeStateOrder(): void {
    if (sameRecordsInOrder(this.materialized, this.state)) return;
    this.materialized = this.state.snapshotMap();
    this.materializedIsFileMap = false;
  }

  /** A version of the file was written at `ns` (since the epoch): the newest one's time is kept. */
  noteVersionTime(ns: bigint): void {
    if (ns > this.newestVersionTime) this.newestVersionTime = ns;
  }

  /** The disk holds `onDisk`: every record where the state differs from it is pending (with what the disk holds). */
  pendAgainst(onDisk: ReadonlyMap<string, StoredRecord>): void {
    this.pending = new Map();
    for (const record of this.state.values()) if (onDisk.get(record.key)?.raw !== record.raw) this.pending.set(record.key, onDisk.get(record.key));
    for (const [key, record] of onDisk) if (!this.state.has(key)) this.pending.set(key, record);
  }

  markAllPending(): void {
    this.forceRewrite = true;
  }

  applyInMemory(changes: PendingChanges): void {
    for (const record of changes.puts) this.put(record);
    for (const key of changes.deletes) this.remove(key);
  }

  rememberVersion(size: number, crc: string): void {
    const id = `${size}:${crc}`;
    this.knownVersions.delete(id);
    this.knownVersions.add(id);
    if (this.knownVersions.size > 1024) this.knownVersions.delete(this.knownVersions.values().next().value as string);
  }

  rememberFile(identity: FileIdentity | undefined): void {
    this.fileIdentity = identity;
    this.fileCheckedAt = Date.now();
    if (identity && identity.size >= 0) this.rememberVersion(identity.size, identity.crc);
    if (identity) this.noteVersionTime(identity.mtimeNs);
  }
}

/** Whether the map holds the set's very records (so the same keys), in the set's order. */
function sameRecordsInOrder(map: ReadonlyMap<string, StoredRecord>, set: RecordSet): boolean {
  if (map.size !== set.size) return false;
  const records = set.values();
  for (const record of map.values()) if (records.next().value !== record) return false;
  return true;
}
