// The storage engine of one data root: the contexts in it, the lock our processes share, and
// the rhythm of commits (durable at once) and rewrites of the context files (coalesced).
// Plain Node: the Electron main process, the CLI and the tests all run this same code.
import path from 'node:path';
import { EngineError, fromSystemError } from './errors.ts';
import { makeDirectoryDurably, realFileSystem, type FileSystem } from './fileSystem.ts';
import { contextOfFileName, contextPaths, rootPaths, validateContextName, type DataLayout } from './dataRoot.ts';
import { ContextStore, type CommitResult, type PendingChanges } from './contextStore.ts';
import { RewriteRounds } from './rewriteRounds.ts';
import type { CommitMeta } from './commitLines.ts';
import { operationFor, refuseOtherUse } from './operationIntent.ts';
import { RecoveryLog } from './recoveryLog.ts';
import { acquireRootLock, type HeldLock } from './rootLock.ts';
import type { Origin } from './journalFormat.ts';
import type { RecordSet } from './recordSet.ts';
import { IntentLog } from './intentLog.ts';
import { upgradeJournalIfOld } from './journalUpgrade.ts';
import { loadAtomicExchange } from './atomicExchange.ts';
import { linkedFolderReason } from './dataFolderLinks.ts';
import { readDerivedEntry } from './derivedCache.ts';
import { loadsAsFile } from './contextLoading.ts';
import type { ObservedVersion } from './versionObserver.ts';
import { tell, timed, type TimingObserver } from './health/engineTiming.ts';
import { isHiddenRetired } from './contexts/retiredContexts.ts';
import { monotonicMs } from './monotonicClock.ts';
import { nextTurn } from './steppedWork.ts';
import type { ReadFileKind, ReadProgress } from './readProgress.ts';
import { readFileAhead, type ReadAheadFile } from './contextReadAhead.ts';
import { summarize, type ContextSummary } from './contextSummary.ts';

export interface EngineOptions {
  readonly layout: DataLayout;
  readonly fs?: FileSystem;
  /** Who is writing, recorded with every commit: 'app' or 'cli'. */
  readonly origin?: Origin;
  /** Longest wait for another process's lock before a BUSY error. */
  readonly lockTimeoutMs?: number;
  /** Age after which a lock whose owner stopped refreshing it is taken over. */
  readonly lockStaleMs?: number;
  /** How long the lock is kept after an operation for the next one (0: released at once). */
  readonly lockLeaseMs?: number;
  /** Coalescing window for rewriting context files after commits; -1 rewrites only on flush/close. */
  readonly rewriteDelayMs?: number;
  readonly readOnly?: boolean;
  readonly clock?: () => Date;
  /**
   * From this size of context file up, a scheduled rewrite writes its file before it takes the
   * data folder's lock (Engine.flush; default REWRITE_OUTSIDE_LOCK_FROM_BYTES). Infinity: always
   * under the lock (the bench's baseline); 0: always before it (tests of small folders).
   */
  readonly rewriteOutsideLockFromBytes?: number;
  /** How long a scheduled rewrite of such a file works between two pauses (default REWRITE_SLICE_MS; 0: a pause after every step). */
  readonly rewriteSliceMs?: number;
  /** How long scheduled rewrites may leave a file behind, made stale by commits (default STALE_REWRITE_LIMIT_MS). */
  readonly staleRewriteLimitMs?: number;
  /** Called when a background rewrite fails (the commits themselves are safe in the journal). */
  readonly onBackgroundError?: (error: EngineError) => void;
  /** Told, a few times a second, how far the load of a large context file (or its journal's full replay) has read it (readProgress.ts). */
  readonly onReadProgress?: (progress: FileReadProgress) => void;
}

/**
 * How far a context's load has read its file (`kind` 'file') or the file's journal ('journal':
 * a full replay, as after a crash or without a checkpoint): `file` is the context file's name in
 * the data folder either way.
 */
export interface FileReadProgress {
  readonly context: string;
  readonly file: string;
  readonly kind: ReadFileKind;
  readonly doneBytes: number;
  readonly totalBytes: number;
}

