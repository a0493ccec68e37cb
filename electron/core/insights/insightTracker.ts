// The insights of a data root as the app asks for them: the figures of a context or of all
// contexts, a chart's own page, and a notice when the figures of a context moved (call
// contextChanged when a context changes: after a write, or when the watcher reports another
// process's). Each context's rollup is kept in memory once read, and brought up to date with
// its journal before every answer (contextRollup.ts), one read at a time per context.
import type { Engine } from '../engine.ts';
import { EngineError } from '../errors.ts';
import { validateContextName } from '../dataRoot.ts';
import { readContextRollup, saveContextRollup, type ContextRollup, type RollupRead } from './contextRollup.ts';
import { contextInsights, type ContextInsights, type FigureOptions } from './contextFigures.ts';
import { chartInsights, type ChartInsights, type ChartSource } from './chartFigures.ts';
import { monotonicMs } from '../monotonicClock.ts';

export interface InsightsChange {
  readonly context: string;
  /** The journal entry the figures now include. */
  readonly seq: number;
}

export interface TrackerOptions {
  readonly clock?: () => Date;
  /** Keep rollups in .history/ (default true). */
  readonly persist?: boolean;
  /**
   * A context's rollup is written at most this often (default 30 s): in the running app it is
   * held in memory, and writing 30 MB of rows after every change at 100k charts would cost more
   * than reading the change. What was not written yet is read again by the next process.
   */
  readonly saveEveryMs?: number;
  /** A background update (contextChanged) that failed: the next one tries again. */
  readonly onError?: (error: EngineError) => void;
}

export class InsightTracker {
  private readonly held = new Map<string, ContextRollup>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly listeners = new Set<(change: InsightsChange) => void>();
  /** When each context's rollup was last written (monotonicMs()), and which hold more than is on disk. */
  private readonly savedAt = new Map<string, number>();
  private readonly unsaved = new Set<string>();
  /** Why a rollup could not be kept on disk, by context (the figures are right regardless). */
  readonly cacheProblems = new Map<string, string>();

  constructor(
    private readonly engine: Engine,
    private readonly options: TrackerOptions = {},
  ) {}

  private now(): Date {
    return (this.options.clock ?? (() => new Date()))();
  }

  /**
   * The context's rollup, up to date with its journal (with its rows when `rows`). `saveAfter`:
   * a rollup due to be kept on disk is written after the caller has had its answer, not before
   * (contextInsights, chartInsights: 31 MB of rows at 100k charts, ~100 ms the figures waited
   * for); its `saved` then says false, and the write follows on the context's queue.
   */
  refresh(context: string, rows = false, saveAfter = false): Promise<RollupRead> {
    validateContextName(context);
    const run = async () => {
      const last = this.savedAt.get(context);
      const due = this.options.persist !== false && (last === undefined || monotonicMs() - last >= (this.options.saveEveryMs ?? 30_000));
      let read: RollupRead;
      try {
        read = await readContextRollup(this.engine, context, this.held.get(context), { rows, clock: () => this.now(), persist: due && !saveAfter, unsaved: this.unsaved.has(context) });
      } catch (error) {
        // A read that failed part-way may have applied some entries to the held rows but not moved
        // their summary on: nothing of it is kept or written (a write waiting on the queue finds
        // nothing held), and the next read starts from the disk.
        this.held.delete(context);
        this.unsaved.delete(context);
        throw error;
      }
      this.held.set(context, read.rollup);
      this.noteKept(context, read, read.entries > 0 || read.rebuilt);
      if (due && saveAfter && this.unsaved.has(context)) this.saveSoon(context);
      return read;
    };
    return this.enqueue(context, run);
  }

  /** Runs `work` on the context's queue: one read (or write) of its rollup at a time. */
  private enqueue<T>(context: string, work: () => Promise<T>): Promise<T> {
    const queued = (this.queues.get(context) ?? Promise.resolve()).then(work, work);
    this.queues.set(context, queued.catch(() => undefined));
    return queued;
  }

