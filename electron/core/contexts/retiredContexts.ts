// A context that was renamed, merged away or deleted is *retired*: a small note beside its
// journal, `.history/<file>.retired.json`, says so and where its records went. The journal
// itself stays (the history of the charts that left it, which their history follows), so the
// context would still be listed; the note hides it while its file is gone or empty. If a peer
// writes the old file again (it read it before the rename and writes its own change on top),
// the file is no longer empty: the context shows again, and its new records are adopted into
// the context it was renamed or merged into (adoptLeftovers), never lost.
import path from 'node:path';
import type { FileSystem } from '../fileSystem.ts';
import { readFileIfExists, syncDirectory } from '../fileSystem.ts';
import { replaceFileAtomically } from '../atomicFile.ts';
import { statIdentity } from '../contextFile.ts';
import { contextPaths, type DataLayout } from '../dataRoot.ts';

export interface RetiredNote {
  readonly format: 1;
  readonly context: string;
  readonly reason: 'renamed' | 'merged' | 'deleted';
  /** Where its records went (renamed, merged). */
  readonly into?: string;
  /** The backup taken before a deletion. */
  readonly backup?: string;
  /** The operation that deleted its records (what an undo of the deletion reads back). */
  readonly op?: string;
  readonly ts: string;
  /**
   * A merge asked for but not yet known to be done: written before the move, so a crash after
   * the move's intent (which the next open completes) still retires the emptied context. While
   * the context still has records, nothing acts on it (the merge may have been refused).
   */
  readonly pending?: true;
}

export function retiredNotePath(layout: DataLayout, context: string): string {
  return contextPaths(layout, context).journal.replace(/\.journal\.jsonl$/, '.retired.json');
}

export function readRetiredNote(fsys: FileSystem, layout: DataLayout, context: string): RetiredNote | undefined {
  const bytes = readFileIfExists(fsys, retiredNotePath(layout, context));
  if (!bytes) return undefined;
  try {
    const note = JSON.parse(bytes.toString('utf8')) as Partial<RetiredNote>;
    if (note.format !== 1 || note.context !== context || !['renamed', 'merged', 'deleted'].includes(note.reason as string)) return undefined;
    return note as RetiredNote;
  } catch {
    return undefined; // unreadable: the context simply shows
  }
}

export function writeRetiredNote(fsys: FileSystem, layout: DataLayout, note: RetiredNote): void {
  replaceFileAtomically(fsys, retiredNotePath(layout, note.context), `${JSON.stringify(note)}\n`);
}

/**
 * Takes the note away, durably: a note left (or back after a power cut) would hide the context
 * while its file is empty and have its records moved on again. A failure is thrown, not ignored.
 */
export function clearRetiredNote(fsys: FileSystem, layout: DataLayout, context: string): void {
  const file = retiredNotePath(layout, context);
  try {
    fsys.unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  syncDirectory(fsys, path.dirname(file));
}

/** Retired and nothing left to show: its file is gone or empty. */
export function isHiddenRetired(fsys: FileSystem, layout: DataLayout, context: string): boolean {
  try {
    if (!readRetiredNote(fsys, layout, context)) return false;
    const file = statIdentity(fsys, contextPaths(layout, context).file);
    return file === undefined || file.size === 0;
  } catch {
    return false; // anything unclear: the context shows
  }
}

/** Every retired context of the data root (from the notes in .history/). */
export function retiredContexts(fsys: FileSystem, layout: DataLayout): RetiredNote[] {
  let entries: string[];
  try {
    entries = fsys.readdirSync(path.join(layout.root, '.history'));
  } catch {
    return [];
  }
  const notes: RetiredNote[] = [];
  for (const entry of entries) {
    if (!entry.endsWith('.retired.json')) continue;
    const bytes = readFileIfExists(fsys, path.join(layout.root, '.history', entry));
    try {
      const note = JSON.parse(bytes?.toString('utf8') ?? 'null') as RetiredNote | null;
      if (note?.format === 1 && typeof note.context === 'string' && retiredNotePath(layout, note.context).endsWith(entry)) notes.push(note);
    } catch {
      // not ours, or damaged: ignored
    }
  }
  return notes;
}
