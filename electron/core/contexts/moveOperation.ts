// How a move between contexts is named in the journals, so a chart's history can follow it:
// every move (a chart, several, a merge, a rename) is committed with the operation id
// `move:<from>:<to>:<base>`, and each context's part of it with `…:<context>` (intentLog.ts).
// Context names never contain ':' (dataRoot.ts), so the two names read back unambiguously;
// the base is the caller's operation id (a retry is still applied once) or a fresh UUID.
import { randomUUID } from 'node:crypto';

const PREFIX = 'move:';
const PART = /^move:([^:]+):([^:]+):(.*):([^:]+)$/;

export function moveOperationId(from: string, to: string, callerOp?: string): string {
  return `${PREFIX}${from}:${to}:${callerOp ?? randomUUID()}`;
}

export interface MovePart {
  readonly from: string;
  readonly to: string;
  /** The move's operation id (without the context part). */
  readonly move: string;
  /** The context this part was committed in. */
  readonly context: string;
}

/** The move a commit's `op` belongs to, if it is one part of a move between contexts. */
export function movePartOf(op: string | undefined): MovePart | undefined {
  if (op === undefined || !op.startsWith(PREFIX)) return undefined;
  const match = PART.exec(op);
  if (!match) return undefined;
  const [, from, to, base, context] = match as unknown as [string, string, string, string, string];
  return { from, to, move: `${PREFIX}${from}:${to}:${base}`, context };
}

/** What a rename's or merge's move is called in its history ("Context a (merged into b)"). */
export function contextMoveWhat(from: string, to: string, how: 'renamed' | 'merged'): string {
  return how === 'merged' ? `Context ${from} (merged into ${to})` : `Context ${from} (renamed to ${to})`;
}

/** The note a move is journaled with: what the history timeline shows as the move itself. */
export function moveNote(from: string, to: string, what: string): string {
  return `${what} moved from context ${from} to context ${to}`;
}
