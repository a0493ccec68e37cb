// The newest daily and weekly copy of each context, also kept whole under the names the COAIA
// specification gives them, as plain JSONL any tool opens without knowing our backup format:
// `.backup/charts-backup-daily.jsonl` (context default), `.backup/charts-work-backup-weekly.jsonl`,
// `.backup/completed-charts-backup-daily.jsonl`, and with a memory file `memory.jsonl`,
// `.backup/memory-work-backup-daily.jsonl`. Each is replaced atomically once the backup it is
// copied from is complete and verified, so it is always a whole file from a good backup; which
// backup the copies come from is noted in .backup/schedule.json, so a check interrupted before
// it wrote them writes them at the next one.
import path from 'node:path';
import type { Engine } from './engine.ts';
import { contextFileName, rootPaths } from './dataRoot.ts';
import { replaceFileAtomically } from './atomicFile.ts';
import type { BackupInfo } from './backups.ts';
import { readBackupContext, readBackupFile } from './backupChecking.ts';
import { serializeRecords } from './contextFile.ts';

export type CopySlot = 'daily' | 'weekly';

export const COPY_SLOTS: readonly CopySlot[] = ['daily', 'weekly'];

/** The plain copy's path for a context and slot. */
export function namedCopyPath(engine: Engine, context: string, slot: CopySlot): string {
  const file = contextFileName(engine.layout, context);
  return path.join(rootPaths(engine.layout).backups, `${file.slice(0, -'.jsonl'.length)}-backup-${slot}.jsonl`);
}

/**
 * Under the lock: brings each plain copy up to the newest backup of its slot, unless `made` says
 * it was already made from that one (so a copy interrupted by a crash is made at the next check,
 * and an up-to-date one is not written again). Returns what was written, what could not be, and
 * which backup each copy is now made from.
 */
export function refreshNamedCopiesUnderLock(
  engine: Engine,
  newestFirst: readonly BackupInfo[],
  made: Partial<Record<CopySlot, string>>,
  now: Date,
): { written: string[]; problems: string[]; made: Partial<Record<CopySlot, string>> } {
  const written: string[] = [];
  const problems: string[] = [];
  const madeNow: Partial<Record<CopySlot, string>> = { ...made };
  // A backup dated after the check's own time was made with a clock set ahead: once the clock is
  // right again it would stay "the newest" (and its copy the one kept) until that date. No
  // tolerance: the check's own backup is dated at its time, and one let an ahead-dated backup
  // count as the newest again as real time came near its date.
  const notAhead = (b: BackupInfo) => !(Date.parse(b.created) > now.getTime());
  for (const slot of COPY_SLOTS) {
    const ofSlot = newestFirst.filter((b) => b.kinds.includes(slot));
    const info = ofSlot.find(notAhead) ?? ofSlot[0];
    if (!info || made[slot] === info.id) continue;
    let complete = true;
    for (const file of info.files) {
      if (file.role !== 'context') continue;
      const target = namedCopyPath(engine, file.context, slot);
      const read = readBackupFile(engine, info, file);
      if ('problem' in read) {
        problems.push(`the ${slot} copy of context ${file.context} was not refreshed: ${read.problem}`);
        complete = false;
        continue;
      }
      // A file behind its journal, or damaged, when backed up: the copy holds what the journal
      // says the context held (readBackupContext), not the file's stale or broken lines.
      const held = readBackupContext(engine, info, file.context, read.bytes);
      const bytes = held?.fromJournal ? serializeRecords(held.map.values()).join('') : read.bytes;
      try {
        replaceFileAtomically(engine.fs, target, bytes);
        written.push(target);
      } catch (error) {
        problems.push(`the ${slot} copy ${path.basename(target)} was not refreshed (${(error as Error).message}); backup ${info.id} holds the same data`);
        complete = false;
      }
    }
    if (complete) madeNow[slot] = info.id;
  }
  return { written, problems, made: madeNow };
}
