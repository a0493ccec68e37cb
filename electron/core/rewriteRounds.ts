// When and how the engine rewrites its context files from their state (each file's own rewrite
// is contextRewrite.ts). Commits are durable in the journal without a rewrite; the file follows:
// - scheduled after commits, in rounds (one at a time): a large file is written a slice at a
//   time outside the engine's queue of work, so that a window's requests and commits are
//   answered between slices, then swapped in under the lock (scheduledFlush);
// - flush (and close): every file behind its journal, in the queue, a large one written before
//   the data folder's lock is taken and swapped in under it (flush, underLock).
import { EngineError, fromSystemError } from './errors.ts';
import type { FileSystem } from './fileSystem.ts';
import type { ContextStore } from './contextStore.ts';
import type { PreparedRewrite } from './contextRewrite.ts';
import { removeQuietly } from './atomicFile.ts';
import { tell, type TimingObserver } from './health/engineTiming.ts';
import { monotonicMs } from './monotonicClock.ts';
import { nextTurn } from './steppedWork.ts';

/** What the rounds take from the engine's options. */
/** Runs `work` alone in this process under the data folder's lock, `beforeLock` first in the same turn. */
export type RunLocked = <T>(work: () => T | Promise<T>, beforeLock?: () => Promise<void>) => Promise<T>;

export interface RewriteOptions {
  readonly rewriteDelayMs?: number;
  readonly rewriteOutsideLockFromBytes?: number;
  readonly rewriteSliceMs?: number;
  readonly staleRewriteLimitMs?: number;
  readonly onBackgroundError?: (error: EngineError) => void;
}

/** The engine, as the rewrite rounds use it. */
export interface RewriteHost {
  readonly options: RewriteOptions;
  readonly root: string;
  readonly fs: FileSystem;
  readOnly(): boolean;
  /** The loaded stores, and one by its context. */
  stores(): Iterable<ContextStore>;
  store(context: string): ContextStore | undefined;
  /** True once the engine is closing or closed. */
  stopping(): boolean;
  /** Engine.withLock: alone in this process, under the data folder's lock. */
  withLock: RunLocked;
  /** Lets go of a lease still held from the last operation (a file is then written without the lock). */
  letGoOfLease(): Promise<void>;
  timingObserver(): TimingObserver | undefined;
  /** The last rewrite under the lock ended so (undefined: it succeeded). */
  rewritten(failure: EngineError | undefined): void;
}

/**
 * Below this size a context file is written under the lock: it takes a few milliseconds, less
 * than letting go of the lock and taking it again, and among busy writers (the MCP race: two
 * servers, the CLI and two peers on a small file) a file written first was nearly always stale
 * by the swap, and written twice. At 4 MB (about 1,500 charts) a write takes some 40 ms.
 */
const REWRITE_OUTSIDE_LOCK_FROM_BYTES = 4 * 1024 * 1024;

/** How long the scheduled rewrite works between two pauses (scheduledFlush): a click waits at most about this. */
const REWRITE_SLICE_MS = 15;

/** How long scheduled rewrites may leave a file behind, their writes made stale by commits, before one is written in the queue (scheduledFlush). */
const STALE_REWRITE_LIMIT_MS = 10_000;

/** A pause that lets whatever waits run: timers, a window's message, the I/O of other work. */

/** The engine's rewrites of its context files: scheduled rounds after commits, flush, close. */
export class RewriteRounds {
  /** The scheduled round's timer, while one is waiting. */
  private timer: NodeJS.Timeout | undefined;
  /** How long the last round took (the next waits twice as long: schedule). */
  private lastRewriteMs = 0;

  constructor(private readonly host: RewriteHost) {}

  /** Stops the round waiting to start (the engine closes; its close writes the files). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Holds (holdUntil) not yet settled; a round asked for meanwhile waits for the last. */
  private holds = 0;
  private askedWhileHeld = false;

  /**
   * No scheduled round starts before `settled` settles; one asked for meanwhile is scheduled
   * then. For the app's first screen: at the first open of a peer's 100k-chart file, the round
   * that starts its journal holds the engine's thread for seconds, and began between the load
   * and the window's first chart list. Commits are durable in the journal meanwhile; flush and
   * close are not held.
   */
  holdUntil(settled: Promise<unknown>): void {
    this.holds += 1;
    const release = () => {
      this.holds -= 1;
      if (this.holds > 0 || !this.askedWhileHeld) return;
      this.askedWhileHeld = false;
      this.schedule();
    };
    settled.then(release, release);
  }