  /** What a read or a write left on disk: saved now, or holding more than the disk (`changed`). */
  private noteKept(context: string, kept: { readonly saved: boolean; readonly cacheProblem?: string }, changed: boolean): void {
    if (kept.saved) {
      this.savedAt.set(context, monotonicMs());
      this.unsaved.delete(context);
    } else if (changed) this.unsaved.add(context);
    if (kept.cacheProblem) this.cacheProblems.set(context, kept.cacheProblem);
    else if (changed) this.cacheProblems.delete(context);
  }

  /**
   * Writes the held rollup a turn after the answer that read it (setImmediate: the caller's
   * figures are made first), on the context's queue, so no read comes between the rollup and
   * its write.
   */
  private saveSoon(context: string): void {
    void this.enqueue(context, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      const rollup = this.held.get(context);
      if (!rollup || !this.unsaved.has(context)) return;
      this.noteKept(context, saveContextRollup(this.engine, rollup), false);
    });
  }

  /** The figures of one context, or of every context added up (no context named). */
  async contextInsights(options: FigureOptions & { readonly context?: string | undefined } = {}): Promise<ContextInsights> {
    const contexts = options.context === undefined ? this.engine.listContextNames() : [validateContextName(options.context)];
    const summaries = [];
    for (const context of contexts) summaries.push((await this.refresh(context, false, true)).rollup.summary);
    return contextInsights(summaries, { ...options, now: options.now ?? this.now() });
  }

  /**
   * A chart's own page, from every context its history is in (a chart moved between contexts
   * keeps one story). NOT_FOUND when no context's journal ever held it.
   */
  async chartInsights(chartId: string, options: FigureOptions & { readonly context?: string | undefined } = {}): Promise<ChartInsights> {
    if (typeof chartId !== 'string' || chartId === '') throw new EngineError('BAD_INPUT', 'A chart id is required.');
    const contexts = this.engine.listContextNames();
    if (options.context !== undefined && !contexts.includes(validateContextName(options.context))) contexts.push(options.context);
    const sources: ChartSource[] = [];
    for (const context of contexts) {
      const { rollup } = await this.refresh(context, true, true);
      if (rollup.state) sources.push({ context, state: rollup.state });
    }
    // The context named first, so its version of the chart is the one shown when it is in two.
    sources.sort((a, b) => (a.context === options.context ? -1 : b.context === options.context ? 1 : 0));
    const page = chartInsights(sources, chartId, { ...options, now: options.now ?? this.now() });
    if (!page) throw new EngineError('NOT_FOUND', `No chart ${JSON.stringify(chartId)} in the history of any context in ${this.engine.layout.root}.`);
    return page;
  }

  /** Brings a changed context's figures up to date in the background, and tells the listeners if they moved. */
  contextChanged(context: string): void {
    this.refresh(context).then(
      (read) => {
        if (read.entries === 0 && !read.rebuilt) return;
        const change = { context, seq: read.rollup.summary.journal.seq };
        for (const listener of this.listeners) {
          try {
            listener(change);
          } catch {
            // one listener's failure is not the others' nor the tracker's
          }
        }
      },
      (error: unknown) => this.options.onError?.(error instanceof EngineError ? error : new EngineError('IO_ERROR', `Updating the insights of context ${context} failed: ${String(error)}`)),
    );
  }

  /**
   * Resolves once every read and write of a rollup begun so far has ended, the writes put after
   * an answer (saveSoon) included: the app's close waits for them, so the next start reads on
   * from what this one knew.
   */
  async settled(): Promise<void> {
    for (;;) {
      const pending = [...this.queues.entries()];
      await Promise.all(pending.map(([, queued]) => queued));
      if (pending.length === this.queues.size && pending.every(([context, queued]) => this.queues.get(context) === queued)) return;
    }
  }

  subscribe(listener: (change: InsightsChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The rollups read so far (the health view's activity and growth figures come from them). */
  heldRollup(context: string): ContextRollup | undefined {
    return this.held.get(context);
  }
}
