// The retention policy of a data root, in `.backup/policy.json`: how many daily, weekly and
// monthly backups to keep, as borg's and restic's `--keep-daily 7 --keep-weekly 5
// --keep-monthly 12` (the defaults). It lives with the backups, so every process working on
// the root (the app, the CLI, a second window) follows the same one.
import path from 'node:path';
import type { Engine } from './engine.ts';
import { EngineError, fromSystemError } from './errors.ts';
import { rootPaths } from './dataRoot.ts';
import { readFileIfExists, syncDirectory } from './fileSystem.ts';
import { replaceFileAtomically } from './atomicFile.ts';

// The policy's shape is the contract's (shared/backupTypes.ts).
import type { BackupPolicy } from '../../shared/backupTypes.ts';
export type { BackupPolicy };

export const DEFAULT_POLICY: BackupPolicy = { keepDaily: 7, keepWeekly: 5, keepMonthly: 12 };
const FIELDS = ['keepDaily', 'keepWeekly', 'keepMonthly'] as const;
const OPTION: Record<(typeof FIELDS)[number], string> = { keepDaily: '--keep-daily', keepWeekly: '--keep-weekly', keepMonthly: '--keep-monthly' };
/** More than anyone keeps; a bound so a typo (70000) is caught rather than obeyed. */
const MOST = 10_000;

export interface StoredPolicy {
  readonly policy: BackupPolicy;
  /** Where it is kept; `stored` false when the file is absent and the defaults apply. */
  readonly file: string;
  readonly stored: boolean;
  /** Set when the file is there but could not be used (the defaults apply meanwhile). */
  readonly problem?: string;
}

export function policyFile(engine: Engine): string {
  return path.join(rootPaths(engine.layout).backups, 'policy.json');
}

/** A policy with these changes, every count checked (a whole number from 0 to 10,000). */
export function changedPolicy(base: BackupPolicy, changes: Partial<Record<keyof BackupPolicy, unknown>>): BackupPolicy {
  const next: Record<string, number> = { ...base };
  for (const field of FIELDS) {
    const value = changes[field];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MOST) {
      throw new EngineError('BAD_INPUT', `${OPTION[field]} must be a whole number from 0 to ${MOST}, got ${JSON.stringify(value)}. The policy was not changed.`, { kept: 'The policy was not changed.' });
    }
    next[field] = value;
  }
  return next as unknown as BackupPolicy;
}

export function readPolicy(engine: Engine): StoredPolicy {
  const file = policyFile(engine);
  let bytes: Buffer | undefined;
  try {
    bytes = readFileIfExists(engine.fs, file);
  } catch (error) {
    return { policy: DEFAULT_POLICY, file, stored: false, problem: fromSystemError(error, 'Reading the backup policy', file, 'The default policy applies meanwhile.').message };
  }
  if (!bytes) return { policy: DEFAULT_POLICY, file, stored: false };
  try {
    const value = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    return { policy: changedPolicy(DEFAULT_POLICY, value), file, stored: true };
  } catch (error) {
    const why = error instanceof EngineError ? error.message : 'it is not valid JSON';
    return { policy: DEFAULT_POLICY, file, stored: true, problem: `${file} cannot be used (${why}); the default policy (keep 7 daily, 5 weekly, 12 monthly) applies until it is set again.` };
  }
}

/** Under the lock: keeps the policy for every process working on this root. */
export function writePolicyUnderLock(engine: Engine, policy: BackupPolicy): void {
  if (engine.readOnly) throw new EngineError('READ_ONLY', `Cannot change the backup policy: ${engine.readOnlyReason}.`, { kept: 'The policy was not changed.' });
  const file = policyFile(engine);
  try {
    const dir = path.dirname(file);
    if (!engine.fs.existsSync(dir)) {
      engine.fs.mkdirSync(dir, { recursive: true });
      syncDirectory(engine.fs, path.dirname(dir));
    }
    const { keepDaily, keepWeekly, keepMonthly } = policy;
    replaceFileAtomically(engine.fs, file, `${JSON.stringify({ format: 1, keepDaily, keepWeekly, keepMonthly })}\n`);
  } catch (error) {
    throw fromSystemError(error, 'Saving the backup policy', file, 'The policy was not changed.');
  }
}