  /** Asks for a round after the rewrite delay (a commit was made, or a file is behind its journal). */
  schedule(): void {
    const configured = this.host.options.rewriteDelayMs ?? 100;
    if (configured < 0 || this.timer || this.host.stopping()) return;
    if (this.holds > 0) {
      this.askedWhileHeld = true;
      return;
    }
    // One scheduled round at a time: its files are written outside the queue, so a second
    // round would write the same file beside it, from the start (scheduledFlush).
    if (this.rewriteRound) {
      this.rewriteAgain = true;
      return;
    }
    // A rewrite of a large file takes a while; waiting twice as long as the last one took keeps
    // rewrites a small share of the time however fast commits come.
    const delay = Math.max(configured, 2 * this.lastRewriteMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.scheduledFlush().catch((error: unknown) => {
        const failure = error instanceof EngineError ? error : fromSystemError(error, 'Rewriting context files', this.host.root, 'Every change is kept in the journal.');
        this.host.options.onBackgroundError?.(failure);
      });
    }, delay);
    this.timer.unref?.();
  }

  /**
   * Rewrites every context file that is behind its journal. Commits are durable without this.
   * Each file is written first without the data folder's lock (prepareRewrites), then, under
   * the lock, swapped into place if nothing changed since; else written again there.
   */
  /**
   * `closing`: the engine's last flush, run by its close (`run`: its queue, which refuses other
   * work by then), with `thenUnderLock` after the rewrites in the same hold of the lock.
   */
  async flush(closing?: { readonly run: RunLocked; readonly thenUnderLock: () => void }): Promise<void> {
    const prepared = new Map<ContextStore, PreparedRewrite>();
    // In the same turn as the rewrite under the lock: a commit of this process coming meanwhile
    // waits for both (between them, it would change the state written, and the file be written twice).
    const prepare = () => this.prepareRewrites(prepared, closing !== undefined);
    try {
      if (!closing) await this.host.withLock(() => this.underLock(prepared), prepare);
      else {
        await closing.run(() => {
          this.underLock(prepared);
          closing.thenUnderLock();
        }, prepare);
      }
    } finally {
      this.dropPrepared(prepared);
    }
  }

  /**
   * The scheduled rewrite. Large files are first written a slice at a time outside the queue of
   * work: between slices this process answers a window's requests and takes its commits (at
   * 100k charts the write takes seconds, which a click used to wait for). Then, under the lock,
   * they are swapped in as flush() does. A file whose state changed while it was written is left
   * to the next scheduled rewrite (the journal holds the change meanwhile); once files have been
   * left so for STALE_REWRITE_LIMIT_MS, the next round is flush()'s, in the queue, so that a
   * steady stream of commits cannot keep a file behind for ever.
   */
  private async scheduledFlush(): Promise<void> {
    this.rewriteRound = true;
    let stale = new Set<ContextStore>();
    const started = monotonicMs();
    try {
      if (this.rewritesLeftSince !== undefined && monotonicMs() - this.rewritesLeftSince > (this.host.options.staleRewriteLimitMs ?? STALE_REWRITE_LIMIT_MS)) {
        this.rewritesLeftSince = undefined;
        await this.flush();
        return;
      }
      const prepared = new Map<ContextStore, PreparedRewrite>();
      try {
        await this.journalStartsInSlices();
        stale = await this.prepareRewritesInSlices(prepared);
        // Closing meanwhile: the close writes the files (a refused round is no failure to report).
        if (this.host.stopping()) return;
        await this.host.withLock(() => this.underLock(prepared, stale));
      } finally {
        this.dropPrepared(prepared);
        // The whole round, pauses too: the next waits twice as long (scheduleRewrite).
        this.lastRewriteMs = monotonicMs() - started;
      }
    } finally {
      this.rewriteRound = false;
      if (stale.size === 0) this.rewritesLeftSince = undefined;
      else this.rewritesLeftSince ??= started;
      // Asked again meanwhile (a commit, a read of a context behind its journal): only if a file is still behind.
      const again = stale.size > 0 || (this.rewriteAgain && [...this.host.stores()].some((store) => !store.readOnly && store.needsRewrite));
      this.rewriteAgain = false;
      if (again) this.schedule();
    }
  }

  /** A scheduled round is under way; another was asked for meanwhile (scheduleRewrite). */
  private rewriteRound = false;
  private rewriteAgain = false;

  /** Since when scheduled rewrites have left files behind, their writes made stale (scheduledFlush). */
  private rewritesLeftSince: number | undefined;

  /**
   * prepareRewrites a slice at a time, outside the queue (scheduledFlush); the stores whose
   * state changed while their file was written (nothing prepared for them).
   */
  private async prepareRewritesInSlices(prepared: Map<ContextStore, PreparedRewrite>): Promise<Set<ContextStore>> {
    const stale = new Set<ContextStore>();
    if (this.host.readOnly()) return stale;
    // Listed before the first pause: one written meanwhile (by a flush) prepares nothing.
    for (const store of this.largeFilesBehind()) {
      // Closing, or the context unloaded (deleted, renamed): the write is of no use.
      const stillWanted = () => !this.host.stopping() && this.host.store(store.context) === store;
      let written: PreparedRewrite | undefined;
      try {
        written = await store.prepareRewriteInSlices({ sliceMs: this.host.options.rewriteSliceMs ?? REWRITE_SLICE_MS, pause: nextTurn, current: stillWanted });
      } catch {
        // Written again under the lock, where a failure is reported as the rewrite's.
        continue;
      }
      if (written) prepared.set(store, written);
      else if (stillWanted() && store.needsRewrite) stale.add(store);
    }
    return stale;
  }

  /**
   * The lines that start the journals still to start (a peer's file opened), made a slice at a
   * time before the lock, for large files (REWRITE_OUTSIDE_LOCK_FROM_BYTES): at 100k charts,
   * made under the lock they held the engine's thread 6-10 s. Each store keeps them; under the
   * lock they are used only if its baseline is still the one pending (contextCommit.ts, finishOrMake).
   */
  private async journalStartsInSlices(): Promise<void> {
    if (this.host.readOnly()) return;
    const from = this.host.options.rewriteOutsideLockFromBytes ?? REWRITE_OUTSIDE_LOCK_FROM_BYTES;
    const pending = [...this.host.stores()].filter((store) => !store.readOnly && store.journalPending && (store.fileInfo()?.size ?? 0) >= from);
    for (const store of pending) {
      const stillWanted = () => !this.host.stopping() && this.host.store(store.context) === store;
      await store.journalStartInSlices({ sliceMs: this.host.options.rewriteSliceMs ?? REWRITE_SLICE_MS, pause: nextTurn, current: stillWanted });
    }
  }

  /** The writable stores behind their journal whose file is written before the lock is taken (REWRITE_OUTSIDE_LOCK_FROM_BYTES). */
  private largeFilesBehind(): ContextStore[] {
    const from = this.host.options.rewriteOutsideLockFromBytes ?? REWRITE_OUTSIDE_LOCK_FROM_BYTES;
    return [...this.host.stores()].filter((store) => !store.readOnly && store.needsRewrite && (store.fileInfo()?.size ?? 0) >= from);
  }

  /** Removes the prepared files no rewrite took (the state changed, no rewrite was due, the lock never came). */
  private dropPrepared(prepared: Map<ContextStore, PreparedRewrite>): void {
    for (const { written } of prepared.values()) removeQuietly(this.host.fs, written.tmp);
    prepared.clear();
  }

  /**
   * The files the rewrites will swap into place, written (and fsynced, and read back) in this
   * process's turn but without the data folder's lock: other processes commit meanwhile, and
   * wait for the lock only while a file is swapped in, not while it is written (at 100k charts,
   * 5-6 s of a rewrite of 6.5 s). A file whose state changed before the swap is not used.
   */
  private async prepareRewrites(prepared: Map<ContextStore, PreparedRewrite>, lastWrite = false): Promise<void> {
    if (this.host.readOnly()) return;
    const large = this.largeFilesBehind();
    if (large.length === 0) return;
    // Written without the lock: a lease still held from the last operation goes first.
    await this.host.letGoOfLease();
    for (const store of large) {
      try {
        const written = store.prepareRewrite({ lastWrite });
        if (written) prepared.set(store, written);
      } catch {
        // Written again under the lock, where a failure is reported as the rewrite's.
      }
    }
  }

  /**
   * `prepared`: files written for these stores before the lock (prepareRewrites); each one used
   * is taken out of the map (the lines that start a pending journal, made before the lock, are
   * kept in its memory: journalStartsInSlices). `later`: stores left to the next scheduled rewrite (scheduledFlush),
   * to which one whose prepared file a commit made stale since is added, not written here.
   */
  underLock(prepared?: Map<ContextStore, PreparedRewrite>, later?: Set<ContextStore>): void {
    const started = monotonicMs();
    let firstError: EngineError | undefined;
    for (const store of this.host.stores()) {
      if (store.readOnly || later?.has(store)) continue;
      const ready = prepared?.get(store);
      let rewriting: number | undefined;
      try {
        store.refresh();
        // A change since its file was written (work queued before the lock's turn, a window's
        // commit; or another program's, the CLI's or a peer's, taken in just now): the next
        // round writes it, in slices too, not this one in one piece while requests wait.
        if (later && ready && ready.version !== store.state.version) {
          later.add(store);
          continue;
        }
        store.startPendingJournal();
        if (store.needsRewrite) {
          rewriting = monotonicMs();
          // Handed over: materialize swaps it in, or removes it when the state is no longer the one written.
          prepared?.delete(store);
          store.materialize(ready);
          tell(this.host.timingObserver(), 'rewrite', store.context, rewriting);
        }
      } catch (error) {
        const failure = error instanceof EngineError ? error : fromSystemError(error, 'Rewriting the context file', store.paths.file, 'Every change is kept in the journal.');
        store.findings.push({ severity: 'error', kind: 'rewrite-failed', file: store.paths.file, message: failure.message });
        // A failed rewrite counts in the health view's failures, as a failed read or write does.
        if (rewriting !== undefined) tell(this.host.timingObserver(), 'rewrite', store.context, rewriting, failure.code);
        firstError ??= failure;
      }
    }
    this.host.rewritten(firstError);
    this.lastRewriteMs = monotonicMs() - started;
    if (firstError) throw firstError;
  }
}
