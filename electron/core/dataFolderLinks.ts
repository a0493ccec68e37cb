// Folders Tension Desk keeps inside a data root (.history, .backup, .recovery) must be folders,
// not symbolic links: a data folder often comes with a cloned repository, and a `.backup` that
// links elsewhere would send backups (and `.recovery` quarantined bytes) out of the folder. Files
// are protected by O_NOFOLLOW on every open (fileSystem.ts); a link as a folder on the way is
// not, so these are looked at by name, before any write.
import path from 'node:path';
import type { FileSystem } from './fileSystem.ts';
import { rootPaths, type DataLayout } from './dataRoot.ts';

/** The folders of ours in the data root that are symbolic links (paths), if any. */
export function linkedFolders(fsys: FileSystem, layout: DataLayout): string[] {
  const { history, backups, recovery } = rootPaths(layout);
  const linked: string[] = [];
  for (const folder of [history, backups, recovery]) {
    try {
      if (fsys.statSync(folder, { bigint: true }).isSymbolicLink()) linked.push(folder);
    } catch {
      // not there (yet): nothing to follow
    }
  }
  return linked;
}

/** Why writing is refused, when a folder of ours is a link; undefined when none is. */
export function linkedFolderReason(fsys: FileSystem, layout: DataLayout): string | undefined {
  const linked = linkedFolders(fsys, layout);
  if (linked.length === 0) return undefined;
  const names = linked.map((folder) => path.relative(layout.root, folder) || folder).join(', ');
  return `${names} in ${layout.root} ${linked.length === 1 ? 'is a symbolic link' : 'are symbolic links'}; Tension Desk never writes through links inside the data folder (it would write outside it). Replace ${linked.length === 1 ? 'it' : 'them'} with a real folder to write here`;
}
