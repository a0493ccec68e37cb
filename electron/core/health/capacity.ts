// How much room the data takes and how long the disk lasts: bytes of the context files, the
// journals, the backups and the insights rollups; their sizes day by day (a journal only grows
// by appends, so its size at the end of a day is its size now less what was appended after);
// free space and the days until the disk is full at the last 30 days' rate; and, when room is
// short, what would free some (pruning backups by the retention policy), done only on request.
import path from 'node:path';
import type { Capacity, Remedy } from '../../../shared/healthFigures.ts';
import type { Engine } from '../engine.ts';
import { contextPaths } from '../dataRoot.ts';
import { listBackups, type BackupInfo } from '../backups.ts';
import { previewPolicy } from '../backupPruning.ts';
import { readPolicy } from '../backupPolicy.ts';
import { formatBytes, freeBytesOnDisk, type FreeSpaceProbe } from '../freeSpace.ts';
import { dayOfDate, dayOfMs } from '../insights/calendarDays.ts';
import { dailySeries, type Point } from '../insights/timeSeries.ts';
import { rollupPaths } from '../insights/rollupFiles.ts';
import type { RollupSummary } from '../insights/rollupSummary.ts';
import type { DayRange } from './dailySeries.ts';

/** Room is short below this much free space, or when it lasts fewer than LOW_DAYS days. */
export const LOW_FREE_BYTES = 512 * 1024 * 1024;
export const LOW_DAYS = 30;
const RATE_DAYS = 30;

export interface CapacityOptions {
  readonly now: Date;
  readonly freeBytes?: FreeSpaceProbe;
  readonly lowFreeBytes?: number;
}

function sizeOf(engine: Engine, file: string): number {
  try {
    return Number(engine.fs.statSync(file, { bigint: true }).size);
  } catch {
    return 0;
  }
}

/** A context's journal size at the end of each day of the range. */
export function journalGrowth(summary: RollupSummary, size: number, range: DayRange): Point[] {
  const appended = new Map<number, number>();
  for (const [date, figures] of Object.entries(summary.days)) {
    const day = dayOfDate(date);
    if (day !== undefined && figures.journalBytes) appended.set(day, figures.journalBytes);
  }
  // Appends only: its size at the end of a day is its size now less what was appended on later days.
  return dailySeries(range.first, range.last, (day) => {
    let after = 0;
    for (const [d, bytes] of appended) if (d > day) after += bytes;
    return Math.max(0, size - after);
  });
}

/** A context file's size as Tension Desk last wrote it, at the end of each day (its size now before it ever did). */
function fileGrowth(summary: RollupSummary, size: number, range: DayRange): Point[] {
  const written = Object.entries(summary.days)
    .filter(([, f]) => f.fileBytes !== undefined)
    .map(([date, f]) => [dayOfDate(date) as number, f.fileBytes as number] as const)
    .sort((a, b) => a[0] - b[0]);
  let i = 0;
  let last = written.length > 0 ? (written[0] as readonly [number, number])[1] : size;
  return dailySeries(range.first, range.last, (day) => {
    while (i < written.length && (written[i] as readonly [number, number])[0] <= day) last = (written[i++] as readonly [number, number])[1];
    return last;
  });
}

function addSeries(all: readonly Point[][], range: DayRange): Point[] {
  return dailySeries(range.first, range.last, (day) => all.reduce((sum, series) => sum + (series[day - range.first]?.value ?? 0), 0));
}

/** What the retention policy would remove now, and at most how many bytes that frees. */
export function pruneRemedy(engine: Engine, backups: readonly BackupInfo[], now: Date): Remedy | undefined {
  const verdicts = previewPolicy(engine, readPolicy(engine).policy, { now });
  const doomed = verdicts.filter((v) => !v.keep).map((v) => v.id);
  if (doomed.length === 0) return undefined;
  const bytes = backups.filter((b) => doomed.includes(b.id)).reduce((sum, b) => sum + b.newBytes, 0);
  return {
    action: 'prune-backups',
    description: `Remove ${doomed.length} backup${doomed.length === 1 ? '' : 's'} the retention policy no longer keeps (up to ${formatBytes(bytes)}; the newest and every policy slot stay).`,
    backups: doomed,
    bytes,
  };
}

export function capacityOf(engine: Engine, contexts: readonly { context: string; summary: RollupSummary }[], backupBytes: number, range: DayRange, options: CapacityOptions): Capacity & { perContext: Map<string, { contextFileBytes: number; journalBytes: number; journalGrowth: Point[] }> } {
  const perContext = new Map<string, { contextFileBytes: number; journalBytes: number; journalGrowth: Point[] }>();
  const journalSeries: Point[][] = [];
  const fileSeries: Point[][] = [];
  let rollupBytes = 0;
  let recentJournal = 0;
  const today = dayOfMs(options.now.getTime());
  for (const { context, summary } of contexts) {
    const paths = contextPaths(engine.layout, context);
    const fileBytes = sizeOf(engine, paths.file);
    const journalBytes = sizeOf(engine, paths.journal);
    const rollup = rollupPaths(paths.journal);
    rollupBytes += sizeOf(engine, rollup.summary) + sizeOf(engine, rollup.rows);
    const growth = journalGrowth(summary, journalBytes, range);
    journalSeries.push(growth);
    fileSeries.push(fileGrowth(summary, fileBytes, range));
    perContext.set(context, { contextFileBytes: fileBytes, journalBytes, journalGrowth: growth });
    for (const [date, figures] of Object.entries(summary.days)) {
      const day = dayOfDate(date) as number;
      if (day > today - RATE_DAYS && day <= today) recentJournal += figures.journalBytes ?? 0;
    }
  }
  const backups = listBackups(engine);
  const createdDay = (b: BackupInfo) => dayOfMs(Date.parse(b.created));
  const backupGrowth = dailySeries(range.first, range.last, (day) => Math.max(0, backupBytes - backups.filter((b) => createdDay(b) > day).reduce((sum, b) => sum + b.newBytes, 0)));
  const recentBackups = backups.filter((b) => createdDay(b) > today - RATE_DAYS && createdDay(b) <= today).reduce((sum, b) => sum + b.newBytes, 0);
  const growthPerDay = Math.round((recentJournal + recentBackups) / RATE_DAYS);
  const freeBytes = (options.freeBytes ?? freeBytesOnDisk)(path.resolve(engine.layout.root)) ?? null;
  const daysUntilFull = freeBytes === null || growthPerDay <= 0 ? null : Math.floor(freeBytes / growthPerDay);
  const low = freeBytes !== null && (freeBytes < (options.lowFreeBytes ?? LOW_FREE_BYTES) || (daysUntilFull !== null && daysUntilFull < LOW_DAYS));
  const contextFileBytes = [...perContext.values()].reduce((sum, c) => sum + c.contextFileBytes, 0);
  const journalBytes = [...perContext.values()].reduce((sum, c) => sum + c.journalBytes, 0);
  const remedy = low ? pruneRemedy(engine, backups, options.now) : undefined;
  return {
    contextFileBytes,
    journalBytes,
    backupBytes,
    rollupBytes,
    totalBytes: contextFileBytes + journalBytes + backupBytes + rollupBytes,
    growth: { journalBytes: addSeries(journalSeries, range), contextFileBytes: addSeries(fileSeries, range), backupBytes: backupGrowth },
    growthPerDay,
    freeBytes,
    daysUntilFull,
    low,
    remedies: remedy ? [remedy] : [],
    perContext,
  };
}
