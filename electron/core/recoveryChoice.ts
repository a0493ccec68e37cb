// The recovery wizard's last steps: the person's choice carried out (repair, restore the context
// from a chosen backup, or leave it as it is), after a backup of the damaged state by default
// (as scanpst does), then the result verified and the decision written to the recovery log.
// A repair is checked against its own preview: the context it leaves must be the one shown.
import path from 'node:path';
import type { Engine } from './engine.ts';
import { EngineError } from './errors.ts';
import { validateContextName } from './dataRoot.ts';
import { createBackupUnderLock } from './backups.ts';
import { restoreBackup } from './backupRestoring.ts';
import { planContextRepair, recoverContextUnderLock, type RecoveryAction } from './recover.ts';
import { analyzeContext } from './recoveryAnalysis.ts';
import { verifyAll, type VerifyFinding } from './verify.ts';
import { listQuarantined, type QuarantinedFile } from './quarantine.ts';

export type RecoveryChoice = { readonly action: 'repair' } | { readonly action: 'restore'; readonly backup: string } | { readonly action: 'leave' };

export interface RecoveryOutcome {
  readonly context: string;
  readonly action: RecoveryChoice['action'];
  /** The backup of the state before (the damaged bytes as they were), when one was made. */
  readonly safetyBackup?: string;
  readonly actions: readonly RecoveryAction[];
  /** Damage nothing could make good (its bytes are in .recovery/). */
  readonly unrecovered: readonly string[];
  /** For a repair: the context is exactly the preview (records and their lines). */
  readonly matchesPreview?: boolean;
  /** The check made afterwards. */
  readonly verified: { readonly ok: boolean; readonly findings: readonly VerifyFinding[] };
  /** Where the decision was logged. */
  readonly logFile: string;
  readonly quarantined: readonly QuarantinedFile[];
}

function snapshot(state: Iterable<{ key: string; raw: string }>): Map<string, string> {
  return new Map([...state].map((r) => [r.key, r.raw]));
}

function sameRecords(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, raw] of a) if (b.get(key) !== raw) return false;
  return true;
}

/**
 * Carries out the person's choice for a damaged context. `backupFirst` (default true) backs up
 * the state as it is, damaged lines included, before a repair; a restore always does.
 */
/** `automatic`: a repair with no choice to make, done without the person (the log says so). */
export async function applyRecoveryChoice(engine: Engine, context: string, choice: RecoveryChoice, options: { backupFirst?: boolean; automatic?: boolean } = {}): Promise<RecoveryOutcome> {
  validateContextName(context);
  if (engine.readOnly && choice.action !== 'leave') throw new EngineError('READ_ONLY', `Cannot repair: ${engine.readOnlyReason}.`, { kept: 'Nothing was changed.' });
  // A mistyped name was "repaired": a backup taken, a log line written, exit 0 (found by review).
  if (!engine.listContextNames().includes(context)) {
    throw new EngineError('NOT_FOUND', `There is no context ${context} to repair (neither its file nor its journal; see \`tension recover analyze\`). Nothing was changed.`, { kept: 'Nothing was changed.' });
  }
  let safetyBackup: string | undefined;
  let actions: RecoveryAction[] = [];
  let unrecovered: string[] = [];
  let matchesPreview: boolean | undefined;
  const log = (line: string) => {
    try {
      engine.recovery.log(`[${context}] ${line}`);
    } catch {
      // what was done is reported to the caller; only its log line is missing
    }
  };
  if (choice.action === 'repair') {
    await engine.withLock(() => {
      // Not flushed first: a rewrite now would already replace the damaged file the backup is meant to keep.
      if (options.backupFirst !== false) safetyBackup = createBackupUnderLock(engine, `before recovering ${context}`, { kind: 'before-recovery', flush: false }).id;
      const expected = snapshot(planContextRepair(engine, context, { fresh: true }).result.values());
      const report = recoverContextUnderLock(engine, context);
      actions = [...report.actions];
      unrecovered = [...report.unrecovered];
      matchesPreview = sameRecords(expected, snapshot(engine.storeForLockedWork(context).state.values()));
    });
    const who = options.automatic ? 'repaired on its own (nothing could be lost)' : `recovery wizard: repaired${safetyBackup ? ` after backup ${safetyBackup}` : ' (no backup first, as asked)'}`;
    log(`${who}; ${unrecovered.length === 0 ? 'every damaged record restored' : `${unrecovered.length} damaged lines no journal or backup holds (kept in .recovery/)`}${matchesPreview ? '' : '; the result differs from the preview'}`);
  } else if (choice.action === 'restore') {
    const result = await restoreBackup(engine, choice.backup, [context]);
    safetyBackup = result.safetyBackup;
    actions = result.contexts.map((c) => ({ context: c.context, action: `restored from backup ${choice.backup} (${c.changed} records changed); the state before is in backup ${result.safetyBackup}` }));
    // Damage the restore does not touch (a damaged journal entry) is set aside now: the restore's
    // own journal entry holds the whole restored state, so nothing it named is lost.
    const rest = await engine.withLock(() => recoverContextUnderLock(engine, context));
    actions.push(...rest.actions);
    unrecovered = [...rest.unrecovered];
    log(`recovery wizard: restored from backup ${choice.backup}; the state before is in backup ${result.safetyBackup}`);
  } else {
    const analysis = await analyzeContext(engine, context, { previewLines: 0 });
    log(`recovery wizard: left as it is by choice (${analysis.damagedLines.length} damaged lines, ${analysis.damagedJournalEntries.length} damaged journal entries remain; nothing was changed)`);
  }
  const report = await verifyAll(engine, { backups: false });
  const mine = report.contexts.find((c) => c.context === context);
  const day = new Date().toISOString().slice(0, 10);
  return {
    context,
    action: choice.action,
    ...(safetyBackup ? { safetyBackup } : {}),
    actions,
    unrecovered,
    ...(matchesPreview === undefined ? {} : { matchesPreview }),
    verified: { ok: mine?.ok ?? true, findings: mine?.findings ?? [] },
    logFile: path.join(engine.recovery.dir, `recovery-${day}.log`),
    quarantined: listQuarantined(engine),
  };
}

/**
 * A repair with no choice to make (a torn tail, records the journal still holds, a missing file
 * rebuilt from the journal) is made at once; the outcome is what to show the person afterwards.
 * Undefined when the context is sound, or when the repair would need the person (a backup to
 * take records from, or damage nothing holds).
 */
export async function repairIfNoChoice(engine: Engine, context: string): Promise<RecoveryOutcome | undefined> {
  if (engine.readOnly) return undefined;
  const analysis = await analyzeContext(engine, context, { previewLines: 0 });
  if (!analysis.needsRepair || analysis.needsChoice) return undefined;
  return applyRecoveryChoice(engine, context, { action: 'repair' }, { backupFirst: false, automatic: true });
}
