// How much room is left on the disk that holds a folder, asked before a backup writes anything
// (a backup that runs out of room half-way wastes the time it took and leaves the person
// wondering what is kept). The file-system seam (fileSystem.ts) has no statfs, so tests pass
// a probe of their own to play a nearly full disk.
import fs from 'node:fs';
import path from 'node:path';
import { byteSize } from '../../shared/byteSize.ts';

/** Free bytes for an unprivileged writer on the disk holding `dir`; undefined when it cannot be told. */
export type FreeSpaceProbe = (dir: string) => number | undefined;

export const freeBytesOnDisk: FreeSpaceProbe = (dir) => {
  // The folder may not exist yet (the first backup): ask about the nearest one that does.
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    try {
      const stats = fs.statfsSync(at);
      return Number(stats.bavail) * Number(stats.bsize);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || path.dirname(at) === at) return undefined;
    }
  }
};

/** "12.3 MB": a size as a person reads it (shared/byteSize.ts). */
export const formatBytes = (bytes: number): string => byteSize(bytes);
