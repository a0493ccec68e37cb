// What a folder holds, byte for byte: every file's SHA-256, every folder and link, by relative
// path. Tests take it of the folder around a data folder before and after a hostile command,
// to show that nothing outside the data folder was created, changed or removed.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';

const LARGE = 16 * 1024 * 1024;

export function folderSnapshot(dir: string, options: { except?: readonly string[] } = {}): Record<string, string> {
  const skipped = new Set((options.except ?? []).map((p) => path.resolve(p)));
  const entries: Record<string, string> = {};
  const walk = (at: string) => {
    for (const name of fs.readdirSync(at).sort()) {
      const full = path.join(at, name);
      if (skipped.has(full)) continue;
      const relative = path.relative(dir, full);
      const stat = fs.lstatSync(full);
      if (stat.isDirectory()) {
        entries[relative] = 'folder';
        walk(full);
      } else if (stat.isFile()) {
        // A huge file (a sparse 1 GB test input) is known by its size and time, not read whole.
        entries[relative] = stat.size > LARGE ? `size ${stat.size} mtime ${stat.mtimeMs}` : createHash('sha256').update(fs.readFileSync(full)).digest('hex');
      } else if (stat.isSymbolicLink()) {
        entries[relative] = `link -> ${fs.readlinkSync(full)}`;
      } else {
        entries[relative] = `special ${stat.mode.toString(8)} size ${stat.size}`;
      }
    }
  };
  walk(dir);
  return entries;
}
