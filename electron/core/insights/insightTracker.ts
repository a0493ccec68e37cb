// The insights of a data root as the app asks for them: the figures of a context or of all
// contexts, a chart's own page, and a notice when the figures of a context moved (call
// contextChanged when a context changes: after a write, or when the watcher reports another
// process's). Each context's rollup is kept in memory once read, and brought up to date with
// its journal before every answer (contextRollup.ts), one read at a time per context.
import type { Engine } from '../engine.ts';
import { EngineError } from '../errors.ts';
import { validateContextName } from '../dataRoot.ts';
import { readContextRollup, type ContextRollup, type RollupRead } from './contextRollup.ts';
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

  /** The context's rollup, up to date with its journal (with its rows when `rows`). */
  refresh(context: string, rows = false): Promise<RollupRead> {
    validateContextName(context);
    const run = async () => {
      const last = this.savedAt.get(context);
      const due = last === undefined || monotonicMs() - last >= (this.options.saveEveryMs ?? 30_000);
      const read = await readContextRollup(this.engine, context, this.held.get(context), { rows, clock: () => this.now(), persist: this.options.persist !== false && due, unsaved: this.unsaved.has(context) });
      this.held.set(context, read.rollup);
      if (read.saved) {
        this.savedAt.set(context, monotonicMs());
        this.unsaved.delete(context);
      } else if (read.entries > 0 || read.rebuilt) this.unsaved.add(context);
      if (read.cacheProblem) this.cacheProblems.set(context, read.cacheProblem);
      else if (read.entries > 0 || read.rebuilt) this.cacheProblems.delete(context);
      return read;
    };
    const queued = (this.queues.get(context) ?? Promise.resolve()).then(run, run);
    this.queues.set(context, queued.catch(() => undefined));
    return queued;
  }

  /** The figures of one context, or of every context added up (no context named). */
  async contextInsights(options: FigureOptions & { readonly context?: string | undefined } = {}): Promise<ContextInsights> {
    const contexts = options.context === undefined ? this.engine.listContextNames() : [validateContextName(options.context)];
    const summaries = [];
    for (const context of contexts) summaries.push((await this.refresh(context)).rollup.summary);
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
      const { rollup } = await this.refresh(context, true);
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

  subscribe(listener: (change: InsightsChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The rollups read so far (the health view's activity and growth figures come from them). */
  heldRollup(context: string): ContextRollup | undefined {
    return this.held.get(context);
  }
}
