// Where a context's records may go. Two merges in opposite directions run at once (a into b,
// b into a, two processes) both succeeded: each moved everything into the other, both retired
// notes stayed, and every later context operation (adoptLeftovers) moved all the records back
// and forth. So, under the lock that writes the note, a merge or rename is refused whose target
// is itself retired or on its way into the source; and adoptLeftovers moves nothing along a
// chain of notes that comes back to where it began (left by an older version), saying so.
import type { Engine } from '../engine.ts';
import { EngineError } from '../errors.ts';
import { readRetiredNote, type RetiredNote } from './retiredContexts.ts';

/** How a note reads in a sentence: "was merged into b", "is being merged into b"… */
function whatBecameOf(note: RetiredNote): string {
  if (note.pending) return `is being merged into ${note.into ?? 'another context'}`;
  if (note.reason === 'deleted') return 'was deleted';
  return `was ${note.reason === 'renamed' ? 'renamed to' : 'merged into'} ${note.into ?? 'another context'}`;
}

/**
 * Under the lock, before the note of `from` is written: refused (CONFLICT, nothing changed) when
 * `into` has a retired note (another command retired it since this one looked) or is on its way
 * into `from` (a merge of it asked for and not finished). A merge into `into` pending elsewhere
 * goes ahead: its records then follow `into`, which is no cycle.
 */
export function refuseRetiredTarget(engine: Engine, from: string, into: string, what: 'merged' | 'renamed'): void {
  const note = readRetiredNote(engine.fs, engine.layout, into);
  if (!note || (note.pending && note.into !== from)) return;
  const loop = note.into === from ? `: ${what === 'merged' ? 'merging' : 'renaming'} ${from} into it would move the records back and forth` : '';
  throw new EngineError('CONFLICT', `Context ${into} ${whatBecameOf(note)} (by another command, just now)${loop}. ${from} was not ${what}; nothing was changed. List the contexts again (tension contexts) and choose where ${from} goes.`, { kept: 'Nothing was changed.' });
}

/**
 * The chain of notes from `context` (context, where it went, where that went…) when it comes
 * back to `context`; undefined when it ends somewhere (a context with no note, or deleted).
 */
export function retiredCycle(notes: readonly RetiredNote[], context: string): string[] | undefined {
  const byName = new Map(notes.map((note) => [note.context, note] as const));
  const chain = [context];
  for (let next = byName.get(context)?.into; next !== undefined; next = byName.get(next)?.into) {
    if (next === context) return [...chain, next];
    if (chain.includes(next)) return undefined; // a loop further on, not through this context: its own entry reports it
    chain.push(next);
  }
  return undefined;
}
