// The newest daily and weekly copy of each context, also kept whole under the names the COAIA
// specification gives them, as plain JSONL any tool opens without knowing our backup format:
// `.backup/charts-backup-daily.jsonl` (context default), `.backup/charts-work-backup-weekly.jsonl`,
// `.backup/completed-charts-backup-daily.jsonl`, and with a memory file `memory.jsonl`,
// `.backup/memory-work-backup-daily.jsonl`. Each is replaced atomically once the backup it is
// copied from is complete and verified, so it is always a whole file from a good backup.
import path from 'node:path';
import type { Engine } from './engine.ts';
import { contextFileName, rootPaths } from './dataRoot.ts';
import { replaceFileAtomically } from './atomicFile.ts';
import { readBackupFile, type BackupInfo } from './backups.ts';

export type CopySlot = 'daily' | 'weekly';
export const COPY_SLOTS: readonly CopySlot[] = ['daily', 'weekly'];

/** The plain copy's path for a context and slot. */
export function namedCopyPath(engine: Engine, context: string, slot: CopySlot): string {
  const file = contextFileName(engine.layout, context);
  return path.join(rootPaths(engine.layout).backups, `${file.slice(0, -'.jsonl'.length)}-backup-${slot}.jsonl`);
}

/** Under the lock: writes the copies a scheduled backup is the newest of. Returns what was written and what could not be. */
export function writeNamedCopiesUnderLock(engine: Engine, info: BackupInfo): { written: string[]; problems: string[] } {
  const written: string[] = [];
  const problems: string[] = [];
  for (const slot of COPY_SLOTS) {
    if (!info.kinds.includes(slot)) continue;
    for (const file of info.files) {
      if (file.role !== 'context') continue;
      const target = namedCopyPath(engine, file.context, slot);
      const read = readBackupFile(engine, info, file);
      if ('problem' in read) {
        problems.push(`the ${slot} copy of context ${file.context} was not refreshed: ${read.problem}`);
        continue;
      }
      try {
        replaceFileAtomically(engine.fs, target, read.bytes);
        written.push(target);
      } catch (error) {
        problems.push(`the ${slot} copy ${path.basename(target)} was not refreshed (${(error as Error).message}); backup ${info.id} holds the same data`);
      }
    }
  }
  return { written, problems };
}