/** Longest a lease is held while operations keep coming, before others get a turn. */
const LEASE_MAX_MS = 100;

/** A change to one context built from its current state, read under the lock (never a stale copy). */
export type ChangeBuilder = (state: RecordSet, store: ContextStore) => PendingChanges;

export class Engine {
  readonly layout: DataLayout;
  readonly fs: FileSystem;
  readonly recovery: RecoveryLog;
  readonly origin: Origin;
  readOnlyReason: string | undefined;
  private readonly stores = new Map<string, ContextStore>();
  private readonly options: EngineOptions;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private closing = false;
  private lease: { lock: HeldLock; since: number; idle: NodeJS.Timeout | undefined } | undefined;
  private releasing: Promise<void> | undefined;
  /** The last failure to finish an interrupted move (it stays open and is retried). */
  lastIntentError: EngineError | undefined;
  private yieldBeforeRetake = false;
  private intents: IntentLog;
  /** The last background rewrite failure, until a rewrite succeeds again. */
  lastRewriteError: EngineError | undefined;
  /** Rewriting the context files after commits, in rounds, and at flush and close. */
  private readonly rewrites: RewriteRounds;

  private constructor(options: EngineOptions) {
    this.options = options;
    this.layout = options.layout;
    this.fs = options.fs ?? realFileSystem;
    this.origin = options.origin ?? 'app';
    this.recovery = new RecoveryLog(this.fs, rootPaths(this.layout).recovery, options.clock);
    this.intents = new IntentLog(this.fs, rootPaths(this.layout).intents, options.clock);
    this.rewrites = new RewriteRounds({
      options,
      root: this.layout.root,
      fs: this.fs,
      readOnly: () => this.readOnly,
      stores: () => this.stores.values(),
      store: (context) => this.stores.get(context),
      stopping: () => this.closing || this.closed,
      withLock: (work, beforeLock) => this.withLock(work, beforeLock),
      letGoOfLease: async () => {
        if (this.lease) await this.releaseLease(false);
      },
      timingObserver: () => this.timingObserver,
      rewritten: (failure) => {
        this.lastRewriteError = failure;
      },
    });
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const engine = new Engine(options);
    engine.readOnlyReason = options.readOnly ? 'opened for reading only' : engine.probeWritable();
    return engine;
  }

  get readOnly(): boolean {
    return this.readOnlyReason !== undefined;
  }

  /** True once the engine is closing or closed: work done in slices outside the queue stops. */
  get stopping(): boolean {
    return this.closing || this.closed;
  }

  /** How long work done in slices runs between two pauses (EngineOptions.rewriteSliceMs), if set. */
  get sliceMs(): number | undefined {
    return this.options.rewriteSliceMs;
  }

  /** A data root that cannot be written opens read-only and says why. */
  private probeWritable(): string | undefined {
    const { history } = rootPaths(this.layout);
    const linked = linkedFolderReason(this.fs, this.layout);
    if (linked) return linked;
    try {
      makeDirectoryDurably(this.fs, history);
      const probe = path.join(history, `.probe-${process.pid}`);
      const fd = this.fs.openSync(probe, 'w');
      this.fs.closeSync(fd);
      this.fs.unlinkSync(probe);
      return undefined;
    } catch (error) {
      return fromSystemError(error, 'Opening the data folder for writing', this.layout.root, 'It is open read-only; nothing will be changed.').message;
    }
  }

  // ------------------------------------------------------------ serialization

  /**
   * Runs `work` alone in this process, and under the root lock across processes. `beforeLock`
   * runs in the same turn, just before the lock is taken: nothing of this process comes between.
   */
  withLock<T>(work: (lock: HeldLock | undefined) => T | Promise<T>, beforeLock?: () => Promise<void>): Promise<T> {
    // Work submitted once closing began is refused (what came before runs, then the last rewrite).
    if (this.closed) return Promise.reject(new EngineError('BAD_INPUT', 'The storage engine is closed.'));
    if (this.closing) return Promise.reject(new EngineError('BAD_INPUT', 'The storage engine is closing; nothing was changed.'));
    return this.runLocked(work, beforeLock);
  }

