// The app's check of its own data while it runs (plain Node: the main process starts it, tests
// drive it with timers and a clock of their own). Every context is verified a short while after
// start, then every hour, and a context another program changed is verified again a moment
// after the change settles. A context found damaged is told at once (onHealth: the sidebar's
// badge and the offer of the recovery wizard). Damage with no choice to make (a torn tail,
// records the journal still holds, a deleted file the journal rebuilds) is repaired on its own,
// after which the person is shown what was found and what was done (onRepaired); damage that
// needs the person (records only a backup holds, or nothing) is left for the wizard.
// The newest backup is checked too each round, so "last verified" stays current.
import { adoptLeftovers } from './contexts/contextRename.ts';
import { anySetAside } from './contexts/retiredFile.ts';
import type { Engine } from './engine.ts';
import { EngineError } from './errors.ts';
import { verifyAll } from './verify.ts';
import { listBackups } from './backups.ts';
import { verifyBackup } from './backupChecking.ts';
import { analyzeContext, type RecoveryAnalysis } from './recoveryAnalysis.ts';
import { applyRecoveryChoice, type RecoveryOutcome } from './recoveryChoice.ts';
import type { SchedulerTimers } from './backupScheduler.ts';
import { foundBeforeRepair, staleDamage } from './repairedOnRefresh.ts';
import { existingHealthMonitorOf } from './health/healthMonitor.ts';

/** What the verification can tell (read-only is the engine's own verdict, in contexts.list). */
export type Health = 'ok' | 'damaged';

export interface HealthVerdict {
  readonly context: string;
  readonly health: Health;
  readonly findings: readonly string[];
}

export interface AutomaticRepairRecord {
  readonly id: number;
  readonly at: string;
  readonly context: string;
  readonly found: RecoveryAnalysis;
  readonly outcome: RecoveryOutcome;
}

export interface VerificationRound {
  readonly at: string;
  readonly verdicts: readonly HealthVerdict[];
  readonly repaired: readonly AutomaticRepairRecord[];
  readonly backupChecked?: { readonly id: string; readonly ok: boolean };
}

export interface VerificationOptions {
  readonly clock?: () => Date;
  readonly timers?: SchedulerTimers;
  /** Before the first round. Default 5 s (start-up stays fast). */
  readonly startDelayMs?: number;
  /** Between two rounds. Default one hour. */
  readonly intervalMs?: number;
  /** Quiet time after another program's change before its context is verified. Default 1.5 s. */
  readonly afterChangeMs?: number;
  /** Repair damage that needs no choice on its own (default true). */
  readonly repairOnItsOwn?: boolean;
  /** A context's health changed (damage found, gone); also every damaged context in the first round. */
  readonly onHealth?: (verdict: HealthVerdict) => void;
  readonly onRepaired?: (repair: AutomaticRepairRecord) => void;
  readonly onError?: (error: unknown) => void;
}

