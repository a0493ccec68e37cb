// When each safety copy (a `before-*` backup) was first found past its SAFETY_DAYS, by the
// clock of the check that found it: `.backup/safety-expiry.json`, `{"<id>": "<ISO time>"}`.
// A safety copy is removed only by a check at least a day after the one that first found it
// past its days. One check run with the clock set far ahead (a wrong system clock, a
// scheduler's wrong `now`) cannot tell itself from a check after a long absence; taking the
// copy at once removed, minutes after a restore, the only way back from it (hunt find). The
// next check, with the clock right again, finds the copy within its days and the mark goes.
import path from 'node:path';
import type { Engine } from './engine.ts';
import { rootPaths } from './dataRoot.ts';
import { readFileIfExists } from './fileSystem.ts';
import { replaceFileAtomically } from './atomicFile.ts';

/** How long after a safety copy was first found past its days a check may remove it. */
export const SAFETY_EXPIRY_CONFIRMED_MS = 86_400_000;

function expiryFile(engine: Engine): string {
  return path.join(rootPaths(engine.layout).backups, 'safety-expiry.json');
}

/** The marks (backup id -> ms since the epoch); an unreadable file reads as none (copies are then only kept longer). */
export function readSafetyExpiry(engine: Engine): Map<string, number> {
  const marks = new Map<string, number>();
  try {
    const bytes = readFileIfExists(engine.fs, expiryFile(engine));
    if (!bytes) return marks;
    const value = JSON.parse(bytes.toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return marks;
    for (const [id, at] of Object.entries(value)) {
      const time = typeof at === 'string' ? Date.parse(at) : Number.NaN;
      if (!Number.isNaN(time)) marks.set(id, time);
    }
  } catch {
    // Unreadable: as if no copy had been found past its days yet.
  }
  return marks;
}

/** Under the lock: keeps the marks (only when they changed). A failure leaves the old ones: copies are then only kept longer. */
export function writeSafetyExpiry(engine: Engine, before: ReadonlyMap<string, number>, marks: ReadonlyMap<string, number>): void {
  if (before.size === marks.size && [...marks].every(([id, at]) => before.get(id) === at)) return;
  const document = Object.fromEntries([...marks].map(([id, at]) => [id, new Date(at).toISOString()]));
  try {
    if (marks.size === 0 && !engine.fs.existsSync(expiryFile(engine))) return;
    replaceFileAtomically(engine.fs, expiryFile(engine), `${JSON.stringify(document)}\n`);
  } catch {
    // Kept longer, never removed sooner.
  }
}
