// The health of a data root, put together: integrity (each context's last open or check),
// backups' freshness, activity by origin, performance (the engine's timings, watched from the
// moment the monitor is made), capacity and notices. One monitor per engine (healthMonitorOf):
// it owns the insight tracker whose rollups the activity and growth figures are read from, and
// it is the engine's timing observer.
import type { ContextHealth, HealthNotice, HealthReport, Verified } from '../../../shared/healthFigures.ts';
import type { Engine } from '../engine.ts';
import { EngineError } from '../errors.ts';
import { validateContextName } from '../dataRoot.ts';
import { listQuarantined } from '../quarantine.ts';
import { backupStatus } from '../backupListing.ts';
import { pruneByPolicy, type PruneResult } from '../backupPruning.ts';
import { verifyAll, type Verification } from '../verify.ts';
import type { FreeSpaceProbe } from '../freeSpace.ts';
import { InsightTracker } from '../insights/insightTracker.ts';
import type { RollupSummary } from '../insights/rollupSummary.ts';
import { OperationTimings } from './operationTimings.ts';
import type { EngineTiming } from './engineTiming.ts';
import { activityOf } from './activity.ts';
import { capacityOf } from './capacity.ts';
import { backupFreshness, integrityOf, worstHealth } from './integrity.ts';
import { NoticeLedger, noticesOf } from './notices.ts';
import { DEFAULT_HEALTH_DAYS, dayRange, rangeDates } from './dailySeries.ts';

export interface HealthOptions {
  readonly context?: string | undefined;
  /** Days the daily series cover, up to today (default 30). */
  readonly days?: number | undefined;
  readonly now?: Date | undefined;
}

export interface MonitorOptions {
  readonly clock?: () => Date;
  readonly freeBytes?: FreeSpaceProbe;
  readonly lowFreeBytes?: number;
  /** Keep insights rollups in .history/ (default true). */
  readonly persist?: boolean;
}

export class HealthMonitor {
  readonly timings = new OperationTimings();
  readonly insights: InsightTracker;
  readonly ledger = new NoticeLedger();
  private readonly verified = new Map<string, Verified>();
  private readonly writeListeners = new Set<(context: string | undefined) => void>();

  constructor(
    private readonly engine: Engine,
    private readonly options: MonitorOptions = {},
  ) {
    this.insights = new InsightTracker(engine, { ...(options.clock ? { clock: options.clock } : {}), ...(options.persist === undefined ? {} : { persist: options.persist }) });
    const previous = engine.timingObserver;
    engine.timingObserver = (timing) => {
      previous?.(timing);
      this.observe(timing);
    };
  }

  private now(): Date {
    return (this.options.clock ?? (() => new Date()))();
  }

  private observe(timing: EngineTiming): void {
    this.timings.record(timing);
    // Every open reads the context through and checks every line: that is a verification.
    if (timing.what === 'open' && !timing.failed && timing.context !== undefined) this.verified.set(timing.context, { at: this.now().toISOString(), by: 'open' });
    if ((timing.what === 'write' || timing.what === 'move') && !timing.failed) for (const listener of this.writeListeners) listener(timing.context);
  }

  /** Told after each successful write (a context) or move (undefined: it spans two). */
  onWrite(listener: (context: string | undefined) => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  /** Contexts another part of the app has just verified (the scheduled check: scheduledVerification.ts). */
  noteVerified(contexts: readonly string[], by: 'person' | 'schedule', at: string): void {
    for (const context of contexts) this.verified.set(context, { at, by });
  }

  /** A check a person or the schedule asked for: every context read through (verify.ts). */
  async check(by: 'person' | 'schedule' = 'person'): Promise<Verification> {
    const report = await verifyAll(this.engine);
    const at = this.now().toISOString();
    for (const c of report.contexts) this.verified.set(c.context, { at, by });
    return report;
  }

  async report(options: HealthOptions = {}): Promise<HealthReport> {
    const now = options.now ?? this.now();
    const range = dayRange(now, options.days ?? DEFAULT_HEALTH_DAYS);
    const all = this.engine.listContextNames();
    if (options.context !== undefined && !all.includes(validateContextName(options.context))) {
      throw new EngineError('NOT_FOUND', `No context ${JSON.stringify(options.context)} in ${this.engine.layout.root} (there are: ${all.join(', ') || 'none'}).`);
    }
    const names = options.context === undefined ? all : [options.context];
    const listed = (await this.engine.listContexts()).filter((s) => names.includes(s.context));
    const rollups: { context: string; summary: RollupSummary }[] = [];
    for (const context of names) rollups.push({ context, summary: (await this.insights.refresh(context)).rollup.summary });
    const quarantined = listQuarantined(this.engine);
    const status = backupStatus(this.engine, { now });
    const capacity = capacityOf(this.engine, rollups, status.storedBytes, range, { now, ...(this.options.freeBytes ? { freeBytes: this.options.freeBytes } : {}), ...(this.options.lowFreeBytes === undefined ? {} : { lowFreeBytes: this.options.lowFreeBytes }) });
    const contexts: ContextHealth[] = listed.map((summary) => {
      const rollup = rollups.find((r) => r.context === summary.context)!.summary;
      const sizes = capacity.perContext.get(summary.context)!;
      return {
        context: summary.context,
        integrity: integrityOf(this.engine, summary, quarantined, this.verified.get(summary.context)),
        activity: activityOf([rollup], range),
        capacity: { contextFileBytes: sizes.contextFileBytes, journalBytes: sizes.journalBytes, journalGrowth: sizes.journalGrowth },
      };
    });
    const { perContext: _perContext, ...rootCapacity } = capacity;
    const backups = backupFreshness(status, now);
    return {
      root: this.engine.layout.root,
      asOf: now.toISOString(),
      days: rangeDates(range),
      health: worstHealth(contexts.map((c) => c.integrity.health)),
      contexts,
      backups,
      activity: activityOf(rollups.map((r) => r.summary), range),
      performance: this.timings.figures(options.context === undefined ? undefined : [options.context]),
      capacity: rootCapacity,
      notices: noticesOf(this.engine.layout.root, contexts, backups, rootCapacity),
    };
  }

  /** The notices of a report not shown before (each problem is told once). */
  freshNotices(report: HealthReport): HealthNotice[] {
    return this.ledger.fresh(report.notices);
  }

  /** Frees space the way the report's remedy says: backups the retention policy no longer keeps are removed. */
  freeSpace(): Promise<PruneResult> {
    return pruneByPolicy(this.engine, { now: this.now() });
  }
}

const monitors = new WeakMap<Engine, HealthMonitor>();

/** The engine's health monitor if something made one (the app's handler table does), else undefined. */
export function existingHealthMonitorOf(engine: Engine): HealthMonitor | undefined {
  return monitors.get(engine);
}

/** The engine's one monitor, made (and attached as its timing observer) on first use. */
export function healthMonitorOf(engine: Engine, options: MonitorOptions = {}): HealthMonitor {
  let monitor = monitors.get(engine);
  if (!monitor) monitors.set(engine, (monitor = new HealthMonitor(engine, options)));
  return monitor;
}
