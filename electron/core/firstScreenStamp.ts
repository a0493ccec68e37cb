// The data folder's stamp, and the first screen saved for it (savedFirstScreen.ts writes it).
// No engine: the engine's services read the saved screen before they open the engine, and hand
// it to the app's main thread, which gives it to the window while the engine's thread loads the
// contexts (electron/app/firstScreenFromSave.ts).
//
// The stamp names the folder as the close left it: the names of its contexts (context files,
// and journals whose file is gone), and each context file's and journal's size, inode, mtime and
// ctime, and the intent log's. Any write by anyone since (the CLI, an assistant's MCP server, an
// editor) moves the ctime of what it wrote or puts another inode in its place. Comparing content
// instead (reading and hashing the files) costs 1.3-1.7 s at 100k charts, more than the whole
// budget of the first screen.
import path from 'node:path';
import { FIRST_FILTER, FIRST_ROWS, FIRST_SORT, type FirstScreenAnswers } from '../../shared/firstScreen.ts';
import { contextNamesOnDisk, contextPaths, rootPaths, type DataLayout } from './dataRoot.ts';
import { readDerivedEntry } from './derivedCache.ts';
import { realFileSystem, type FileSystem } from './fileSystem.ts';

/** Where the saved screen lives: beside the journals, one per data folder. */
export function savedFirstScreenFile(layout: DataLayout): string {
  return path.join(rootPaths(layout).history, 'first-screen.cache.json');
}

/** The data folder's stamp; undefined when a file cannot be looked at (the screen is then neither saved nor given). */
export function stampOfData(layout: DataLayout, fsys: FileSystem = realFileSystem): string | undefined {
  const identity = (file: string) => {
    try {
      // The seam's statSync looks at a link itself, not through it.
      const s = fsys.statSync(file, { bigint: true });
      return `${s.size}:${s.ino}:${s.mtimeNs}:${s.ctimeNs}${s.isSymbolicLink() ? ':link' : ''}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '-';
      throw error;
    }
  };
  try {
    const parts = [`intents ${identity(rootPaths(layout).intents)}`];
    for (const name of contextNamesOnDisk(layout).sort()) {
      const paths = contextPaths(layout, name);
      parts.push(`${JSON.stringify(name)} ${identity(paths.file)} ${identity(paths.journal)}`);
    }
    return parts.join('\n');
  } catch {
    return undefined;
  }
}

/**
 * The saved screen's tag: the app's version and the first sort, filter and count the window
 * asks for (another version's answers may be of another shape, or for another first request),
 * then the data folder's stamp.
 */
export function firstScreenTag(version: string, stamp: string): string {
  return `app ${JSON.stringify(version)} ${FIRST_SORT} ${FIRST_FILTER} ${FIRST_ROWS}\n${stamp}`;
}

/** The saved screen when it was saved by this version and the data folder is exactly as stamped at the save; undefined otherwise (missing, unreadable, of another shape). */
export function readSavedFirstScreen(layout: DataLayout, version: string): FirstScreenAnswers | undefined {
  const saved = readDerivedEntry(realFileSystem, savedFirstScreenFile(layout));
  const stamp = stampOfData(layout);
  if (saved === undefined || stamp === undefined || saved.tag !== firstScreenTag(version, stamp)) return undefined;
  try {
    const answers = JSON.parse(saved.text) as Partial<FirstScreenAnswers>;
    return Array.isArray(answers.contexts) && typeof answers.firstRows === 'object' && answers.firstRows !== null && Array.isArray(answers.firstRows.rows?.contexts)
      ? (answers as FirstScreenAnswers)
      : undefined;
  } catch {
    return undefined;
  }
}
