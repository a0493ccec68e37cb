// The app's backup timer (plain Node: the main process starts it, tests drive it with a clock
// and timers of their own). At start it waits a short while (start-up stays fast), then runs
// what is due once: a slot missed while the machine was off is caught up then, as anacron and
// systemd's Persistent=true do. Afterwards it wakes at the start of each day, and at least every
// few minutes in between: each wake asks the wall clock what is due, so a clock that jumps
// (a suspended laptop, a time-zone change, a corrected clock) costs at most one short wait, and
// a slot is never taken twice (the due check is made under the root lock, from what is on disk).
// A backup that fails is retried later (sooner at first, then less often); a disk too full for
// one is a warning the person sees, and is retried the same way. Another process holding the
// data folder's lock past the wait (the CLI's first write to a large peer file takes 20-30 s)
// is not a failure: the backup waits a minute and tries again, quietly, a few times in a row
// before it says it failed.
import { EngineError } from './errors.ts';
import type { Engine } from './engine.ts';
import { DueBackupFailed, runDueBackups, type DueReport } from './backupDue.ts';
import { localCalendar, type Calendar } from './backupCalendar.ts';
import type { FreeSpaceProbe } from './freeSpace.ts';
import type { BackupProgress } from './backups.ts';

/** Timers the scheduler uses (Node's by default; tests pass ones they move by hand). */
export interface SchedulerTimers {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export type SchedulerEvent =
  | { readonly type: 'checked'; readonly at: string; readonly report: DueReport }
  | { readonly type: 'backup-failed'; readonly at: string; readonly error: ReturnType<EngineError['toJSON']>; readonly lowDisk: boolean; readonly retryAt: string; readonly failures: number }
  /** Another process held the lock past the wait: tried again at `retryAt`, not counted as a failure. */
  | { readonly type: 'backup-postponed'; readonly at: string; readonly reason: string; readonly retryAt: string }
  | { readonly type: 'progress'; readonly progress: BackupProgress };

export interface SchedulerOptions {
  readonly clock?: () => Date;
  readonly timers?: SchedulerTimers;
  readonly calendar?: Calendar;
  readonly freeBytes?: FreeSpaceProbe;
  /** Wait after start before the first check (the catch-up). Default 30 s. */
  readonly startDelayMs?: number;
  /** Longest sleep between two checks, whatever the clock says. Default 10 minutes. */
  readonly recheckMs?: number;
  /** First wait after a failed backup; doubled after each further failure up to `maxRetryMs`. Defaults 5 min, 1 h. */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
  /** Wait after the lock was held by another process past the lock's wait. Default 1 minute. */
  readonly busyRetryMs?: number;
  readonly onEvent?: (event: SchedulerEvent) => void;
}

export interface SchedulerStatus {
  readonly running: boolean;
  /** When the timer will next check (ISO), if it is running. */
  readonly nextCheckAt: string | undefined;
  readonly lastReport: DueReport | undefined;
  /** The last failure, until a backup succeeds again. */
  readonly lastError: ReturnType<EngineError['toJSON']> | undefined;
  readonly failures: number;
}

const nodeTimers: SchedulerTimers = {
  set: (run, ms) => {
    const handle = setTimeout(run, ms);
    handle.unref?.();
    return handle;
  },
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Checks in a row that find the lock held by another process before one counts as a failure. */
const BUSY_POSTPONEMENTS = 5;

/** Slack after midnight before the new day's check: a timer firing a hair early still sees the new day. */
const PAST_MIDNIGHT_MS = 1_000;

export class BackupScheduler {
  private readonly clock: () => Date;
  private readonly timers: SchedulerTimers;
  private readonly calendar: Calendar;
  private handle: unknown;
  private nextAt: number | undefined;
  private running = false;
  private checking: Promise<void> | undefined;
  private failures = 0;
  /** Checks in a row put off because another process held the lock. */
  private postponed = 0;
  private lastReport: DueReport | undefined;
  private lastError: ReturnType<EngineError['toJSON']> | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly options: SchedulerOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.timers = options.timers ?? nodeTimers;
    this.calendar = options.calendar ?? localCalendar;
  }

  /** Starts the timer: the first check (catch-up) after the start delay. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.arm(this.options.startDelayMs ?? 30_000);
  }

  /** Stops the timer; a check under way finishes (await `idle()` for it). */
  stop(): void {
    this.running = false;
    if (this.handle !== undefined) this.timers.clear(this.handle);
    this.handle = undefined;
    this.nextAt = undefined;
  }

  /** Resolves when no check is under way. */
  async idle(): Promise<void> {
    while (this.checking) await this.checking;
  }

  status(): SchedulerStatus {
    return {
      running: this.running,
      nextCheckAt: this.nextAt === undefined ? undefined : new Date(this.nextAt).toISOString(),
      lastReport: this.lastReport,
      lastError: this.lastError,
      failures: this.failures,
    };
  }

  /** Runs what is due now ("back up now" runs createBackup instead; this is the schedule's own step). */
  async checkNow(): Promise<DueReport | undefined> {
    await this.idle();
    const run = this.check();
    this.checking = run;
    try {
      await run;
    } finally {
      if (this.checking === run) this.checking = undefined;
    }
    return this.lastReport;
  }

  private arm(delayMs: number): void {
    if (!this.running) return;
    if (this.handle !== undefined) this.timers.clear(this.handle);
    const delay = Math.max(0, Math.round(delayMs));
    this.nextAt = this.clock().getTime() + delay;
    this.handle = this.timers.set(() => {
      this.handle = undefined;
      if (this.checking) return;
      const run = this.check();
      this.checking = run;
      void run.finally(() => {
        if (this.checking === run) this.checking = undefined;
      });
    }, delay);
  }

  private async check(): Promise<void> {
    const now = this.clock();
    try {
      const report = await runDueBackups(this.engine, {
        now,
        calendar: this.calendar,
        ...(this.options.freeBytes ? { freeBytes: this.options.freeBytes } : {}),
        onProgress: (progress) => this.options.onEvent?.({ type: 'progress', progress }),
      });
      this.failures = 0;
      this.postponed = 0;
      this.lastError = undefined;
      this.lastReport = report;
      this.options.onEvent?.({ type: 'checked', at: now.toISOString(), report });
      this.arm(this.untilNextSlot());
    } catch (error) {
      const failure = error instanceof EngineError ? error : new EngineError('IO_ERROR', `The scheduled backup failed: ${String(error)}`);
      if (failure.code === 'BUSY' && this.postponed < BUSY_POSTPONEMENTS) {
        this.postponed += 1;
        const wait = this.options.busyRetryMs ?? 60_000;
        this.options.onEvent?.({ type: 'backup-postponed', at: now.toISOString(), reason: failure.message, retryAt: new Date(this.clock().getTime() + wait).toISOString() });
        this.arm(wait);
        return;
      }
      this.postponed = 0;
      if (error instanceof DueBackupFailed) this.lastReport = error.report;
      this.failures += 1;
      this.lastError = failure.toJSON();
      const base = this.options.retryMs ?? 5 * 60_000;
      const wait = Math.min(this.options.maxRetryMs ?? 60 * 60_000, base * 2 ** (this.failures - 1));
      this.options.onEvent?.({
        type: 'backup-failed',
        at: now.toISOString(),
        error: failure.toJSON(),
        lowDisk: failure.code === 'DISK_FULL',
        retryAt: new Date(this.clock().getTime() + wait).toISOString(),
        failures: this.failures,
      });
      this.arm(wait);
    }
  }

  /** Until the next day begins (when a new slot opens), but never longer than the recheck interval. */
  private untilNextSlot(): number {
    const now = this.clock().getTime();
    const nextDay = this.calendar.nextDayStart(now) + PAST_MIDNIGHT_MS;
    return Math.min(nextDay - now, this.options.recheckMs ?? 10 * 60_000);
  }
}
