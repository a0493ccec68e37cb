// One context: its journal (every change, durable, the source of truth for history) and its
// context file (the snapshot the peers read, rewritten atomically and coalesced).
//
// Every method that writes must run under the root lock (engine.ts takes it); `refresh` is
// the first step of every locked operation: it reads what other processes appended to the
// journal and absorbs any rewrite of the context file by a peer.
//
// This class is the context's public face; the work is done by one module per idea, each
// handed the store's memory (contextMemory.ts, private to the store and those modules):
// loading (contextLoading.ts, journalReplay.ts), taking in other writers' versions
// (peerVersionIntake.ts), journaling a change (contextCommit.ts), rewriting the file
// (contextRewrite.ts).
import type { CommitMeta } from './commitLines.ts';
import { type RecordSet } from './recordSet.ts';
import { keyOfChange } from './journalChanges.ts';
import type { contextPaths } from './dataRoot.ts';
import { readJournal } from './journalFile.ts';
import type { BadLine } from './contextFile.ts';
import { IndexBuild, SearchIndex, type SearchHit } from './searchIndex.ts';
import type { ObservedVersion } from './versionObserver.ts';
import { ContextMemory, type CommitResult, type ContextStoreOptions, type Finding, type OperationDone, type PendingChanges } from './contextMemory.ts';
import { catchUpJournal, load } from './contextLoading.ts';
import type { ReadAheadFile } from './contextReadAhead.ts';
import { noteObservedVersion, takeInOtherVersions } from './peerVersionIntake.ts';
import { takeInLeftCopies } from './killedRewriteLeftovers.ts';
import { commitChanges, journalStartInSlices, startPendingJournal } from './contextCommit.ts';
import { materialize, prepareRewrite, prepareRewriteInSlices, type PreparedRewrite } from './contextRewrite.ts';
import type { Slicing } from './atomicFile.ts';

export { OPERATION_IDS_KEPT } from './contextMemory.ts';
export type { CommitResult, ContextStoreOptions, Finding, PendingChanges, Severity } from './contextMemory.ts';

export class ContextStore {
  /** Everything the store holds between operations; shared only with the modules that do its work. */
  private readonly memory: ContextMemory;

  constructor(options: ContextStoreOptions) {
    this.memory = new ContextMemory(options);
  }

  get context(): string {
    return this.memory.context;
  }

  get paths(): ReturnType<typeof contextPaths> {
    return this.memory.paths;
  }

  get state(): RecordSet {
    return this.memory.state;
  }

  /** Findings of the last load and of everything since (cleared by recovery). */
  get findings(): Finding[] {
    return this.memory.findings;
  }

  get readOnlyReason(): string | undefined {
    return this.memory.readOnlyReason;
  }

  /** How many times this process took in journal lines another process wrote (ContextMemory.othersReads). */
  get othersReads(): number {
    return this.memory.othersReads;
  }

  /** The head of the journal: the last sequence number read or written. */
  get seq(): number {
    return this.memory.seq;
  }

  get readOnly(): boolean {
    return this.memory.readOnly;
  }

  /** True when the context file is behind the journal (or damaged) and should be rewritten. */
  get needsRewrite(): boolean {
    return this.memory.needsRewrite;
  }

  /** A context opened without a journal: the journal (the file as found its first commit) is still to be started. */
  get journalPending(): boolean {
    return this.memory.journalPending;
  }

  /** Starts the journal of a context opened without one (journalPending), with its lines if made before the lock. Throws when it cannot be written. */
  startPendingJournal(): void {
    startPendingJournal(this.memory);
  }

  /** Makes the lines that start the pending journal a slice at a time before the lock, kept for its start (contextCommit.ts, journalStartInSlices). */
  journalStartInSlices(slicing: Slicing): Promise<void> {
    return journalStartInSlices(this.memory, slicing);
  }

  get openedFast(): boolean {
    return this.memory.loadedFast;
  }

  /** Saves what derived caches keep (derivedCache.ts): the engine's close, after its last rewrite. */
  saveDerivedCaches(): void {
    this.memory.saveDerivedCaches();
  }

  // ---------------------------------------------------------------- loading (contextLoading.ts)

  /**
   * Loads the context. Never fails on damage: it loads what is good and records findings.
   * `readAhead`: the context file read before the lock, used if it is still the file.
   */
  load(readAhead?: ReadAheadFile): void {
    load(this.memory, readAhead);
  }

  // ---------------------------------------------------------------- other writers (peerVersionIntake.ts)

