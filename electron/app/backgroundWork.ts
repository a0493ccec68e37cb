// What the main process runs in the background while the app is open, and what it tells the
// windows about it: the backup timer (backupScheduler.ts: catch-up a short while after start,
// then each slot as it comes) and the check of the data (scheduledVerification.ts: after start,
// hourly, and after every change another program makes). Plain Node: lifecycle.ts starts and
// stops it, the browser tests' bridge server runs the same, tests drive it with their own timers.
import type { Engine } from '../core/engine.ts';
import { BackupScheduler, type SchedulerEvent, type SchedulerOptions } from '../core/backupScheduler.ts';
import { ScheduledVerification, type VerificationOptions } from '../core/scheduledVerification.ts';
import type { EventName, Events } from '../../shared/contract.ts';
import { formatBytes } from '../core/freeSpace.ts';
import { throttledProgress } from './throttledProgress.ts';

export interface BackgroundWorkOptions {
  readonly scheduler?: Omit<SchedulerOptions, 'onEvent'>;
  readonly verification?: Omit<VerificationOptions, 'onHealth' | 'onRepaired' | 'onError'>;
}

export interface BackgroundWork {
  /** Undefined when the data folder is read-only (no backups can be written). */
  readonly scheduler: BackupScheduler | undefined;
  readonly verification: ScheduledVerification;
  /** A context changed (another program, or ours): verify it once the change settles. */
  outsideChange(context: string): void;
  /** Stops both timers and waits for work under way. */
  stop(): Promise<void>;
}

/** What a scheduler event means to the person, as the event the windows get. */
export function backupStatusOf(event: SchedulerEvent): Events['backup.status'] | undefined {
  if (event.type === 'checked') {
    const taken = event.report.taken;
    const pruned = event.report.pruned.length > 0 ? `; ${event.report.pruned.length} old backups removed as the policy says` : '';
    const warnings = event.report.warnings.length > 0 ? ` (${event.report.warnings.join(' ')})` : '';
    if (taken) {
      return { at: event.at, outcome: 'taken', backup: taken.id, message: `Took the ${event.report.due.join(', ')} backup (${formatBytes(taken.bytes)}, verified)${pruned}${warnings}.`, lowDisk: false };
    }
    return { at: event.at, outcome: 'nothing-due', message: `No backup was due${pruned}${warnings}.`, lowDisk: false };
  }
  if (event.type === 'backup-failed') {
    const why = event.lowDisk ? `The disk is too full for the scheduled backup: ${event.error.message}` : `The scheduled backup failed: ${event.error.message}`;
    return { at: event.at, outcome: 'failed', message: `${why} Every earlier backup is kept; it is tried again at ${event.retryAt}.`, lowDisk: event.lowDisk, retryAt: event.retryAt };
  }
  return undefined;
}

export function startBackgroundWork(
  engine: Engine,
  emit: <E extends EventName>(event: E, payload: Events[E]) => void,
  log: (message: string, error?: unknown) => void,
  options: BackgroundWorkOptions = {},
): BackgroundWork {
  const backupProgress = throttledProgress((progress) => emit('backup.progress', progress));
  const scheduler = engine.readOnly
    ? undefined
    : new BackupScheduler(engine, {
        ...options.scheduler,
        onEvent(event) {
          if (event.type === 'progress') {
            backupProgress({ task: 'Scheduled backup', done: event.progress.done, total: Math.max(1, event.progress.total), message: event.progress.phase });
            return;
          }
          if (event.type === 'backup-failed') log(`The scheduled backup failed: ${event.error.message}`);
          if (event.type === 'backup-postponed') log(`The scheduled backup waits for another process: ${event.reason} It is tried again at ${event.retryAt}.`);
          const status = backupStatusOf(event);
          if (status) emit('backup.status', status);
        },
      });
  const verification = new ScheduledVerification(engine, {
    ...options.verification,
    onHealth: (verdict) => emit('health.changed', verdict),
    onRepaired: (repair) => emit('recovery.repaired', repair),
    onError: (error) => log('The scheduled check of the data failed.', error),
  });
  scheduler?.start();
  verification.start();
  return {
    scheduler,
    verification,
    outsideChange: (context) => verification.outsideChange(context),
    async stop() {
      scheduler?.stop();
      verification.stop();
      await Promise.all([scheduler?.idle(), verification.idle()]);
    },
  };
}