const nodeTimers: SchedulerTimers = {
  set: (run, ms) => {
    const handle = setTimeout(run, ms);
    handle.unref?.();
    return handle;
  },
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** How many automatic repairs are kept to show (the newest). */
const KEPT_REPAIRS = 50;
/** What of the repaired context's preview is kept with an automatic repair (it is shown, not used). */
const PREVIEW_LINES = 20;

export class ScheduledVerification {
  private readonly clock: () => Date;
  private readonly timers: SchedulerTimers;
  private roundHandle: unknown;
  private changeHandle: unknown;
  private nextAt: number | undefined;
  private lastAt: string | undefined;
  private running = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly changed = new Set<string>();
  private readonly health = new Map<string, HealthVerdict>();
  private readonly repairs: AutomaticRepairRecord[] = [];
  private nextRepairId = 1;

  constructor(
    private readonly engine: Engine,
    private readonly options: VerificationOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.timers = options.timers ?? nodeTimers;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.armRound(this.options.startDelayMs ?? 5_000);
  }

  stop(): void {
    this.running = false;
    if (this.roundHandle !== undefined) this.timers.clear(this.roundHandle);
    if (this.changeHandle !== undefined) this.timers.clear(this.changeHandle);
    this.roundHandle = undefined;
    this.changeHandle = undefined;
    this.nextAt = undefined;
  }

  /** Resolves when no round is under way. */
  async idle(): Promise<void> {
    for (;;) {
      const at = this.queue;
      await at;
      if (at === this.queue) return;
    }
  }

  /** When the last round ran and the next will. */
  status(): { lastRunAt?: string; nextRunAt?: string } {
    return { ...(this.lastAt ? { lastRunAt: this.lastAt } : {}), ...(this.nextAt === undefined ? {} : { nextRunAt: new Date(this.nextAt).toISOString() }) };
  }

  /** The contexts the last check found damaged (what a window opened later must be told). */
  damagedNow(): HealthVerdict[] {
    return [...this.health.values()].filter((v) => v.health === 'damaged');
  }

  /** Repairs made on their own, oldest first. */
  automaticRepairs(): readonly AutomaticRepairRecord[] {
    return [...this.repairs];
  }

  /** Another program changed this context: verify it once the change settles. */
  outsideChange(context: string): void {
    if (!this.running) return;
    this.changed.add(context);
    if (this.changeHandle !== undefined) this.timers.clear(this.changeHandle);
    this.changeHandle = this.timers.set(() => {
      this.changeHandle = undefined;
      const contexts = [...this.changed];
      this.changed.clear();
      void this.enqueue(contexts).catch((error: unknown) => this.options.onError?.(error));
    }, this.options.afterChangeMs ?? 1_500);
  }

  /** One round now: every context (or these), one after another with any round under way. */
  checkNow(contexts?: readonly string[]): Promise<VerificationRound> {
    return this.enqueue(contexts);
  }

  private enqueue(contexts: readonly string[] | undefined): Promise<VerificationRound> {
    const run = this.queue.then(() => this.round(contexts));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private armRound(delayMs: number): void {
    if (!this.running) return;
    if (this.roundHandle !== undefined) this.timers.clear(this.roundHandle);
    const delay = Math.max(0, Math.round(delayMs));
    this.nextAt = this.clock().getTime() + delay;
    this.roundHandle = this.timers.set(() => {
      this.roundHandle = undefined;
      void this.enqueue(undefined)
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => this.armRound(this.options.intervalMs ?? 60 * 60_000));
    }, delay);
  }

  private async round(only: readonly string[] | undefined): Promise<VerificationRound> {
    const at = this.clock().toISOString();
    // A retired context's file left set aside (empty a moment ago, or by a process that died)
    // may since hold a write of a program that writes in place: taken in, and moved on where
    // the context went, without waiting for the next context operation.
    if (!only && !this.engine.readOnly && anySetAside(this.engine)) await adoptLeftovers(this.engine);
    const repaired: AutomaticRepairRecord[] = [];
    let report = await verifyAll(this.engine, { backups: false, ...(only ? { contexts: only } : {}) });
    const damaged = report.contexts.filter((c) => !c.ok).map((c) => c.context);
    if (this.options.repairOnItsOwn !== false && !this.engine.readOnly) {
      // Damage on disk, or damage the engine's last read found (and repaired itself, from the journal, when it rewrote the file).
      const stale = new Map((await this.engine.listContexts()).map((s) => [s.context, staleDamage(s.findings)]));
      for (const context of new Set([...damaged, ...[...stale].filter(([, f]) => f.length > 0).map(([c]) => c)])) {
        const repair = await this.repairIfNoChoice(context, at, stale.get(context) ?? []);
        if (repair) repaired.push(repair);
      }
      if (repaired.length > 0) report = await verifyAll(this.engine, { backups: false, ...(only ? { contexts: only } : {}) });
    }
    // The health view says when each context was last verified, and by what.
    existingHealthMonitorOf(this.engine)?.noteVerified(
      report.contexts.map((c) => c.context),
      'schedule',
      at,
    );
    const verdicts: HealthVerdict[] = report.contexts.map((c) => ({
      context: c.context,
      health: c.ok ? 'ok' : 'damaged',
      findings: c.findings.filter((f) => f.severity !== 'info').map((f) => f.message),
    }));
    for (const verdict of verdicts) {
      const before = this.health.get(verdict.context)?.health ?? 'ok';
      this.health.set(verdict.context, verdict);
      if (before !== verdict.health) this.options.onHealth?.(verdict);
    }
    let backupChecked: VerificationRound['backupChecked'];
    if (!only) {
      this.lastAt = at;
      const newest = listBackups(this.engine)[0];
      if (newest) {
        try {
          const check = verifyBackup(this.engine, newest.id, { record: !this.engine.readOnly });
          backupChecked = { id: check.id, ok: check.ok };
        } catch (error) {
          this.options.onError?.(error instanceof EngineError ? error : new EngineError('IO_ERROR', `Checking backup ${newest.id} failed: ${String(error)}`));
        }
      }
    }
    return { at, verdicts, repaired, ...(backupChecked ? { backupChecked } : {}) };
  }

  private keep(repair: AutomaticRepairRecord): AutomaticRepairRecord {
    this.repairs.push(repair);
    if (this.repairs.length > KEPT_REPAIRS) this.repairs.splice(0, this.repairs.length - KEPT_REPAIRS);
    this.options.onRepaired?.(repair);
    return repair;
  }

  /**
   * Repairs what needs no choice; or, when the engine already repaired what its last read found
   * (`stale`: the file is sound now), rebuilds what was found from the bytes it set aside and
   * runs the same repair, which finds nothing left to do, verifies, logs and clears the findings.
   */
  private async repairIfNoChoice(context: string, at: string, stale: ReturnType<typeof staleDamage>): Promise<AutomaticRepairRecord | undefined> {
    try {
      const now = await analyzeContext(this.engine, context, { previewLines: PREVIEW_LINES });
      if (now.needsChoice || (!now.needsRepair && stale.length === 0)) return undefined;
      const found = now.needsRepair ? now : foundBeforeRepair(this.engine, now, stale);
      const outcome = await applyRecoveryChoice(this.engine, context, { action: 'repair' }, { backupFirst: false, automatic: true });
      return this.keep({ id: this.nextRepairId++, at, context, found, outcome });
    } catch (error) {
      // Left for the person: the wizard shows what was found and offers the choices.
      this.options.onError?.(error);
      return undefined;
    }
  }
}
