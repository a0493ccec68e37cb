// Where a context's records may go. Two merges in opposite directions run at once (a into b,
// b into a, two processes) both succeeded: each moved everything into the other, both retired
// notes stayed, and every later context operation (adoptLeftovers) moved all the records back
// and forth. So, under the lock that writes the note, a merge or rename is refused whose target
// is itself retired or on its way into the source; and adoptLeftovers moves nothing along a
// chain of notes that comes back to where it began (left by an older version), saying so.
import type { Engine } from '../engine.ts';
import { EngineError } from '../errors.ts';
import { isHiddenRetired, readRetiredNote, type RetiredNote } from './retiredContexts.ts';

/** How a note reads in a sentence: "was merged into b", "is being merged into b"… */
function whatBecameOf(note: RetiredNote): string {
  if (note.pending) return `is being merged into ${note.into ?? 'another context'}`;
  if (note.reason === 'deleted') return 'was deleted';
  return `was ${note.reason === 'renamed' ? 'renamed to' : 'merged into'} ${note.into ?? 'another context'}`;
}

/**
 * Under the lock, before the note of `from` is written: refused (CONFLICT, nothing changed) when
 * `into` is retired and not shown (another command retired it since this one looked), or when
 * the chain of notes from `into` (pending ones too: merges asked for and not finished) leads
 * back to `from`, however long (three merges at once, a into b, b into c, c into a). A context
 * shown again with an old note (a peer wrote it after it was deleted) takes records as any
 * other; a merge into `into` pending elsewhere goes ahead: its records then follow `into`.
 */
export function refuseRetiredTarget(engine: Engine, from: string, into: string, what: 'merged' | 'renamed'): void {
  const note = readRetiredNote(engine.fs, engine.layout, into);
  const loops = leadsBackTo(engine, into, from);
  if (!note && !loops) return;
  if (note && !loops && (note.pending || !isHiddenRetired(engine.fs, engine.layout, into))) return;
  const loop = loops ? `: ${what === 'merged' ? 'merging' : 'renaming'} ${from} into it would move the records round in a circle` : '';
  const became = note ? ` ${whatBecameOf(note)}` : ' goes on into other contexts';
  throw new EngineError('CONFLICT', `Context ${into}${became}${loop}. ${from} was not ${what}; nothing was changed. List the contexts again (tension contexts) and choose where ${from} goes.`, { kept: 'Nothing was changed.' });
}

/**
 * Under the lock of a move of charts a person asked for (not a rename's, merge's or adopt's own
 * move, which check their target themselves): refused (CONFLICT, nothing changed) when `to` is a
 * name renamed or merged away. The charts landed there, and the next context operation
 * (adoptLeftovers, which moves on what a peer writes to a retired name) moved them on to the
 * new name, silently, after the person saw them arrive. The message names where they belong.
 * A deleted name, or one whose merge is still pending, takes charts as any other.
 */
export function refuseRetiredDestination(engine: Engine, to: string, doing: 'move' | 'create' | 'write' = 'move'): void {
  const note = readRetiredNote(engine.fs, engine.layout, to);
  if (note?.into === undefined || note.reason === 'deleted' || note.pending) return;
  const now = whereItWent(engine, to);
  const still = now === note.into ? '' : ` (and that to ${now})`;
  const what = { move: `charts moved into ${to}`, create: `a chart created in ${to}`, write: `what is written into ${to}` }[doing];
  const instead = { move: `Move them into ${now} instead. Nothing was moved.`, create: `Create it in ${now} instead. Nothing was changed.`, write: `Write into ${now} instead. Nothing was changed.` }[doing];
  throw new EngineError('CONFLICT', `Context ${to} ${whatBecameOf(note)}${still}: ${what} would be moved on to ${now} by the next context command. ${instead}`, { kept: 'Nothing was changed.' });
}

/** Where the records of `context` end up, following the notes of names renamed or merged away (stopping at a pending merge or a loop). */
export function whereItWent(engine: Engine, context: string): string {
  const seen = new Set<string>([context]);
  let at = context;
  for (let note = readRetiredNote(engine.fs, engine.layout, at); note?.into !== undefined && note.reason !== 'deleted' && !note.pending && !seen.has(note.into); note = readRetiredNote(engine.fs, engine.layout, at)) {
    at = note.into;
    seen.add(at);
  }
  return at;
}

/** True when following the notes from `start` (where it went, where that went…) reaches `target`. */
function leadsBackTo(engine: Engine, start: string, target: string): boolean {
  const seen = new Set<string>();
  for (let next: string | undefined = start; next !== undefined && !seen.has(next); next = readRetiredNote(engine.fs, engine.layout, next)?.into) {
    if (next === target && next !== start) return true;
    seen.add(next);
  }
  return false;
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