  private runLocked<T>(work: (lock: HeldLock | undefined) => T | Promise<T>, beforeLock?: () => Promise<void>): Promise<T> {
    const run = async () => {
      if (this.closed) throw new EngineError('BAD_INPUT', 'The storage engine is closed.');
      // A writer swaps rewritten files into place with an atomic exchange: loaded once, while
      // the lock is taken (each costs 15-25 ms on a first open; loading never rejects).
      const exchangeLoaded = this.readOnly ? undefined : loadAtomicExchange();
      if (beforeLock) await beforeLock();
      const lock = this.readOnly ? undefined : await this.takeLease();
      await exchangeLoaded;
      try {
        // A change across contexts left open by a crashed process is finished before anything else.
        if (this.intents.hasOpenIntents()) this.finishInterruptedMoves();
        return await work(lock);
      } catch (error) {
        // Every failure leaves as an EngineError naming the file (errors.ts).
        if (error instanceof EngineError) throw error;
        const file = typeof (error as { path?: unknown })?.path === 'string' ? ((error as { path: string }).path) : this.layout.root;
        throw fromSystemError(error, 'Working on the data folder', file, 'Everything saved before is kept.');
      } finally {
        if (lock) this.endOfWork();
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * The lock is held as a short lease: operations that follow each other within `lockLeaseMs`
   * share one acquisition (taking the lock costs as much as the fdatasync of a commit), but it
   * is released after `lockLeaseMs` idle, or after `LEASE_MAX_MS` of holding so other
   * processes get their turn.
   */
  private async takeLease(): Promise<HeldLock> {
    const held = this.lease;
    if (held && !held.lock.compromised && Date.now() - held.since < LEASE_MAX_MS) {
      if (held.idle) clearTimeout(held.idle);
      held.idle = undefined;
      return held.lock;
    }
    if (held) await this.releaseLease(true);
    if (this.releasing) await this.releasing;
    if (this.yieldBeforeRetake) {
      this.yieldBeforeRetake = false;
      await new Promise((resolve) => setTimeout(resolve, this.leaseMs() + 1));
    }
    // A folder of ours turned into a link since the open: nothing is written through it (looked
    // at each time the lock is taken, not at every operation of a lease).
    const linked = linkedFolderReason(this.fs, this.layout);
    if (linked) throw new EngineError('READ_ONLY', `Cannot change the data folder: ${linked}.`, { file: this.layout.root, kept: 'Nothing was changed.' });
    const lock = await acquireRootLock(this.layout.root, rootPaths(this.layout).lock, {
      timeoutMs: this.options.lockTimeoutMs ?? 10_000,
      staleMs: this.options.lockStaleMs ?? 10_000,
      fs: this.fs,
    });
    this.lease = { lock, since: Date.now(), idle: undefined };
    return lock;
  }

  private leaseMs(): number {
    return this.options.lockLeaseMs ?? 15;
  }

  private endOfWork(): void {
    const lease = this.lease;
    if (!lease) return;
    if (this.leaseMs() <= 0 || Date.now() - lease.since >= LEASE_MAX_MS) {
      void this.releaseLease(true);
      return;
    }
    lease.idle = setTimeout(() => {
      // Released on the queue, so it never lands in the middle of an operation.
      const release = () => (this.lease === lease && lease.idle !== undefined ? this.releaseLease(false) : undefined);
      this.queue = this.queue.then(release, release);
    }, this.leaseMs());
    lease.idle.unref?.();
  }

  /** Lets go of the lease once the work queued before is done (never in the middle of an operation). */
  private releaseLeaseInQueue(): Promise<void> {
    const release = () => this.releaseLease(false);
    const released = this.queue.then(release, release);
    this.queue = released;
    return released;
  }

  private async releaseLease(forced: boolean): Promise<void> {
    const lease = this.lease;
    if (!lease) return this.releasing;
    this.lease = undefined;
    if (lease.idle) clearTimeout(lease.idle);
    if (forced) this.yieldBeforeRetake = true;
    const releasing = lease.lock.release();
    this.releasing = releasing;
    await releasing;
    if (this.releasing === releasing) this.releasing = undefined;
  }

  /** The store of a context, loaded (or refreshed: other processes' commits, a peer's rewrite). Under the lock. */
  private storeUnderLock(context: string, replayWholeJournal = false): ContextStore {
    validateContextName(context);
    let store = this.stores.get(context);
    if (!store) {
      if (!this.readOnly) upgradeJournalIfOld(this, context);
      store = new ContextStore({
        fs: this.fs,
        layout: this.layout,
        context,
        readOnly: this.readOnly,
        readOnlyReason: this.readOnlyReason,
        recovery: this.recovery,
        clock: this.options.clock,
        catchUpObserver: () => this.versionObserver?.catchUp(),
        savesCachesWhileReading: this.readerSavesCaches(),
        ...(this.options.onReadProgress ? { readProgress: this.readProgressOf(context) } : {}),
        ...(replayWholeJournal ? { replayWholeJournal } : {}),
      });
      const opening = monotonicMs();
      const ahead = this.readAheads.get(context);
      this.readAheads.delete(context);
      store.load(ahead);
      this.stores.set(context, store);
      tell(this.timingObserver, 'open', context, opening);
    } else {
      store.refresh();
    }
    if (this.readOnly) this.previewOpenIntents(context, store);
    if (store.needsRewrite || store.journalPending) this.scheduleRewrite();
    return store;
  }

  /** Context files read before the lock (readFileAhead), each taken by the context's load. */
  private readonly readAheads = new Map<string, ReadAheadFile>();

  /**
   * Reads a context's file now, without the lock: the load under the lock takes it if the file is
   * still the one read (contextReadAhead.ts), and holds the lock for what is left. For a write to
   * come (the CLI's), its key map and the state's copy are made too (`readyForChange`, the
   * default); the app's first open takes the parse alone. Nothing for a context loaded already,
   * nor in an engine that cannot write (it takes no lock). A failure here is not one: the load
   * reads the file again and reports it.
   */
  readFileAhead(context: string, options: { readonly readyForChange?: boolean } = {}): void {
    const name = validateContextName(context);
    if (this.readOnly || this.stopping || this.stores.has(name) || this.readAheads.has(name)) return;
    try {
      const ahead = readFileAhead(this.fs, contextPaths(this.layout, name), {
        ...(this.options.onReadProgress ? { progress: this.readProgressOf(name)('file') } : {}),
        ...(options.readyForChange === false ? { readyForChange: false } : {}),
      });
      if (ahead) this.readAheads.set(name, ahead);
    } catch {
      // Read again under the lock.
    }
  }

  /**
   * Readies a context for a write to come (the CLI's), holding the lock as little as it can: its
   * file is read ahead (readFileAhead) and loaded under a short hold of the lock; then, for a file
   * with no journal yet (another program's, written to for the first time), the lines that start
   * its journal, a copy of every record, are made without the lock (at 100k charts 4-5 s of a
   * hold of 7). The write takes them if the file is still the one they copy (contextCommit.ts,
   * finishOrMake); otherwise it makes its own. `isStopped`: the making stops there (an interruption).
   */
  async prepareToWrite(context: string, isStopped: () => boolean = () => false): Promise<void> {
    const name = validateContextName(context);
    this.readFileAhead(name);
    await this.read(name, () => undefined);
    const store = this.stores.get(name);
    if (!store || store.readOnly || !store.journalPending) return;
    // Made without the lock: the lease still held from the load goes first.
    await this.releaseLeaseInQueue();
    await store.journalStartInSlices({ sliceMs: Number.POSITIVE_INFINITY, pause: nextTurn, current: () => !isStopped() && !this.stopping && this.stores.get(name) === store });
  }

  /** What tells onReadProgress of this context's loads. */
  private readProgressOf(context: string): (kind: ReadFileKind) => ReadProgress {
    const file = path.basename(contextPaths(this.layout, context).file);
    return (kind) => (doneBytes, totalBytes) => this.options.onReadProgress?.({ context, file, kind, doneBytes, totalBytes });
  }

  /**
   * Opened for reading (the CLI's reading commands) in a folder that is ours already: its
   * .history is a real folder. A reader saves the chart list's cache there (derivedCache.ts),
   * so that the next `tension chart list` of an unchanged file reads it without parsing the file
   * (savedWithoutLoading). Never in a peer's folder (no .history: a reader makes nothing there),
   * nor in one opened read-only because it cannot be written or is a newer format's.
   */
  private readerSavesCaches(): boolean {
    if (this.options.readOnly !== true || linkedFolderReason(this.fs, this.layout) !== undefined) return false;
    try {
      return this.fs.statSync(rootPaths(this.layout).history, { bigint: true }).isDirectory();
    } catch {
      return false;
    }
  }

  /**
   * The derived cache `kind` of a context, read without loading the context (its file is not
   * parsed), when loading it would make its state exactly the file the cache was saved for
   * (loadsAsFile): only in a reader that has not loaded the context yet, with no change across
   * contexts left open (a reader previews those). Undefined otherwise: the caller loads it.
   * `tension chart list` of a file unchanged since its list was saved: the file's read and CRC,
   * not a parse of every line (at 1k charts most of the command's own time).
   */
  savedWithoutLoading(context: string, kind: 'summaries'): Promise<string | undefined> {
    return this.withLock(() => {
      const name = validateContextName(context);
      if (!this.readOnly || this.stores.has(name)) return undefined;
      const paths = contextPaths(this.layout, name);
      const saved = readDerivedEntry(this.fs, paths[kind]);
      if (saved === undefined || !loadsAsFile(this.fs, paths, saved.tag)) return undefined;
      // Looked for after the files were read, as a load previews a move it finds after reading
      // them (runLocked has loaded the contexts of one open before, to finish or preview it).
      return this.noOpenMove() ? saved.text : undefined;
    });
  }

  /** No change across contexts is open (an unreadable intent log counts as one). */
  private noOpenMove(): boolean {
    try {
      return !this.intents.hasOpenIntents();
    } catch {
      return false;
    }
  }

  /**
   * A reader that may not write still sees a move that was decided (its intent is durable) but
   * not yet finished by a writer: the missing parts are applied in memory only.
   */
  private previewOpenIntents(context: string, store: ContextStore): void {
    let open;
    try {
      if (!this.intents.hasOpenIntents()) return;
      open = this.intents.unfinishedRaw();
    } catch {
      return; // an unreadable intent log: the journals alone are shown
    }
    for (const intent of open) {
      const changes = intent.parts[context];
      const op = `${intent.opBase}:${context}`;
      if (!changes || store.hasOperation(op) || store.previewedOperation(op)) continue;
      store.preview(op, this.intents.decode(changes));
    }
  }

  // ------------------------------------------------------------ reading

  /** Reads a context's current state (fresh: refreshed under the lock). */
  read<T>(context: string, reader: (state: RecordSet, store: ContextStore) => T): Promise<T> {
    return timed(this.timingObserver, 'read', context, () => this.withLock(() => {
      const store = this.storeUnderLock(context);
      return reader(store.state, store);
    }));
  }

  /** Every context in the data root: from the files there and from journals whose file is gone. */
  listContextNames(): string[] {
    const names = new Set<string>();
    for (const entry of safeReaddir(this.fs, this.layout.root)) {
      const context = contextOfFileName(this.layout, entry);
      if (context) names.add(context);
    }
    for (const entry of safeReaddir(this.fs, rootPaths(this.layout).history)) {
      if (!entry.endsWith('.journal.jsonl') || entry.startsWith('_')) continue;
      const context = contextOfFileName(this.layout, `${entry.slice(0, -'.journal.jsonl'.length)}.jsonl`);
      if (context) names.add(context);
    }
    // A move decided (its intent durable) but not yet finished by a writer (a crash) names a
    // context that may have neither file nor journal yet: listed, as reading it shows the move.
    for (const context of this.contextsOfOpenIntents()) names.add(context);
    // A context renamed, merged away or deleted is not listed while its file is gone (contexts/retiredContexts.ts).
    return [...names].filter((name) => !isHiddenRetired(this.fs, this.layout, name)).sort();
  }

  private contextsOfOpenIntents(): string[] {
    try {
      if (!this.intents.hasOpenIntents()) return [];
      return this.intents.unfinishedRaw().flatMap((intent) =>
        Object.keys(intent.parts).filter((context) => {
          try {
            return validateContextName(context) === context;
          } catch {
            return false;
          }
        }),
      );
    } catch {
      return []; // an unreadable intent log: the files and journals alone are listed
    }
  }

  /**
   * Every context's summary. `also` is asked in the same read of each context, and its answer
   * given beside the summary (the app's chart count: one read per context, not two).
   */
  async listContexts(): Promise<ContextSummary[]>;
  async listContexts<T>(also: (state: RecordSet) => T): Promise<(ContextSummary & { readonly also: T })[]>;
  async listContexts<T>(also?: (state: RecordSet) => T): Promise<(ContextSummary & { readonly also?: T })[]> {
    const summaries: (ContextSummary & { also?: T })[] = [];
    for (const context of this.listContextNames()) {
      // Opened for reading on purpose is not a health problem; a folder we cannot write is.
      const unwritable = this.readOnly && !this.options.readOnly;
      summaries.push(await this.read(context, (state, store) => (also ? { ...summarize(store, state, unwritable, this.fs), also: also(state) } : summarize(store, state, unwritable, this.fs))));
    }
    return summaries;
  }

  // ------------------------------------------------------------ writing

  /** One all-or-nothing change to one context. */
  transact(context: string, build: ChangeBuilder, meta: Partial<CommitMeta> = {}): Promise<CommitResult> {
    return timed(this.timingObserver, 'write', context, () => this.withLock((lock) => {
      const store = this.storeUnderLock(context);
      const opFor = meta.op === undefined ? undefined : (meta.opFor ?? operationFor(meta.op));
      if (meta.op !== undefined) {
        const done = store.hasOperation(meta.op);
        if (done) {
          refuseOtherUse(meta.op, done, opFor);
          return { seq: done.seq, tx: done.tx, changed: 0, duplicate: true };
        }
      }
      const changes = build(store.state, store);
      assertLockHeld(lock, store.paths.journal);
      const result = store.commit(changes, { origin: this.origin, ...meta, ...(opFor === undefined ? {} : { opFor }) });
      if (store.needsRewrite) this.scheduleRewrite();
      return result;
    }));
  }

  /**
   * One all-or-nothing change across several contexts (a chart moved between them). The whole
   * change is first written to the intent log; once that is durable the move is decided, and
   * each context's part is committed under an operation id, so a crash part-way is finished on
   * the next open, exactly once.
   */
  transactAcross(builders: readonly (readonly [context: string, build: ChangeBuilder])[], meta: Partial<CommitMeta> = {}): Promise<Record<string, CommitResult>> {
    return timed(this.timingObserver, 'move', undefined, () => this.withLock((lock) => {
      // A retried change (same operation id) that already happened is answered, not redone.
      const opFor = meta.op === undefined ? undefined : (meta.opFor ?? operationFor(meta.op));
      if (meta.op !== undefined && builders.length > 0) {
        const done = builders.map(([context]) => [context, this.storeUnderLock(context).hasOperation(`${meta.op}:${context}`)] as const);
        for (const [, d] of done) if (d) refuseOtherUse(meta.op, d, opFor);
        if (done.every(([, d]) => d !== undefined)) {
          return Object.fromEntries(done.map(([context, d]) => [context, { seq: d!.seq, tx: d!.tx, changed: this.storeUnderLock(context).changesIn(d!.tx), duplicate: true }]));
        }
      }
      const parts: Record<string, PendingChanges> = {};
      // Builders run in the order given (a move reads its source before writing its target).
      for (const [context, build] of builders) {
        if (Object.hasOwn(parts, context)) throw new EngineError('BAD_INPUT', `Context ${context} is named twice in one change.`);
        const store = this.storeUnderLock(context);
        parts[context] = build(store.state, store);
      }
      assertLockHeld(lock, rootPaths(this.layout).intents);
      // Refused before the intent is written: once it is durable, the change will happen.
      if (this.readOnly) throw new EngineError('READ_ONLY', `Cannot change the data folder: ${this.readOnlyReason}.`, { file: this.layout.root, kept: 'Nothing was changed.' });
      // The stores as the builders read them: no refresh between building and committing.
      const built = (context: string) => this.stores.get(context) as ContextStore;
      for (const context of Object.keys(parts)) {
        const store = built(context);
        if (store.readOnly) throw new EngineError('READ_ONLY', `Cannot change context ${context}: ${store.readOnlyReason}.`, { file: store.paths.journal, kept: 'Nothing was changed.' });
      }
      let intent;
      try {
        intent = this.intents.begin(parts, { origin: this.origin, ...meta, ...(opFor === undefined ? {} : { opFor }) }, built);
      } catch (error) {
        // The append failed, and so did cutting it back: the intent may be on disk, and then the
        // next process finishes it. Saying "nothing changed" would be untrue.
        if ((error as { cutBackFailed?: unknown }).cutBackFailed) {
          throw fromSystemError(error, 'Saving the change across contexts', this.intents.file, 'The change may have been saved despite this error, and then it is finished by the next Tension Desk process that writes: check the charts before trying again. Everything saved before is kept.');
        }
        throw fromSystemError(error, 'Saving the change across contexts', this.intents.file, 'Nothing was changed; everything saved before is kept.');
      }
      // The intent is durable: the change is decided (its commit point), and will be finished by
      // whoever next holds the lock if applying it here fails. So it is reported as done.
      try {
        return this.applyIntent(intent.id, intent.parts, intent.meta, built);
      } catch (error) {
        this.lastIntentError = error instanceof EngineError ? error : fromSystemError(error, 'Finishing a change across contexts', this.intents.file, 'It is recorded and will be finished automatically.');
        return Object.fromEntries(
          Object.entries(intent.parts).map(([context, changes]) => [context, { seq: 0, tx: intent.id, changed: changes.puts.length + changes.deletes.length, duplicate: false }]),
        );
      }
    }));
  }

  private applyIntent(id: string, parts: Record<string, PendingChanges>, meta: CommitMeta, storeOf: (context: string) => ContextStore = (c) => this.storeUnderLock(c)): Record<string, CommitResult> {
    const results: Record<string, CommitResult> = {};
    const opBase = meta.op ?? id;
    for (const [context, changes] of Object.entries(parts)) {
      const store = storeOf(context);
      results[context] = store.commit(changes, { ...meta, op: `${opBase}:${context}`, intent: id });
    }
    try {
      this.intents.finish(id);
    } catch {
      // The change is done in every context; the intent stays open and finishing it again
      // applies nothing twice (each part has its operation id).
    }
    this.scheduleRewrite();
    return results;
  }

  /** On open: moves that were decided (intent durable) but not finished are finished now. */
  private finishInterruptedMoves(): void {
    for (const pending of this.intents.unfinished((context) => this.storeUnderLock(context))) {
      try {
        this.applyIntent(pending.id, pending.parts, pending.meta);
      } catch (error) {
        // It stays open and is tried again next time; unrelated work goes on meanwhile.
        const failure = error instanceof EngineError ? error : fromSystemError(error, 'Finishing an interrupted move', this.intents.file, 'It will be finished when the cause is gone.');
        this.lastIntentError = failure;
        continue;
      }
      try {
        this.recovery.log(`finished an interrupted change across contexts (${Object.keys(pending.parts).join(', ')}), intent ${pending.id}`);
      } catch {
        // the move is done; only its log line is missing
      }
    }
  }

  // ------------------------------------------------------------ rewriting the context files (rewriteRounds.ts)

  /**
   * Rewrites every context file that is behind its journal. Commits are durable without this.
   * Each file is written first without the data folder's lock, then, under the lock, swapped
   * into place if nothing changed since; else written again there (RewriteRounds.flush).
   */
  flush(): Promise<void> {
    return this.rewrites.flush();
  }

  private scheduleRewrite(): void {
    this.rewrites.schedule();
  }

  /** No scheduled rewrite starts before `settled` settles (RewriteRounds.holdUntil); flush and close are not held. */
  holdScheduledRewritesUntil(settled: Promise<unknown>): void {
    this.rewrites.holdUntil(settled);
  }

  private flushUnderLock(): void {
    this.rewrites.underLock();
  }

  /**
   * A version of a context file another program wrote, read as it appeared (versionObserver.ts):
   * journaled by the next refresh of that context, if it is loaded.
   */
  observedVersion(context: string, version: ObservedVersion): void {
    this.stores.get(context)?.noteObservedVersion(version);
  }

  /** The observer reading other programs' versions as they appear (the app's live updates attach it). */
  versionObserver: { catchUp(): void } | undefined;

  /** Told how long each read, write, move, open and rewrite took (the health view's performance figures). */
  timingObserver: TimingObserver | undefined;

  /** Loaded stores, for verify/recover/backup. */
  loadedStore(context: string): ContextStore | undefined {
    return this.stores.get(context);
  }

  /**
   * Runs `work` at once on a loaded context as this process holds it, without the lock and
   * without reading what other processes wrote since: for work on this process's memory alone
   * that changes nothing a reader sees (a copy of a map, an index built a slice at a time).
   * Through `read` it waited for the lock: while another process's write held it for seconds
   * (a CLI write at 100k charts: 7-11 s), the app's preparation for the next change waited too,
   * and the first read after that write made the whole copy in one piece (1.2-1.6 s), which the
   * window's refresh waited for. Undefined when the context is not loaded or the engine closes.
   * `work` must finish before it returns (no promise): nothing else runs meanwhile.
   */
  inMemory<T>(context: string, work: (state: RecordSet, store: ContextStore) => T extends PromiseLike<unknown> ? never : T): T | undefined {
    if (this.stopping) return undefined;
    const store = this.stores.get(context);
    return store ? work(store.state, store) : undefined;
  }

  /**
   * Under the lock only: the loaded (refreshed) store of a context. `replayWholeJournal`: one not
   * loaded yet is loaded from the whole journal (a repair), not from the checkpoint on.
   */
  storeForLockedWork(context: string, options: { replayWholeJournal?: boolean } = {}): ContextStore {
    return this.storeUnderLock(context, options.replayWholeJournal === true);
  }

  /** Forgets a loaded store so the next use reloads it from disk (after recovery or restore). */
  forget(context: string): void {
    this.stores.delete(context);
  }

  flushForLockedWork(): void {
    this.flushUnderLock();
  }

  async close(): Promise<void> {
    if (this.closed || this.closing) return;
    this.closing = true;
    this.rewrites.cancel();
    try {
      if (!this.readOnly) {
        // As a flush: a large file is written before the lock is taken again, and only swapped in
        // under it (the CLI's write at 100k charts held the lock 2.4 s longer for it).
        await this.rewrites.flush({
          run: (work, beforeLock) => this.runLocked(work, beforeLock),
          // After the last rewrite, the state is its file: what is derived from it is saved for the next open.
          thenUnderLock: () => {
            for (const store of this.stores.values()) store.saveDerivedCaches();
          },
        });
      } else {
        // A reader saves them only where its stores may (readerSavesCaches); nothing else is written.
        await this.runLocked(() => {
          for (const store of this.stores.values()) store.saveDerivedCaches();
        });
      }
    } finally {
      await this.releaseLeaseInQueue();
      this.closed = true;
      this.readAheads.clear();
      // A closed engine refuses all work: what it read goes with it, even while something still
      // holds the engine (at 100k charts about 560 MB; a process that opened and closed one kept
      // that on its heap, and each full collection of it held its thread for 200-350 ms).
      this.stores.clear();
    }
  }
}

function assertLockHeld(lock: HeldLock | undefined, file: string): void {
  if (lock?.compromised) {
    throw new EngineError('CONFLICT', `The data folder lock was lost (${lock.compromised.message}); the change was not applied. Try again.`, {
      file,
      kept: 'Nothing was changed.',
    });
  }
}

function safeReaddir(fsys: FileSystem, dir: string): string[] {
  try {
    return fsys.readdirSync(dir);
  } catch {
    return [];
  }
}


export { contextPaths };
