// The backups as a person sees them (the CLI's `backup list`, the app's backups panel): when,
// why, which contexts, how big (what each stored new, what it shares, what removing it would
// free) and whether it verified; and the line always on show: when the last backup ran and
// when one last verified.
import type { Engine } from './engine.ts';
import type { BackupEntry } from '../../shared/backupTypes.ts';
import { rootPaths } from './dataRoot.ts';
import { contextsOf, listBackups, type BackupInfo, type BackupKind, type SlotKind } from './backups.ts';
import { storedObjects } from './backupObjects.ts';
import { readPolicy, type BackupPolicy } from './backupPolicy.ts';
import { dueSlots, readStamp } from './backupSchedule.ts';
import { localCalendar, type Calendar } from './backupCalendar.ts';

/** A backup as the list shows it: the contract's own type (shared/backupTypes.ts). */
export type BackupListEntry = BackupEntry;

export function describeBackups(engine: Engine, list: readonly BackupInfo[] = listBackups(engine)): BackupListEntry[] {
  const holders = new Map<string, number>();
  for (const info of list) {
    for (const sha of new Set(info.files.flatMap((f) => (f.chunks ?? []).map((c) => c.sha256)))) holders.set(sha, (holders.get(sha) ?? 0) + 1);
  }
  return list.map((info) => {
    const pieces = new Map<string, number>();
    for (const file of info.files) for (const c of file.chunks ?? []) pieces.set(c.sha256, c.size);
    const unique = info.format < 2 ? info.bytes : [...pieces].reduce((sum, [sha, size]) => sum + (holders.get(sha) === 1 ? size : 0), 0);
    return {
      id: info.id,
      created: info.created,
      kind: info.kind,
      kinds: info.kinds,
      reason: info.reason,
      contexts: contextsOf(info),
      files: info.files.length,
      bytes: info.bytes,
      newBytes: info.newBytes,
      sharedBytes: Math.max(0, info.bytes - info.newBytes),
      uniqueBytes: unique,
      verified: info.check ? info.check.ok : null,
      ...(info.check ? { verifiedAt: info.check.at } : {}),
      problems: info.check?.problems ?? [],
      format: info.format,
    };
  });
}

export interface BackupStatus {
  readonly backups: number;
  readonly lastBackup: { readonly id: string; readonly created: string; readonly kind: BackupKind } | undefined;
  /** The most recent successful check of any backup (at creation, or a later "verify now"). */
  readonly lastVerified: { readonly id: string; readonly at: string } | undefined;
  /** Backups whose last check found damage. */
  readonly damaged: readonly string[];
  /** Bytes the backups take on disk (shared pieces once; format-1 backups whole). */
  readonly storedBytes: number;
  readonly policy: BackupPolicy;
  readonly policyProblem?: string;
  /** Slots due now (the scheduler takes them at its next check). */
  readonly due: readonly SlotKind[];
}

export function backupStatus(engine: Engine, options: { now?: Date; calendar?: Calendar } = {}): BackupStatus {
  const list = listBackups(engine);
  const stored = readPolicy(engine);
  const newest = list[0];
  let lastVerified: { id: string; at: string } | undefined;
  for (const info of list) if (info.check?.ok && (!lastVerified || info.check.at > lastVerified.at)) lastVerified = { id: info.id, at: info.check.at };
  const objects = storedObjects(engine.fs, rootPaths(engine.layout).backups);
  const storedBytes = [...objects.values()].reduce((sum, size) => sum + size, 0) + list.filter((b) => b.format < 2).reduce((sum, b) => sum + b.bytes, 0);
  return {
    backups: list.length,
    lastBackup: newest ? { id: newest.id, created: newest.created, kind: newest.kind } : undefined,
    lastVerified,
    damaged: list.filter((b) => b.check?.ok === false).map((b) => b.id),
    storedBytes,
    policy: stored.policy,
    ...(stored.problem ? { policyProblem: stored.problem } : {}),
    due: dueSlots(stored.policy, readStamp(engine), list, options.now ?? new Date(), options.calendar ?? localCalendar),
  };
}
