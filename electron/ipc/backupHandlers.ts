// The handlers of shared/contractBackups.ts: the backups panel, Recently deleted and the
// recovery wizard, each a call into electron/core. Spread into the handler table, which checks
// the sender, the channel and the input first. Each handler is typed against its channel's
// output, so what the engine returns and what the renderer reads cannot drift apart.
// A request naming a context that is not there is refused before anything runs: analyzing or
// "leaving" a context that does not exist must not make its files.
import type { z } from 'zod';
import type { Engine } from '../core/engine.ts';
import { EngineError } from '../core/errors.ts';
import { listBackups } from '../core/backups.ts';
import { verifyBackup } from '../core/backupChecking.ts';
import { restoreBackup } from '../core/backupRestoring.ts';
import { backupStatus, describeBackups } from '../core/backupListing.ts';
import { changedPolicy, readPolicy, writePolicyUnderLock, type BackupPolicy } from '../core/backupPolicy.ts';
import { previewPolicy } from '../core/backupPruning.ts';
import { previewRestore, restoreChartFromBackup } from '../core/backupRestore.ts';
import { undoRestore } from '../core/restoreUndo.ts';
import { listRecentlyDeleted, restoreDeleted } from '../core/recentlyDeleted.ts';
import { analyzeContext } from '../core/recoveryAnalysis.ts';
import { applyRecoveryChoice } from '../core/recoveryChoice.ts';
import { listQuarantined, readQuarantined } from '../core/quarantine.ts';
import type { BackgroundWork } from '../app/backgroundWork.ts';
import { backupChannels, type BackupChannelName } from '../../shared/contractBackups.ts';
import type { EventName, Events } from '../../shared/contract.ts';

export interface BackupHandlerDeps {
  readonly engine: Engine;
  readonly emit?: <E extends EventName>(event: E, payload: Events[E]) => void;
  /** The app's timers (absent in tests and where none run): their state is shown in the panel. */
  readonly background?: BackgroundWork;
}

type InputOf<C extends BackupChannelName> = z.output<(typeof backupChannels)[C]['input']>;
type OutputOf<C extends BackupChannelName> = (typeof backupChannels)[C]['output'];
export type BackupHandlers = { [C in BackupChannelName]: (input: InputOf<C>) => Promise<OutputOf<C>> };

function requireContext(engine: Engine, context: string): void {
  if (!engine.listContextNames().includes(context)) {
    throw new EngineError('NOT_FOUND', `There is no context ${context} in ${engine.layout.root}.`, { kept: 'Nothing was changed.' });
  }
}