  /**
   * Reads what other processes appended to the journal, then checks the context file for a
   * peer's rewrite. Call under the lock before reading for a write.
   */
  refresh(): void {
    catchUpJournal(this.memory);
    const known = this.memory.fileIdentity;
    takeInOtherVersions(this.memory);
    // A file in place that we did not know: perhaps a killed rewrite's, which may have displaced
    // another program's version (killedRewriteLeftovers.ts).
    if (this.memory.fileIdentity !== known) takeInLeftCopies(this.memory);
  }

  /** Queues a version of the file read by the observer; journaled by the next refresh. */
  noteObservedVersion(version: ObservedVersion): void {
    noteObservedVersion(this.memory, version);
  }

  // ---------------------------------------------------------------- writing (contextCommit.ts, contextRewrite.ts)

  hasOperation(op: string): OperationDone | undefined {
    return this.memory.ops.get(op);
  }

  /** The operation ids this context's journal holds (the most recent ones kept), oldest first. */
  operationIds(): IterableIterator<string> {
    return this.memory.ops.keys();
  }

  /** Changes seen in the file but not in the journal (read-only processes only): key -> when and what. */
  unjournaledChanges(): ReadonlyMap<string, { ts: string; note: string }> {
    return this.memory.unjournaled;
  }

  /** Read-only: shows changes decided elsewhere (an open intent) without journaling them. */
  preview(op: string, changes: PendingChanges): void {
    this.memory.previewed.add(op);
    this.memory.applyInMemory(changes);
  }

  previewedOperation(op: string): boolean {
    return this.memory.previewed.has(op);
  }

  /** The keys a commit changed, read back from the journal (to answer a retried operation). */
  changedKeysOf(tx: string): string[] {
    const keys: string[] = [];
    for (const { entry } of readJournal(this.memory.fs, this.paths.journal, 0).entries) {
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
    return commitChanges(this.memory, changes, meta);
  }

  /**
   * Rewrites the context file from the state: temp file, fsync, verify, then swapped into place
   * so that the file it replaces is kept (fileReplacement.ts). If that is not the file we last
   * saw, a peer's version landed just before ours: its changes are absorbed (and the file
   * rewritten again), so it never vanishes unseen.
   */
  materialize(prepared?: PreparedRewrite): void {
    materialize(this.memory, prepared);
  }

  /**
   * Writes the file a rewrite would put in place, without the lock (contextRewrite.ts,
   * prepareRewrite); materialize(prepared) under the lock then only swaps it in, if the state
   * has not changed since.
   */
  prepareRewrite(options: { readonly lastWrite?: boolean } = {}): PreparedRewrite | undefined {
    return prepareRewrite(this.memory, options);
  }

  /** prepareRewrite a slice at a time, other work running between (contextRewrite.ts, prepareRewriteInSlices). */
  prepareRewriteInSlices(slicing: Slicing): Promise<PreparedRewrite | undefined> {
    return prepareRewriteInSlices(this.memory, slicing);
  }

  /** Entities matching every word of the query (by word prefix), best first. */
  search(query: string, limit: number): SearchHit[] {
    return this.searchIndex().search(query, limit);
  }

  /**
   * Builds the search index for about `budgetMs` (the app does this a slice at a time after
   * opening, so the first search finds it ready); true when it is complete.
   */
  buildSearchIndexStep(budgetMs: number): boolean {
    if (!this.memory.index || this.memory.index.wantsRebuild) this.startSearchIndex();
    if (!this.memory.indexBuild) return true;
    if (!this.memory.indexBuild.step(budgetMs)) return false;
    this.memory.indexBuild = undefined;
    return true;
  }

  /** The word index, complete (a search before the slices are done finishes the build first); the chart search keeps facts by its ids. */
  searchIndex(): SearchIndex {
    if (!this.memory.index || this.memory.index.wantsRebuild) this.startSearchIndex();
    this.buildSearchIndexStep(Number.POSITIVE_INFINITY);
    return this.memory.index as SearchIndex;
  }

  private startSearchIndex(): void {
    const index = new SearchIndex([]);
    this.memory.index = index;
    this.state.observe(index);
    this.memory.indexBuild = new IndexBuild(index, this.state.values(), (key) => this.state.get(key));
  }

  /** Unreadable lines of the context file as last read (their bytes are saved before any rewrite). */
  damagedLines(): readonly BadLine[] {
    return this.memory.fileDamage;
  }

  /** Keys the state has and the context file (as last read) lacks. */
  keysMissingFromFile(): string[] {
    return [...this.state.keys()].filter((key) => !this.memory.materialized.has(key));
  }

  /** How many records differ between the journal's state and the context file. */
  pendingCount(): number {
    return this.memory.pending.size;
  }

  /** File facts for listings. */
  fileInfo(): { size: number } | undefined {
    return this.memory.fileIdentity && this.memory.fileIdentity.size >= 0 ? { size: this.memory.fileIdentity.size } : undefined;
  }
}
