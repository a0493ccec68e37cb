// The data folder, checked before the engine opens it. A path that is a file, or a place where
// no folder can be made (a kernel file system such as /proc), is refused at once with a clear
// message. Folders are made one level at a time here because Node's recursive mkdir loops
// forever when mkdir answers ENOENT for a folder whose parent exists, which /proc does: the
// engine's own (recursive) mkdir then finds everything in place.
import fs from 'node:fs';
import path from 'node:path';
import { EngineError, errnoOf } from './errors.ts';
import { contextPaths, DEFAULT_CONTEXT, rootPaths, type DataLayout } from './dataRoot.ts';

/** What a path is, in words, for a message ("a file", "a named pipe (FIFO)"); undefined when it is missing. */
export function kindOfPath(target: string): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch (error) {
    const errno = errnoOf(error);
    if (errno === 'ENOENT' || errno === 'ENOTDIR') return undefined;
    throw refused(`${target} cannot be examined (${errno ?? String(error)})`, target);
  }
  return describeKind(stat);
}

/**
 * True when a context has its file or its journal in the data folder. A reader naming one that
 * has neither answers as for an empty context, and says so: a mistyped name must not pass for
 * "no charts" (the CLI's reading commands, the MCP server's reading tools).
 */
export function contextOnDisk(layout: DataLayout, context: string): boolean {
  const paths = contextPaths(layout, context);
  return kindOfPath(paths.file) !== undefined || kindOfPath(paths.journal) !== undefined;
}

export function describeKind(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFile()) return 'a file';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

function refused(message: string, file: string): EngineError {
  return new EngineError('BAD_INPUT', `${message}. Nothing was changed.`, { file, kept: 'Nothing was changed.' });
}

/** The folders from the root up to the first one that exists (that one first), with what it is. */
function nearestExisting(root: string): { existing: string; kind: string; missing: string[] } {
  const missing: string[] = [];
  let at = root;
  for (;;) {
    const kind = kindOfPath(at);
    if (kind !== undefined) return { existing: at, kind, missing: missing.reverse() };
    const parent = path.dirname(at);
    if (parent === at) return { existing: at, kind: 'a folder', missing: missing.reverse() };
    missing.push(at);
    at = parent;
  }
}

/**
 * Refuses a data folder that is not a folder (or lies under a file), and a memory file that is
 * not a file. With `create`, makes the folder and its `.history/` one level at a time; a folder
 * that cannot be written (permission, read-only file system) is left for the engine, which
 * opens it read-only and says why.
 */
export function checkDataFolder(layout: DataLayout, options: { create: boolean }): void {
  const { root, source } = layout;
  const { existing, kind, missing } = nearestExisting(root);
  if (kind !== 'a folder') {
    const what = existing === root ? `${root} is ${kind}, not a folder` : `${root} cannot be a folder: ${existing} is ${kind}, not a folder`;
    throw refused(`${source}: ${what}`, existing);
  }
  if (layout.kind === 'memory-path') {
    const file = contextPaths(layout, DEFAULT_CONTEXT).file;
    const fileKind = kindOfPath(file);
    if (fileKind !== undefined && fileKind !== 'a file') throw refused(`${source}: ${file} is ${fileKind}, not a file of records`, file);
  }
  if (!options.create) return;
  for (const dir of [...missing, rootPaths(layout).history]) {
    try {
      fs.mkdirSync(dir);
    } catch (error) {
      const errno = errnoOf(error);
      if (errno === 'EEXIST') {
        const now = kindOfPath(dir);
        if (now === 'a folder') continue;
        throw refused(`${source}: ${dir} is ${now ?? 'in the way'}, not a folder`, dir);
      }
      // Not ours to judge: the engine opens the folder read-only and says why.
      if (errno === 'EACCES' || errno === 'EPERM' || errno === 'EROFS') return;
      if (errno === 'ENOENT') {
        throw refused(`${source}: no folder can be made in ${path.dirname(dir)} (the system answered ENOENT although it exists: a kernel file system such as /proc?); choose another folder`, dir);
      }
      throw refused(`${source}: the folder ${dir} could not be made (${errno ?? String(error)})`, dir);
    }
  }
}