export function createBackupHandlers(deps: BackupHandlerDeps): BackupHandlers {
  const { engine } = deps;

  function policyView(policy: BackupPolicy, saved: boolean) {
    const stored = readPolicy(engine);
    return {
      policy,
      stored: stored.stored,
      saved,
      file: stored.file,
      ...(stored.problem ? { problem: stored.problem } : {}),
      verdicts: previewPolicy(engine, policy),
    };
  }

  return {
    'backups.overview': async () => {
      const status = backupStatus(engine);
      const scheduler = deps.background?.scheduler?.status();
      const verification = deps.background?.verification.status();
      return {
        backups: describeBackups(engine),
        ...(status.lastBackup ? { lastBackup: status.lastBackup } : {}),
        ...(status.lastVerified ? { lastVerified: status.lastVerified } : {}),
        damaged: status.damaged,
        storedBytes: status.storedBytes,
        policy: status.policy,
        ...(status.policyProblem ? { policyProblem: status.policyProblem } : {}),
        due: status.due,
        ...(scheduler
          ? {
              scheduler: {
                running: scheduler.running,
                ...(scheduler.nextCheckAt ? { nextCheckAt: scheduler.nextCheckAt } : {}),
                ...(scheduler.lastError ? { lastError: { code: scheduler.lastError.code, message: scheduler.lastError.message } } : {}),
                failures: scheduler.failures,
              },
            }
          : {}),
        ...(verification ? { verification } : {}),
      };
    },
    'backups.verifyAll': async () => {
      const ids = listBackups(engine).map((b) => b.id);
      const task = 'Verifying the backups';
      deps.emit?.('backup.progress', { task, done: 0, total: Math.max(1, ids.length) });
      const backups = [];
      try {
        for (const [i, id] of ids.entries()) {
          backups.push(verifyBackup(engine, id));
          deps.emit?.('backup.progress', { task, done: i + 1, total: Math.max(1, ids.length) });
          // Lets the progress event out before the next backup is read.
          await new Promise((resolve) => setImmediate(resolve));
        }
      } finally {
        deps.emit?.('backup.progress', { task, done: Math.max(1, ids.length), total: Math.max(1, ids.length) });
      }
      return { ok: backups.every((b) => b.ok), backups };
    },
    'backups.policy': async () => policyView(readPolicy(engine).policy, false),
    'backups.policyPreview': async (i) => policyView(changedPolicy(readPolicy(engine).policy, i), false),
    'backups.setPolicy': async (i) => {
      const policy = changedPolicy(readPolicy(engine).policy, i);
      await engine.withLock(() => writePolicyUnderLock(engine, policy));
      return policyView(policy, true);
    },
    'backups.restorePreview': async (i) => {
      requireContext(engine, i.context);
      return previewRestore(engine, i.id, i.context, i.chartId);
    },
    'backups.restoreFrom': async (i) => {
      if (i.chartId !== undefined) {
        requireContext(engine, i.context);
        const r = await restoreChartFromBackup(engine, i.id, i.context, i.chartId);
        return { context: r.context, chartId: r.chartId, restoredFrom: r.restoredFrom, safetyBackup: r.safetyBackup, changed: r.changed };
      }
      const r = await restoreBackup(engine, i.id, [i.context]);
      return { context: i.context, restoredFrom: r.restoredFrom, safetyBackup: r.safetyBackup, changed: r.contexts[0]?.changed ?? 0 };
    },
    'backups.undoRestore': async (i) => {
      requireContext(engine, i.context);
      const r = await undoRestore(engine, i.safetyBackup, i.context, i.chartId);
      return { context: r.context, ...(r.chartId ? { chartId: r.chartId } : {}), restoredFrom: r.restoredFrom, safetyBackup: r.safetyBackup, changed: r.changed };
    },
    'deleted.list': async (i) => {
      if (i.context !== undefined) requireContext(engine, i.context);
      return listRecentlyDeleted(engine, { ...(i.days === undefined ? {} : { days: i.days }), ...(i.context === undefined ? {} : { contexts: [i.context] }) });
    },
    'deleted.restore': async (i) => restoreDeleted(engine, i.id),
    'recovery.analyze': async (i) => {
      requireContext(engine, i.context);
      return analyzeContext(engine, i.context);
    },
    'recovery.apply': async (i) => {
      requireContext(engine, i.context);
      const choice = i.action === 'restore' ? { action: 'restore' as const, backup: i.backup as string } : { action: i.action };
      deps.emit?.('recovery.progress', { task: `Recovering ${i.context}`, done: 0, total: 1 });
      try {
        return await applyRecoveryChoice(engine, i.context, choice, { ...(i.backupFirst === undefined ? {} : { backupFirst: i.backupFirst }) });
      } finally {
        deps.emit?.('recovery.progress', { task: `Recovering ${i.context}`, done: 1, total: 1 });
      }
    },
    'recovery.automatic': async () => ({
      repairs: [...(deps.background?.verification.automaticRepairs() ?? [])],
      damaged: (deps.background?.verification.damagedNow() ?? []).map((v) => ({ context: v.context, health: 'damaged' as const, findings: v.findings })),
    }),
    'recovery.files': async () => listQuarantined(engine),
    'recovery.readFile': async (i) => readQuarantined(engine, i.name),
  };
}
