// One context: its journal (every change, durable, the source of truth for history) and its
// context file (the snapshot the peers read, rewritten atomically and coalesced).
//
// Every method that writes must run under the root lock (engine.ts takes it); `refresh` is
// the first step of every locked operation: it reads what other processes appended to the
// journal and absorbs any rewrite of the context file by a peer.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FileSystem } from './fileSystem.ts';
import { makeDirectoryDurably, readFileIfExists, syncDirectory } from './fileSystem.ts';
import { EngineError, fromSystemError } from './errors.ts';
import { contextPaths, type DataLayout } from './dataRoot.ts';
import { RecordSet, SpliceMismatch, applyOrderMoves, keyOfChange, orderMoves, recordOfChange, type OrderMove } from './recordSet.ts';
import { decodeFileDiffers, encodeCommitLines, type CommitMeta } from './commitLines.ts';
import { identityOfKey, keyOfIdentity, type StoredRecord } from './records.ts';
import { JOURNAL_FORMAT, encodeHeader, encodeSnapshot, type JournalCommit, type JournalEntry, type JournalSnapshot, type Origin } from './journalFormat.ts';
import { appendDurably, appendLinesDurably, cutJournal, readJournal, type JournalRead } from './journalFile.ts';
import { parseContextBytes, parseReadFile, readContextFile, readStable, serializeRecords, statIdentity, type BadLine, type FileIdentity, type ParsedContextFile } from './contextFile.ts';
import { removeQuietly, writeVerifiedTemp } from './atomicFile.ts';
import { keptLooksForeign, releaseKept, replacedPeerVersion, swapBack, swapIntoPlace, type ReplacedVersion, type ReplacementPath } from './fileReplacement.ts';
import { absorbExternalVersion } from './externalMerge.ts';
import { FileVersions, raceWindowMs } from './fileVersions.ts';
import { readCheckpoint, writeCheckpoint, type Checkpoint } from './checkpointFile.ts';
import type { RecoveryLog } from './recoveryLog.ts';
import { IndexBuild, SearchIndex, type SearchHit } from './searchIndex.ts';
import { isProcessAlive } from './rootLock.ts';
import type { ObservedVersion } from './versionObserver.ts';


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

export interface PendingChanges {
  readonly puts: readonly StoredRecord[];
  readonly deletes: readonly string[];
  /** The puts are lines from a file, to be journaled exactly as they are (not re-checked). */
  readonly verbatim?: boolean;
  /** The line order wanted afterwards (keys; others keep their places), journaled when it differs. */
  readonly order?: Iterable<string>;
}

interface SnapshotSeen {
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
}

export class ContextStore {
  readonly context: string;
  readonly paths: ReturnType<typeof contextPaths>;
  readonly state = new RecordSet();
  /** Findings of the last load and of everything since (cleared by recovery). */
  findings: Finding[] = [];
  readOnlyReason: string | undefined;
  /** The head of the journal: the last sequence number read or written. */
  seq = 0;

  private readonly fs: FileSystem;
  private readonly recovery: RecoveryLog;
  private readonly clock: () => Date;
  /** What the context file holds (as of our last rewrite or read of it). */
  private materialized = new Map<string, StoredRecord>();
  /** `materialized` is the very map read from the file (shared with the state and the versions: copied before a change). */
  private materializedIsFileMap = false;
  /** Keys changed since the file was last written, with their on-disk (materialized) versions. */
  private pending = new Map<string, StoredRecord | undefined>();
  /** Every version of the context file we know of, to judge what a peer's rewrite started from. */
  private versions = new FileVersions(this.state);
  /** False until the versions are rebuilt from the journal (a fast open skips the replay). */
  private versionsLoaded = false;
  private fileIdentity: FileIdentity | undefined;
  /** When fileIdentity was last confirmed (ms since the epoch). */
  private fileCheckedAt = 0;
  private fileDamage: BadLine[] = [];
  private forceRewrite = false;
  /** The state's line order moved away from the file's since the last rewrite. */
  private orderChanged = false;
  /** A file adopted while its journal could not be started: journaled before the first commit. */
  private pendingBaseline: { records: StoredRecord[]; identity: FileIdentity | undefined } | undefined;
  private journalOffset = 0;
  private journalIno: bigint | undefined;
  private journalTornTail: JournalRead['tornTail'];
  private readonly ops = new Map<string, { seq: number; tx: string }>();
  private loadedFast = false;
  private index: SearchIndex | undefined;
  /** The search index's build, while records present at its start are still being added. */
  private indexBuild: IndexBuild | undefined;

  constructor(private readonly options: ContextStoreOptions) {
    this.fs = options.fs;
    this.context = options.context;
    this.paths = contextPaths(options.layout, options.context);
    this.recovery = options.recovery;
    this.clock = options.clock ?? (() => new Date());
    if (options.readOnly) this.readOnlyReason = options.readOnlyReason ?? 'the data folder is read-only';
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

  /** Starts the journal of a context opened without one (journalPending). Throws when it cannot be written. */
  startPendingJournal(): void {
    if (this.journalPending) this.ensureJournalReady();
  }

  get openedFast(): boolean {
    return this.loadedFast;
  }

  // ---------------------------------------------------------------- loading

  /** Loads the context. Never fails on damage: it loads what is good and records findings. */
  load(): void {
    this.resetMemory();
    if (!this.readOnly) this.sweepLeftovers();
    const checkpoint = readCheckpoint(this.fs, this.paths.checkpoint);
    // A file that is exactly our last rewrite (size and CRC-32 as checkpointed) is parsed without
    // re-validating every line; anything else is parsed in full.
    const file = readContextFile(this.fs, this.paths.file, (identity) => checkpoint?.size === identity.size && checkpoint.crc === identity.crc);
    for (const bad of file.bad) this.noteBadLine(bad);
    if (checkpoint && this.tryLoadFromCheckpoint(file, checkpoint)) return;
    const vouched = checkpoint !== undefined && file.identity !== undefined && checkpoint.size === file.identity.size && checkpoint.crc === file.identity.crc;
    this.loadByReplay(file, vouched);
    if (file.link) this.noteLinkedFile();
  }

  /**
   * Temporary files and kept-aside copies left by a process killed in the middle of a rewrite
   * (`.<file>.tmp-<pid>-…`, `<file>.replaced-<pid>`): removed once their process is gone. They
   * never hold anything the journal lacks. Runs under the lock.
   */
  private sweepLeftovers(): void {
    const dir = path.dirname(this.paths.file);
    const base = path.basename(this.paths.file);
    let names: string[];
    try {
      names = this.fs.readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const pid = name.startsWith(`.${base}.tmp-`) ? Number(name.slice(base.length + 6).split('-')[0]) : name.startsWith(`${base}.replaced-`) ? Number(name.slice(base.length + 10)) : NaN;
      if (!Number.isInteger(pid) || pid === process.pid || isProcessAlive(pid)) continue;
      const file = path.join(dir, name);
      if (name.startsWith(`${base}.replaced-`)) {
        // What a killed rewrite replaced may be another program's version not yet journaled:
        // it goes to .recovery/ (or, if that fails, stays where it is).
        try {
          const bytes = readFileIfExists(this.fs, file);
          if (bytes) this.recovery.saveBytes(this.paths.file, 0, bytes, 'the file a rewrite replaced, left by a process that stopped mid-way');
        } catch {
          continue;
        }
      }
      removeQuietly(this.fs, file);
    }
  }

  private resetMemory(): void {
    this.state.observe(undefined);
    this.index = undefined;
    this.indexBuild = undefined;
    this.state.clear();
    this.materialized = new Map();
    this.materializedIsFileMap = false;
    this.pending = new Map();
    this.versions = new FileVersions(this.state);
    this.versionsLoaded = false;
    this.fileIdentity = undefined;
    this.newestVersionTime = 0n;
    this.fileDamage = [];
    this.forceRewrite = false;
    this.orderChanged = false;
    this.pendingBaseline = undefined;
    this.previewed.clear();
    this.unjournaled.clear();
    this.findings = [];
    this.ops.clear();
    this.seq = 0;
    this.journalOffset = 0;
    this.journalIno = undefined;
    this.journalTornTail = undefined;
    this.loadedFast = false;
    if (this.readOnlyReason?.startsWith('the journal')) this.readOnlyReason = undefined;
    if (this.options.readOnly) this.readOnlyReason = this.options.readOnlyReason ?? 'the data folder is read-only';
  }

  private noteBadLine(bad: BadLine): void {
    this.findings.push({
      severity: 'warning',
      kind: bad.torn ? 'torn-file' : 'bad-line',
      file: this.paths.file,
      offset: bad.start,
      message: `${path.basename(this.paths.file)}: ${bad.torn ? 'incomplete last line' : 'unreadable line'} at byte ${bad.start} (${bad.reason})`,
    });
  }

  private adoptFile(file: ParsedContextFile): void {
    this.state.adopt(file.map);
    this.materialized = file.map;
    this.materializedIsFileMap = true;
    this.rememberFile(file.identity);
    this.fileDamage = file.bad;
  }

  /** Fast open: the file is exactly our last rewrite, so only the journal after it is read. */
  private tryLoadFromCheckpoint(file: ParsedContextFile, checkpoint: Checkpoint): boolean {
    if (!file.identity || file.bad.length > 0) return false;
    if (checkpoint.size !== file.identity.size || checkpoint.crc !== file.identity.crc) return false;
    const tail = readJournal(this.fs, this.paths.journal, checkpoint.journalOffset);
    if (tail.ino === undefined || tail.ino.toString() !== checkpoint.journalIno || tail.size < checkpoint.journalOffset) return false;
    const first = tail.entries[0]?.entry;
    if (first && (first.kind === 'header' || first.seq !== checkpoint.seq + 1)) return false;
    this.adoptFile(file);
    this.seq = checkpoint.seq;
    for (const [op, seq, tx] of checkpoint.ops) this.ops.set(op, { seq, tx });
    // The versions as of the checkpoint; the journal's tail adds the newer ones.
    if (checkpoint.versions !== undefined) this.versionsLoaded = this.versions.restore(checkpoint.versions);
    this.journalIno = tail.ino;
    this.applyJournalRead(tail);
    this.loadedFast = true;
    return true;
  }

  /** `vouched`: the checkpoint says this exact file is our own rewrite. */
  private loadByReplay(file: ParsedContextFile, vouched = false): void {
    const journal = readJournal(this.fs, this.paths.journal, 0);
    if (journal.ino === undefined || (journal.entries.length === 0 && journal.bad.length === 0)) {
      this.startJournal(file, journal);
      return;
    }
    const header = journal.entries[0]?.entry;
    if (header?.kind === 'header' && header.format > JOURNAL_FORMAT) {
      this.readOnlyReason = `the journal ${path.basename(this.paths.journal)} is format ${header.format}, newer than this version understands (${JOURNAL_FORMAT}); it opens read-only — update Tension Desk to write to it`;
      this.findings.push({ severity: 'error', kind: 'newer-format', file: this.paths.journal, message: this.readOnlyReason });
    }
    this.journalIno = journal.ino;
    let lastSnapshot: SnapshotSeen | undefined;
    this.applyJournalRead(journal, (snapshot) => (lastSnapshot = snapshot));
    this.versionsLoaded = true;
    const journalDamaged = journal.bad.length > 0;

    if (!file.exists && !file.link) {
      // Never written yet (a crash before the first rewrite) is normal; gone after being written is not.
      if (lastSnapshot !== undefined && this.materialized.size > 0) {
        this.findings.push({
          severity: 'warning',
          kind: 'file-missing',
          file: this.paths.file,
          message: `${path.basename(this.paths.file)} is missing; its records are rebuilt from the journal`,
        });
      }
    }
    if (!file.exists) {
      if (this.materialized.size > 0 || this.state.size > 0) this.markAllPending();
      return;
    }
    const matchesSnapshot = lastSnapshot !== undefined && file.identity !== undefined && lastSnapshot.size === file.identity.size && lastSnapshot.crc === file.identity.crc;
    if (matchesSnapshot && !journalDamaged && this.materializedEquals(file.map)) {
      this.rememberFile(file.identity);
      // Next time, open fast from here.
      if (!this.readOnly && lastSnapshot) this.tryWriteCheckpoint(lastSnapshot.size, lastSnapshot.crc, lastSnapshot.end, lastSnapshot.seq);
      return;
    }
    // A file that is our own last rewrite but differs from the journal's view: the journal lost
    // entries (damage), and the file is where they survive, deletions included.
    const ours = (matchesSnapshot || vouched) && file.bad.length === 0;
    this.absorbFile(file, journalDamaged || ours ? 'recover' : 'external', ours);
  }

  private materializedEquals(records: ReadonlyMap<string, StoredRecord>): boolean {
    if (records.size !== this.materialized.size) return false;
    for (const [key, record] of records) if (this.materialized.get(key)?.raw !== record.raw) return false;
    return true;
  }

  /** A context we have never journaled: the file as found becomes the journal's first commit. */
  private startJournal(file: ParsedContextFile, journal: JournalRead): void {
    this.adoptFile(file);
    // The file as found is the first version we know of, another program's (as its replay says).
    this.versions.adoptedFile(this.seq + 1, writtenAt(file.identity, this.clock()), file.map);
    this.versionsLoaded = true;
    if (this.readOnly || (!file.exists && journal.ino === undefined)) return;
    if (journal.ino === undefined) {
      // No journal yet (another program's file, seen for the first time): the open ends here and
      // the journal is started, the file as found its first commit, by the first write or the
      // engine's scheduled rewrite just after (journalPending). Writing a copy of every record
      // durably took longer than reading them; until then the file on disk is that state.
      this.pendingBaseline = { records: file.records, identity: file.identity };
      return;
    }
    try {
      if (journal.tornTail) {
        // A crash while the journal was being started: its bytes go to .recovery/, then it starts over.
        this.recovery.saveBytes(this.paths.journal, journal.tornTail.start, journal.tornTail.bytes, 'interrupted start of the journal (never acknowledged)');
        cutJournal(this.fs, this.paths.journal, journal.endOffset);
      }
      this.writeHeaderAndBaseline(file.records, file.identity);
    } catch (error) {
      // Opening never fails: the file is read as it is, and the journal is started by the next
      // write (which then reports the real cause, disk full or the like, if it persists).
      this.pendingBaseline = { records: file.records, identity: file.identity };
      const failure = fromSystemError(error, 'Starting the journal', this.paths.journal, 'Nothing was changed.');
      this.findings.push({ severity: 'warning', kind: 'rewrite-failed', file: this.paths.journal, message: failure.message });
    }
  }

  /**
   * Starts a journal. A file found without one (a peer's, or ours before a journal existed)
   * becomes the first commit, followed by a snapshot marker: the file is that state.
   */
  private writeHeaderAndBaseline(records: readonly StoredRecord[], identity: FileIdentity | undefined): void {
    makeDirectoryDurably(this.fs, path.dirname(this.paths.journal));
    const lines = [encodeHeader(this.context, this.clock().toISOString())];
    let seq = this.seq;
    if (records.length > 0) {
      const commit = encodeCommitLines(
        (key) => this.state.get(key),
        { puts: records, deletes: [], verbatim: true },
        // Another program's version (fileDiffers: exactly the state): a version the next
        // writer may have started from, made by a peer (fileVersions.ts).
        { origin: 'external', note: 'existing file adopted: its contents as found', fileDiffers: new Map() },
        { firstSeq: seq + 1, tx: randomUUID(), ts: this.clock().toISOString() },
      );
      lines.push(...commit);
      seq += commit.length;
    }
    if (identity) {
      seq += 1;
      lines.push(encodeSnapshot({ seq, ts: this.clock().toISOString(), fileSize: identity.size, fileCrc: identity.crc }));
    }
    const existing = statIdentity(this.fs, this.paths.journal);
    const offset = appendLinesDurably(this.fs, this.paths.journal, lines, existing?.size ?? 0);
    // The journal exists from here on, whatever fails next (so a retry does not start it twice).
    this.seq = seq;
    this.journalOffset = offset;
    this.journalIno = statIdentity(this.fs, this.paths.journal)?.ino ?? -1n;
    this.pendingBaseline = undefined;
    syncDirectory(this.fs, path.dirname(this.paths.journal));
    if (identity) this.tryWriteCheckpoint(identity.size, identity.crc, offset, seq);
  }

  /** Applies entries read from the journal, in order. */
  private applyJournalRead(read: JournalRead, onSnapshot?: (s: SnapshotSeen) => void): void {
    for (const { entry, end } of read.entries) this.applyEntry(entry, end, onSnapshot);
    for (const bad of read.bad) {
      this.findings.push({
        severity: 'error',
        kind: 'journal-bad-line',
        file: this.paths.journal,
        offset: bad.start,
        message: `${path.basename(this.paths.journal)}: damaged entry at byte ${bad.start} (${bad.reason})`,
      });
    }
    this.journalTornTail = read.tornTail;
    this.journalOffset = read.endOffset;
  }

  private applyEntry(entry: JournalEntry, end: number, onSnapshot?: (s: SnapshotSeen) => void): void {
    if (entry.kind === 'header') return;
    this.seq = Math.max(this.seq, entry.seq);
    if (entry.kind === 'snapshot') {
      this.markMaterialized(entry.seq, Date.parse(entry.ts));
      // The file is now another process's rewrite. With its inode and times named, the next check
      // knows it by a stat while they still match (as it knows a rewrite of its own); without
      // them, by reading it and comparing the CRC.
      this.fileIdentity = { size: entry.fileSize, crc: entry.fileCrc, ...statNamedBy(entry) };
      this.fileCheckedAt = Date.now();
      this.fileDamage = [];
      this.rememberVersion(entry.fileSize, entry.fileCrc);
      // Another process's rewrite, written just before its snapshot line.
      const written = BigInt(Date.parse(entry.ts)) * 1_000_000n;
      if (written > this.newestVersionTime) this.newestVersionTime = written;
      onSnapshot?.({ size: entry.fileSize, crc: entry.fileCrc, seq: entry.seq, end });
      return;
    }
    this.applyCommit(entry);
  }

  private applyCommit(commit: JournalCommit): void {
    for (const change of commit.changes) {
      let effect;
      try {
        effect = recordOfChange(change, (key) => this.state.get(key));
      } catch (error) {
        if (!(error instanceof SpliceMismatch)) throw error;
        // Only a journal that lost an earlier entry gets here: the context file still holds the record.
        this.findings.push({ severity: 'error', kind: 'journal-edit-mismatch', file: this.paths.journal, message: `${path.basename(this.paths.journal)}: entry ${commit.seq} edits ${identityOfKey(error.key).slice(0, 2).join(' ')}, which is not as that edit expects; the edit is skipped (recover takes the record from the context file)` });
        continue;
      }
      if ('put' in effect) this.put(effect.put);
      else this.remove(effect.del);
    }
    if (commit.order) {
      applyOrderMoves(this.state, commit.order.map(([key, after]) => [keyOfIdentity(key), after === null ? null : keyOfIdentity(after)] as const));
      this.orderChanged = true;
    }
    if (commit.op !== undefined) this.rememberOp(commit.op, commit.seq, commit.tx);
    // The file was another program's version after this commit.
    if (commit.fileDiffers) {
      const written = Date.parse(commit.fileWritten ?? commit.ts);
      this.versions.close(commit.seq, 'peer', written, decodeFileDiffers(commit.fileDiffers));
      if (BigInt(written) * 1_000_000n > this.newestVersionTime) this.newestVersionTime = BigInt(written) * 1_000_000n;
    }
  }

  private rememberOp(op: string, seq: number, tx: string): void {
    this.ops.delete(op);
    this.ops.set(op, { seq, tx });
    if (this.ops.size > OPERATION_IDS_KEPT) {
      const oldest = this.ops.keys().next().value as string;
      this.ops.delete(oldest);
    }
  }

  private put(record: StoredRecord): void {
    this.versions.touch(record.key);
    if (!this.pending.has(record.key)) this.pending.set(record.key, this.materialized.get(record.key));
    // A record removed and made again moves to the end: the next rewrite's order differs from
    // what `materialized` would get by updating in place.
    if (!this.state.has(record.key) && this.materialized.has(record.key)) this.orderChanged = true;
    this.state.set(record);
  }

  private remove(key: string): void {
    if (!this.state.has(key)) return;
    this.versions.touch(key);
    if (!this.pending.has(key)) this.pending.set(key, this.materialized.get(key));
    this.state.delete(key);
  }

  /**
   * The file now holds the current state (our rewrite, journal line `seq`): fold pending changes into `materialized`.
   * `materialized` may be the very map the state adopted (copy-on-write, RecordSet.adopt): it is
   * changed here only for pending keys, and a key is pending only after put() or remove()
   * changed the state, which made the state copy that map first.
   */
  private markMaterialized(seq: number, time: number): void {
    // The map read from the file at an open is also the first version's list of keys
    // (FileVersions.adoptedFile): it is copied before its first change, never changed.
    if (this.materializedIsFileMap && this.pending.size > 0) this.materialized = new Map(this.materialized);
    this.materializedIsFileMap = false;
    for (const [key, before] of this.pending) {
      const now = this.state.get(key);
      if (now?.raw === before?.raw) continue;
      if (now) this.materialized.set(key, now);
      else this.materialized.delete(key);
    }
    this.pending.clear();
    this.forceRewrite = false;
    if (this.orderChanged) {
      // The file holds the state in the state's order (see put()).
      this.materialized = this.state.snapshotMap();
      this.materializedIsFileMap = false;
      this.orderChanged = false;
    }
    this.versions.close(seq, 'ours', time);
  }

  private markAllPending(): void {
    this.forceRewrite = true;
  }

  // ---------------------------------------------------------------- other writers

  /**
   * Reads what other processes appended to the journal, then checks the context file for a
   * peer's rewrite. Call under the lock before reading for a write.
   */
  refresh(): void {
    this.catchUpJournal();
    this.takeInOtherVersions();
  }

  /**
   * Versions of the file another program wrote: first those the observer read as they appeared
   * (in order), then the file as it is now.
   */
  private takeInOtherVersions(): void {
    this.options.catchUpObserver?.();
    this.absorbObservedVersions();
    this.checkFile();
  }

  /** Versions of the file another program wrote, read as they appeared (versionObserver.ts), oldest first. */
  private observed: ObservedVersion[] = [];
  /** Size and CRC-32 of versions of the file already accounted for (ours, or absorbed). */
  private readonly knownVersions = new Set<string>();

  /** Queues a version of the file read by the observer; journaled by the next refresh. */
  noteObservedVersion(version: ObservedVersion): void {
    this.observed.push(version);
    // A bound, should refreshes stop (a full disk): the oldest go first.
    if (this.observed.length > 64) this.observed.shift();
  }

  private rememberVersion(size: number, crc: string): void {
    const id = `${size}:${crc}`;
    this.knownVersions.delete(id);
    this.knownVersions.add(id);
    if (this.knownVersions.size > 1024) this.knownVersions.delete(this.knownVersions.values().next().value as string);
  }

  /**
   * Journals the versions the observer read, in order, before the file as it is now: each one is
   * a version a later writer may have started from, and its records are then not lost if that
   * writer had not seen them. Versions already accounted for (ours, another of our processes'
   * rewrites, one absorbed before) are skipped.
   */
  private absorbObservedVersions(): void {
    const queue = this.observed.sort((a, b) => (a.identity.mtimeNs < b.identity.mtimeNs ? -1 : a.identity.mtimeNs > b.identity.mtimeNs ? 1 : 0));
    this.observed = [];
    for (const version of queue) {
      if (this.knownVersions.has(`${version.identity.size}:${version.identity.crc}`)) continue;
      const parsed = parseContextBytes(version.bytes);
      const file = { ...parsed, identity: version.identity, bytes: version.bytes, exists: true };
      // Read by the observer, but no newer than a version already taken in (the file itself,
      // read directly, or another process's rewrite, can overtake the observer's report): not
      // the newest version of the file.
      if (version.identity.mtimeNs <= this.newestVersionTime) this.absorbLateVersion(file);
      else {
        for (const bad of parsed.bad) this.noteBadLine(bad);
        this.absorbFile(file, 'external');
      }
    }
  }

  /**
   * A version another program wrote before the newest one we have taken in (the observer's
   * report came late). Its changes cannot be judged against the versions after it, so only its
   * additions are taken: records no version we know of held, at the end of their list, which
   * would otherwise be lost (another writer replaced it without having read them). It is not
   * made the newest version.
   */
  private absorbLateVersion(file: ParsedContextFile): void {
    this.rememberVersion(file.bytes.length, file.identity?.crc ?? '');
    // The newer version was written long enough after this one that its writer had read this
    // one: what it lacks of this one, it deleted.
    const newer = this.fileIdentity;
    if (file.identity && newer && Number((newer.mtimeNs - file.identity.mtimeNs) / 1_000_000n) > raceWindowMs(newer.size)) return;
    if (!this.versionsLoaded) this.loadVersions();
    // A record of its own that a newer version we know lacks is kept only at the end of its list
    // (a lost race: the newer version's writer never saw it); one with records after it that the
    // newer version kept was deleted (a hole; see externalMerge.ts).
    const records = [...file.map.values()];
    const puts: StoredRecord[] = [];
    const keptLater = new Set<string>();
    for (let i = records.length - 1; i >= 0; i -= 1) {
      const record = records[i] as StoredRecord;
      if (this.state.has(record.key)) keptLater.add(record.kind);
      else if (!keptLater.has(record.kind) && !this.versions.heldInSomeVersion(record.key)) puts.unshift(record);
    }
    if (puts.length === 0) return;
    const changes = { puts, deletes: [], verbatim: true };
    const note = `records found in a version of the context file another program wrote earlier (read after a newer one): ${puts.length} added`;
    if (this.readOnly) this.applyInMemory(changes);
    else this.commit(changes, { origin: 'external', note });
  }

  private catchUpJournal(): void {
    const now = statIdentity(this.fs, this.paths.journal);
    if (now === undefined && this.journalIno === undefined) return;
    if (now === undefined || now.ino !== this.journalIno || now.size < this.journalOffset) {
      this.load(); // replaced by recovery or an upgrade in another process
      return;
    }
    if (now.size === this.journalOffset && !this.journalTornTail) return;
    this.applyJournalRead(readJournal(this.fs, this.paths.journal, this.journalOffset));
  }

  private checkFile(): void {
    const now = statIdentity(this.fs, this.paths.file);
    const known = this.fileIdentity;
    if (now?.link) {
      this.noteLinkedFile();
      return;
    }
    if (!now) {
      // An empty context whose file is gone has nothing to restore: no empty file is made again
      // (a context renamed or merged away leaves none behind, contexts/retiredFile.ts).
      if (known && this.state.size === 0 && this.materialized.size === 0 && !this.forceRewrite) {
        this.fileIdentity = undefined;
        return;
      }
      if (known || this.materialized.size > 0) {
        if (!this.forceRewrite) {
          this.findings.push({ severity: 'warning', kind: 'file-missing', file: this.paths.file, message: `${path.basename(this.paths.file)} was removed; it will be rewritten from the journal` });
        }
        this.fileIdentity = undefined;
        this.markAllPending();
      }
      return;
    }
    if (known && known.ino === now.ino && known.size === now.size && known.mtimeNs === now.mtimeNs && known.ctimeNs === now.ctimeNs && !this.racilyClean(known)) return;
    const read = readStable(this.fs, this.paths.file);
    if (!read) return;
    // Another program is still writing it (emptied and not yet filled, or cut a moment ago):
    // its version is taken when it is done (the watcher's next event, the next refresh).
    // Taken half-written, it would be judged a version and the ones just before it late.
    if (read.unsettled) return;
    // The version we know (another of our processes' rewrite, named by its snapshot line):
    // its size and CRC say so, and its 100k lines need not be parsed to learn nothing new.
    if (known && known.size === read.identity.size && known.crc === read.identity.crc) {
      this.rememberFile(read.identity);
      return;
    }
    const file = parseReadFile(read);
    for (const bad of file.bad) this.noteBadLine(bad);
    this.absorbFile(file, 'external');
  }

  /**
   * The context file is a symbolic link: it is not read through (a cloned folder could point it
   * anywhere); the records come from the journal and the next rewrite puts the file itself in
   * its place, leaving what the link pointed to untouched.
   */
  private noteLinkedFile(): void {
    if (!this.findings.some((f) => f.kind === 'linked-file')) {
      this.findings.push({
        severity: 'warning',
        kind: 'linked-file',
        file: this.paths.file,
        message: `${path.basename(this.paths.file)} is a symbolic link: Tension Desk does not read or write through it; its records come from the journal, and the next rewrite replaces the link with the file itself`,
      });
    }
    this.fileIdentity = undefined;
    this.markAllPending();
  }

  /** A quick look (one stat) whether the context file is no longer the one we last saw. */
  private fileMovedSinceCheck(): boolean {
    const known = this.fileIdentity;
    if (!known || known.ino === -1n) return false;
    const now = statIdentity(this.fs, this.paths.file);
    return now !== undefined && (now.ino !== known.ino || now.size !== known.size || now.mtimeNs !== known.mtimeNs);
  }

  /**
   * On a file system with whole-second timestamps, a peer's same-size rewrite within the second
   * of ours keeps size and mtime; until a check happens two seconds later, the content decides.
   */
  private racilyClean(known: FileIdentity): boolean {
    if (known.mtimeNs % 1_000_000_000n !== 0n) return false;
    return this.fileCheckedAt - Number(known.mtimeNs / 1_000_000n) < 2_000;
  }

  private rememberFile(identity: FileIdentity | undefined): void {
    this.fileIdentity = identity;
    this.fileCheckedAt = Date.now();
    if (identity && identity.size >= 0) this.rememberVersion(identity.size, identity.crc);
    if (identity && identity.mtimeNs > this.newestVersionTime) this.newestVersionTime = identity.mtimeNs;
  }

  /** When the newest version of the file taken in was written (ns since the epoch): our rewrites, another process's, a peer's. */
  private newestVersionTime = 0n;

  /** Merges a version of the file we did not write, journals the difference, adopts the file as on-disk truth. */
  private absorbFile(file: ParsedContextFile, origin: Origin, fileIsOurs = false): void {
    const truncated = !fileIsOurs && file.bad.length === 0 && this.isTruncatedCopy(file.bytes);
    // A cut inside a line can leave a fragment that still parses (half a "#" comment): not a record.
    const records = new Map(file.map);
    if (truncated && file.unterminatedKey !== undefined) records.delete(file.unterminatedKey);
    // A file that lost most of what the file last held was most likely read while a peer was
    // rewriting it in place (truncate, then write: a moment in which it is empty or cut) and
    // written back from that. Nothing is taken as deleted from such a file.
    const gutted = !fileIsOurs && this.lostMostRecords(records);
    // Our own rewrite has no race to account for: its base is the newest version.
    const judgement = fileIsOurs ? undefined : this.judgePeerVersion(records, file);
    const result = absorbExternalVersion({
      file: records,
      base: judgement ? (key) => judgement.base(key) : (key) => this.versions.latest(key),
      ...(judgement ? { cameWithRacingPeerBase: (key: string) => judgement.cameWithRacingPeerBase(key), addedByPeerLongBefore: (key: string) => judgement.addedByPeerLongBefore(key) } : {}),
      otherKeys: this.versions.changedKeys(),
      current: this.state,
      absenceIsDeletion: fileIsOurs || (file.bad.length === 0 && !truncated && !gutted && origin === 'external'),
      fileIsOurs,
    });
    const notes: string[] = [];
    if (judgement && judgement.behind > 0) notes.push(`it started from the file as it was ${judgement.behind} versions ago`);
    if (result.keptFields > 0) notes.push(`kept fields the other writer dropped on ${result.keptFields} records`);
    if (result.lostRace > 0) notes.push(`kept ${result.lostRace} records the other writer had not seen`);
    if (truncated) notes.push('the file was cut short; missing records restored');
    if (gutted) notes.push('the file lost more than half of its records at once (read while being rewritten?); nothing taken as deleted');
    if (file.bad.length > 0) notes.push(`${file.bad.length} unreadable lines; their records restored from the journal`);
    const changes = { puts: result.puts, deletes: result.deletes, verbatim: true, order: records.keys() };
    const changed = result.puts.length + result.deletes.length > 0 || !sameOrder(this.state.keys(), records.keys());
    if (changed) {
      this.findings.push({
        severity: 'info',
        kind: 'external-change',
        file: this.paths.file,
        message: `${path.basename(this.paths.file)} was changed by another program: ${result.puts.length} records added or changed, ${result.deletes.length} removed${notes.length ? `; ${notes.join('; ')}` : ''}`,
      });
    }
    // The file as read is a version a later writer may have started from: it is journaled (with
    // where it differs from the state) whenever it changed anything or differs from the state.
    if (changed || result.overrides.size > 0) {
      if (this.readOnly) {
        this.applyInMemory(changes);
        this.state.reorder(records.keys());
        this.versions.close(this.seq, 'peer', writtenAt(file.identity, this.clock()), result.overrides);
        // Seen, not journaled (a reader may not write): history shows them as pending.
        const seen = { ts: file.identity ? new Date(Number(file.identity.mtimeNs / 1_000_000n)).toISOString() : this.clock().toISOString(), note: ['change found in the context file, not yet saved in the journal (the next Tension Desk process that writes saves it)', ...notes].join('; ') };
        for (const record of result.puts) this.unjournaled.set(record.key, seen);
        for (const key of result.deletes) this.unjournaled.set(key, seen);
      } else this.commit(changes, { origin, note: ['change found in the context file', ...notes].join('; '), fileDiffers: result.overrides, fileWritten: writtenAt(file.identity, this.clock()) });
    } else this.versions.close(this.seq, 'peer', writtenAt(file.identity, this.clock()));
    // What is on disk now is the file as read: it becomes our base; whatever differs is pending.
    const onDisk = records;
    this.materialized = onDisk;
    this.materializedIsFileMap = false;
    this.pending = new Map();
    for (const record of this.state.values()) if (onDisk.get(record.key)?.raw !== record.raw) this.pending.set(record.key, onDisk.get(record.key));
    for (const [key, record] of onDisk) if (!this.state.has(key)) this.pending.set(key, record);
    this.rememberFile(file.identity);
    this.fileDamage = file.bad;
    this.forceRewrite = file.bad.length > 0 || truncated;
  }

  /** True when the file lacks more than half (and at least 3) of the records the file last held. */
  private lostMostRecords(records: ReadonlyMap<string, StoredRecord>): boolean {
    let held = 0;
    let lacking = 0;
    for (const key of this.materialized.keys()) {
      held += 1;
      if (!records.has(key)) lacking += 1;
    }
    return lacking >= 3 && lacking * 2 > held;
  }

  /** Which version we know of a peer's file started from (the versions are rebuilt from the journal first if need be). */
  private judgePeerVersion(records: ReadonlyMap<string, StoredRecord>, file: ParsedContextFile) {
    if (!this.versionsLoaded) this.loadVersions();
    return this.versions.judge(records, writtenAt(file.identity, this.clock()), file.bytes.length);
  }

  /**
   * Rebuilds the known versions of the file from the journal (after a fast open, which skips the
   * replay): a replay of the journal up to where this store has read it, into a scratch store.
   */
  private loadVersions(): void {
    const scratch = new ContextStore({ ...this.options, readOnly: true });
    scratch.replayJournal(this.journalOffset);
    this.versions.adopt(scratch.versions);
    this.versionsLoaded = true;
  }

  /** Applies the journal's entries that end at or before `upTo` (for loadVersions). */
  private replayJournal(upTo: number): void {
    const journal = readJournal(this.fs, this.paths.journal, 0);
    for (const { entry, end } of journal.entries) if (end <= upTo) this.applyEntry(entry, end);
  }

  /**
   * True when the file's bytes are a strict prefix of what we last wrote, cut inside a line or
   * just after a newline: it was cut short, not edited. A prefix that ends exactly at the end of
   * a line without its newline is how peers write a file (no final newline) after deleting the
   * trailing records, so that counts as their version.
   */
  private isTruncatedCopy(bytes: Buffer): boolean {
    let offset = 0;
    for (const record of this.materialized.values()) {
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

  private applyInMemory(changes: PendingChanges): void {
    for (const record of changes.puts) this.put(record);
    for (const key of changes.deletes) this.remove(key);
  }

  // ---------------------------------------------------------------- writing

  hasOperation(op: string): { seq: number; tx: string } | undefined {
    return this.ops.get(op);
  }

  private readonly previewed = new Set<string>();
  /** Records a read-only process found changed in the file by another program, and could not journal. */
  private readonly unjournaled = new Map<string, { ts: string; note: string }>();

  /** Changes seen in the file but not in the journal (read-only processes only): key -> when and what. */
  unjournaledChanges(): ReadonlyMap<string, { ts: string; note: string }> {
    return this.unjournaled;
  }

  /** Read-only: shows changes decided elsewhere (an open intent) without journaling them. */
  preview(op: string, changes: PendingChanges): void {
    this.previewed.add(op);
    this.applyInMemory(changes);
  }

  previewedOperation(op: string): boolean {
    return this.previewed.has(op);
  }

  /** The keys a commit changed, read back from the journal (to answer a retried operation). */
  changedKeysOf(tx: string): string[] {
    const keys: string[] = [];
    for (const { entry } of readJournal(this.fs, this.paths.journal, 0).entries) {
      if (entry.kind !== 'commit' || entry.tx !== tx) continue;
      for (const change of entry.changes) keys.push(keyOfChange(change));
    }
    return keys;
  }

  changesIn(tx: string): number {
    return this.changedKeysOf(tx).length;
  }

  /** Journals a change (durably) and applies it. Under the lock, after refresh(). */
  commit(changes: PendingChanges, meta: CommitMeta): CommitResult {
    if (this.readOnly) {
      throw new EngineError('READ_ONLY', `Cannot change ${path.basename(this.paths.file)}: ${this.readOnlyReason}.`, { file: this.paths.file, kept: 'Nothing was changed.' });
    }
    if (meta.op !== undefined) {
      const done = this.ops.get(meta.op);
      if (done) return { seq: done.seq, tx: done.tx, changed: 0, duplicate: true };
    }
    const puts = changes.puts.filter((record) => this.state.get(record.key)?.raw !== record.raw);
    const deletes = changes.deletes.filter((key) => this.state.has(key));
    const moves = changes.order ? this.movesAfter(puts, deletes, changes.order) : [];
    const tx = randomUUID();
    if (puts.length + deletes.length + moves.length === 0 && meta.op === undefined && meta.fileDiffers === undefined) return { seq: this.seq, tx, changed: 0, duplicate: false };
    this.ensureJournalReady();
    const lines = encodeCommitLines((key) => this.state.get(key), { puts, deletes, verbatim: changes.verbatim }, meta, { firstSeq: this.seq + 1, tx, ts: this.clock().toISOString(), moves });
    const seq = this.seq + lines.length;
    try {
      this.journalOffset = appendLinesDurably(this.fs, this.paths.journal, lines, this.journalOffset);
    } catch (error) {
      if ((error as { cutBackFailed?: unknown }).cutBackFailed) {
        // The bytes may be on disk after all: say so, and reload from the journal next time.
        this.journalIno = -1n;
        throw fromSystemError(error, 'Saving the change', this.paths.journal, 'The change may have been saved despite this error: check the chart (or `tension history`) before trying again. Everything saved before is kept.');
      }
      throw fromSystemError(error, 'Saving the change', this.paths.journal, 'Nothing was changed; everything saved before is kept.');
    }
    this.seq = seq;
    this.applyInMemory({ puts, deletes });
    applyOrderMoves(this.state, moves);
    if (meta.op !== undefined) this.rememberOp(meta.op, seq, tx);
    if (meta.fileDiffers) this.versions.close(seq, 'peer', meta.fileWritten ?? this.clock().getTime(), meta.fileDiffers);
    return { seq, tx, changed: puts.length + deletes.length, duplicate: false };
  }

  /** The moves that give the wanted order once the puts and deletes are applied. */
  private movesAfter(puts: readonly StoredRecord[], deletes: readonly string[], wanted: Iterable<string>): OrderMove[] {
    const gone = new Set(deletes);
    const keys = [...this.state.keys()].filter((key) => !gone.has(key));
    for (const record of puts) if (!this.state.has(record.key)) keys.push(record.key);
    return orderMoves(keys, wanted);
  }

  /** Creates the journal if needed and cuts off a torn tail (saving its bytes first). */
  private ensureJournalReady(): void {
    if (this.journalIno === undefined) {
      const baseline = this.pendingBaseline;
      try {
        this.writeHeaderAndBaseline(baseline?.records ?? [], baseline?.identity);
      } catch (error) {
        throw fromSystemError(error, 'Starting the journal', this.paths.journal, 'Nothing was changed.');
      }
      this.pendingBaseline = undefined;
      return;
    }
    if (this.journalTornTail) {
      const torn = this.journalTornTail;
      try {
        this.recovery.saveBytes(this.paths.journal, torn.start, torn.bytes, 'incomplete last entry (a write interrupted by a crash; never acknowledged)');
        cutJournal(this.fs, this.paths.journal, torn.start);
      } catch (error) {
        throw fromSystemError(error, 'Trimming an interrupted journal entry', this.paths.journal, 'Nothing was changed; everything saved before is kept.');
      }
      this.journalTornTail = undefined;
      this.journalOffset = torn.start;
    }
  }

  /**
   * Rewrites the context file from the state: temp file, fsync, verify, then swapped into place
   * so that the file it replaces is kept (fileReplacement.ts). If that is not the file we last
   * saw, a peer's version landed just before ours: its changes are absorbed (and the file
   * rewritten again), so it never vanishes unseen.
   */
  materialize(): void {
    // The snapshot line the rewrite appends belongs after the journal's first commit.
    if (this.needsRewrite) this.startPendingJournal();
    for (let round = 0; round < 3 && this.needsRewrite; round += 1) {
      this.saveDamagedBytes();
      const written = this.writeTemp();
      if (this.fileMovedSinceCheck()) {
        // A peer wrote while ours was being written: its version is read first (then, next
        // round, ours includes it), rather than replaced and handed back a moment later.
        removeQuietly(this.fs, written.tmp);
        this.takeInOtherVersions();
        continue;
      }
      let swapped;
      try {
        swapped = swapIntoPlace(this.fs, written.tmp, this.paths.file);
      } catch (error) {
        throw fromSystemError(error, 'Rewriting the context file', this.paths.file, 'Every change is kept in the journal; the file will be rewritten on the next attempt.');
      }
      this.replacedBy = swapped.how;
      const expected = this.fileIdentity;
      const racy = expected !== undefined && this.racilyClean(expected);
      if (swapped.how === 'exchange' && swapped.keptAt && this.putPeerVersionBack(swapped.keptAt, written, expected, racy)) continue;
      let peerVersion: ReplacedVersion | undefined;
      let syncError: unknown;
      try {
        if (swapped.keptAt) peerVersion = replacedPeerVersion(this.fs, swapped.keptAt, expected, racy);
        syncDirectory(this.fs, path.dirname(this.paths.file));
      } catch (error) {
        syncError = error;
      }
      if (syncError !== undefined) {
        // Ours is in place but perhaps not durable; what it replaced must not be lost meanwhile.
        const where = swapped.keptAt ? this.keepAside(swapped.keptAt, peerVersion?.bytes) : undefined;
        throw fromSystemError(syncError, 'Rewriting the context file', this.paths.file, `Every change is kept in the journal; the file will be rewritten on the next attempt.${where ? ` ${where}` : ''}`);
      }
      // The snapshot line about to be appended names this version.
      this.markMaterialized(this.seq + 1, this.clock().getTime());
      // The file now holds the state in exactly this order (a record removed and made again
      // moved to the end): what the truncation check compares against.
      this.materialized = this.state.snapshotMap();
      this.materializedIsFileMap = false;
      const identity = statIdentity(this.fs, this.paths.file);
      this.rememberFile(identity ? { ...identity, size: written.size, crc: written.crc } : undefined);
      this.fileDamage = [];
      this.appendSnapshotMarker(written.size, written.crc, identity?.size === written.size ? identity : undefined);
      // The other program's version exists only in the kept copy until its changes are
      // journaled: the copy goes only after that (or to .recovery/ if that fails). A peer still
      // writing into it through an old descriptor is caught by a last look before it goes.
      for (let look = 0; swapped.keptAt && look < 5; look += 1) {
        if (peerVersion) this.absorbReplacedVersion(swapped.keptAt, peerVersion);
        peerVersion = releaseKept(this.fs, swapped.keptAt, peerVersion);
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
  private putPeerVersionBack(keptAt: string, ours: { size: number; crc: string }, expected: FileIdentity | undefined, racy: boolean): boolean {
    let theirs: ReplacedVersion | undefined;
    let foreign = keptLooksForeign(this.fs, keptAt, expected, racy);
    if (foreign === undefined) {
      theirs = replacedPeerVersion(this.fs, keptAt, expected, racy);
      foreign = theirs !== undefined;
    }
    if (!foreign) return false;
    // Read before it goes back. For an instant ours was in place: a peer that read it then
    // (without the change it had just made) may write its next version into this very file,
    // in place, before we would read it there; its change would then be gone unseen.
    if (!theirs) {
      try {
        theirs = replacedPeerVersion(this.fs, keptAt, expected, racy);
      } catch {
        // Unreadable now: it still goes back first, and is read at its place like any peer version.
      }
    }
    let other: ReplacedVersion | undefined;
    try {
      other = swapBack(this.fs, keptAt, this.paths.file, ours);
      syncDirectory(this.fs, path.dirname(this.paths.file));
    } catch {
      // Ours stays in place, the peer's version in the kept copy: the usual path absorbs it.
      return false;
    }
    this.noteInstantVersion(ours);
    // Taken in as a version seen on its way (as the observer's are), before anything newer: a
    // version that came out of the swap back, or the file as it is now, may have been written
    // by a peer that read ours in that instant, so it must be judged knowing this one.
    // (Still being written through the peer's own descriptor: it is complete at the path soon.)
    if (theirs && !theirs.unsettled) {
      this.noteObservedVersion({ bytes: theirs.bytes, identity: theirs.identity });
      this.options.catchUpObserver?.();
      this.absorbObservedVersions();
    }
    // Yet another program's version came out of the swap: journaled (it was on disk a moment).
    if (other) this.absorbReplacedVersion(keptAt, other);
    if (other) removeQuietly(this.fs, keptAt);
    // The peer's version is on disk: read, judged and journaled; our rewrite stays pending.
    this.takeInOtherVersions();
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
  private noteInstantVersion(ours: { size: number; crc: string }): void {
    try {
      this.ensureJournalReady();
      const seq = this.seq + 1;
      this.journalOffset = appendDurably(this.fs, this.paths.journal, encodeSnapshot({ seq, ts: this.clock().toISOString(), fileSize: ours.size, fileCrc: ours.crc }), this.journalOffset);
      this.seq = seq;
    } catch {
      // A failed append (a full disk) loses only this evidence; the rewrite goes on as before.
      return;
    }
    this.versions.close(this.seq, 'ours', this.clock().getTime());
    this.rememberVersion(ours.size, ours.crc);
  }

  /** How the last rewrite was put in place (docs/FORMAT.md, "Rewrites"). */
  replacedBy: ReplacementPath | undefined;

  /** Journals another program's version found in the kept copy of the file our rewrite replaced. */
  private absorbReplacedVersion(keptAt: string, version: ReplacedVersion): void {
    try {
      const parsed = parseContextBytes(version.bytes);
      this.absorbPeerVersion({ ...parsed, identity: this.fileIdentity, bytes: version.bytes, exists: true });
    } catch (error) {
      throw fromSystemError(error, "Saving another program's changes to the context file", this.paths.journal, this.keepAside(keptAt, version.bytes));
    }
  }

  /** Moves a kept copy holding another program's version to .recovery/ (or leaves it); says where it is. */
  private keepAside(keptAt: string, bytes: Buffer | undefined): string {
    if (!bytes) {
      removeQuietly(this.fs, keptAt);
      return '';
    }
    try {
      const saved = this.recovery.saveBytes(this.paths.file, 0, bytes, "another program's version, replaced by ours before its changes could be saved");
      removeQuietly(this.fs, keptAt);
      return `Its version was copied to ${path.relative(path.dirname(this.paths.file), saved)}.`;
    } catch {
      return `Its version is kept as ${path.basename(keptAt)}.`;
    }
  }

  private absorbPeerVersion(file: ParsedContextFile): void {
    const onDisk = this.materialized;
    const onDiskIsFileMap = this.materializedIsFileMap;
    const identity = this.fileIdentity;
    this.absorbFile(file, 'external');
    // The peer's version was replaced by ours: the disk holds our rewrite, not theirs.
    this.pending = new Map();
    for (const record of this.state.values()) if (onDisk.get(record.key)?.raw !== record.raw) this.pending.set(record.key, onDisk.get(record.key));
    for (const [key, record] of onDisk) if (!this.state.has(key)) this.pending.set(key, record);
    this.materialized = onDisk;
    this.materializedIsFileMap = onDiskIsFileMap;
    this.fileIdentity = identity;
    this.fileDamage = [];
  }

  private saveDamagedBytes(): void {
    for (const bad of this.fileDamage) {
      this.recovery.saveBytes(this.paths.file, bad.start, bad.bytes, `${bad.reason}; copied before the file was rewritten`);
    }
    this.fileDamage = [];
  }

  private writeTemp() {
    try {
      return writeVerifiedTemp(this.fs, this.paths.file, serializeRecords(this.state.values()));
    } catch (error) {
      throw fromSystemError(error, 'Rewriting the context file', this.paths.file, 'Every change is kept in the journal; the file will be rewritten on the next attempt.');
    }
  }

  private appendSnapshotMarker(size: number, crc: string, stat?: { ino: bigint; mtimeNs: bigint; ctimeNs: bigint }): void {
    try {
      this.ensureJournalReady();
      const seq = this.seq + 1;
      const identity = stat ? { fileIno: stat.ino.toString(), fileMtimeNs: stat.mtimeNs.toString(), fileCtimeNs: stat.ctimeNs.toString() } : {};
      this.journalOffset = appendDurably(this.fs, this.paths.journal, encodeSnapshot({ seq, ts: this.clock().toISOString(), fileSize: size, fileCrc: crc, ...identity }), this.journalOffset);
      this.seq = seq;
    } catch {
      // The marker only speeds up the next open; without it the next open replays the journal.
      removeQuietly(this.fs, this.paths.checkpoint);
      return;
    }
    this.tryWriteCheckpoint(size, crc, this.journalOffset, this.seq);
  }

  /** Records where a fast open can start: the file of this size and CRC is the state at `seq`. */
  private tryWriteCheckpoint(size: number, crc: string, journalOffset: number, seq: number): void {
    if (this.journalIno === undefined) return;
    writeCheckpoint(this.fs, this.paths.checkpoint, {
      journalIno: this.journalIno.toString(),
      journalOffset,
      seq,
      size,
      crc,
      ops: [...this.ops].map(([op, entry]) => [op, entry.seq, entry.tx]),
      ...(this.versionsLoaded ? { versions: this.versions.save(seq) } : {}),
    });
  }

  /** Journal position and identity, for verify and history. */
  journalInfo(): { offset: number; seq: number } {
    return { offset: this.journalOffset, seq: this.seq };
  }

  /** Entities matching every word of the query (by word prefix), best first. */
  search(query: string, limit: number): SearchHit[] {
    return this.searchIndex().search(query, limit);
  }

  /** Every entity matching the query, with its score, in no order (SearchIndex.forEachMatch). */
  forEachMatch(query: string, visit: (record: StoredRecord, score: number) => void): void {
    this.searchIndex().forEachMatch(query, visit);
  }

  /**
   * Builds the search index for about `budgetMs` (the app does this a slice at a time after
   * opening, so the first search finds it ready); true when it is complete.
   */
  buildSearchIndexStep(budgetMs: number): boolean {
    if (!this.index || this.index.wantsRebuild) this.startSearchIndex();
    if (!this.indexBuild) return true;
    if (!this.indexBuild.step(budgetMs)) return false;
    this.indexBuild = undefined;
    return true;
  }

  private searchIndex(): SearchIndex {
    if (!this.index || this.index.wantsRebuild) this.startSearchIndex();
    // A search before the slices are done finishes the build first.
    this.buildSearchIndexStep(Number.POSITIVE_INFINITY);
    return this.index as SearchIndex;
  }

  private startSearchIndex(): void {
    const index = new SearchIndex([]);
    this.index = index;
    this.state.observe(index);
    this.indexBuild = new IndexBuild(index, [...this.state.values()], (key) => this.state.get(key));
  }

  /** Unreadable lines of the context file as last read (their bytes are saved before any rewrite). */
  damagedLines(): readonly BadLine[] {
    return this.fileDamage;
  }

  /** Keys the state has and the context file (as last read) lacks. */
  keysMissingFromFile(): string[] {
    return [...this.state.keys()].filter((key) => !this.materialized.has(key));
  }

  /** How many records differ between the journal's state and the context file. */
  pendingCount(): number {
    return this.pending.size;
  }

  /** File facts for listings. */
  fileInfo(): { size: number } | undefined {
    return this.fileIdentity && this.fileIdentity.size >= 0 ? { size: this.fileIdentity.size } : undefined;
  }
}

/** True when the keys the two sequences share come in the same order in both. */
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
function writtenAt(identity: FileIdentity | undefined, now: Date): number {
  return identity && identity.mtimeNs > 0n ? Number(identity.mtimeNs / 1_000_000n) : now.getTime();
}

