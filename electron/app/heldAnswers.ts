// Large answers main holds for a window to fetch in parts (shared/encodedAnswer.ts). Electron
// copies every IPC reply with V8's serializer on main's thread; a 24.6 MB chart list in one
// reply held every window for 41-57 ms. Held here, it goes in the parts the engine's thread cut
// (PART_BYTES), each its own request and handed on as it is: main is never busy with more than
// one part at a time, and copies nothing itself. Plain Node (no electron import).
import { randomUUID } from 'node:crypto';
import { byteLengthOf, isEncodedAnswer, type AnswerInParts } from '../../shared/encodedAnswer.ts';
import type { IpcResult } from '../../shared/contract.ts';

interface Held {
  readonly parts: readonly Uint8Array[];
  /** The window that asked: the only one that may fetch the parts. */
  readonly sender: number;
  /** The parts fetched so far: one fetched twice (a retry) counts once, so the rest stay held. */
  readonly taken: Set<number>;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** How long unfetched parts are kept (a window that closed or reloaded mid-way never fetches the rest). */
export const HELD_FOR_MS = 60_000;

export class HeldAnswers {
  private readonly held = new Map<string, Held>();

  constructor(private readonly keepMs = HELD_FOR_MS) {}

  /** The answer as it goes to the window: unchanged, or, for bytes in more than one part, the description of the parts it holds. */
  prepare(answer: unknown, sender: number): unknown {
    if (!isEncodedAnswer(answer) || answer.encodedAnswer.length === 1) return answer;
    const parts = answer.encodedAnswer;
    const id = randomUUID();
    const timer = setTimeout(() => this.held.delete(id), this.keepMs);
    timer.unref?.();
    this.held.set(id, { parts, sender, taken: new Set(), timer });
    return { answerInParts: { id, parts: parts.length, bytes: byteLengthOf(answer) } } satisfies AnswerInParts;
  }

  /** Part `index` of a held answer, for the window that asked for it; a refusal otherwise. Once every part was fetched, the answer goes. */
  part(id: unknown, index: unknown, sender: number): Uint8Array | IpcResult<never> {
    const held = typeof id === 'string' ? this.held.get(id) : undefined;
    if (!held || held.sender !== sender || typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0 || index >= held.parts.length) {
      return { ok: false, error: { code: 'NOT_FOUND', message: 'That part of an answer is not held (fetched already, expired, or asked by another window).', kept: 'Nothing was changed.' } };
    }
    held.taken.add(index);
    if (held.taken.size >= held.parts.length) this.drop(id as string);
    // The part as the engine's thread cut it, the whole of its own buffer (EncodedAnswer).
    return held.parts[index] as Uint8Array;
  }

  /** How many answers are held (for tests). */
  get size(): number {
    return this.held.size;
  }

  clear(): void {
    for (const id of [...this.held.keys()]) this.drop(id);
  }

  private drop(id: string): void {
    const held = this.held.get(id);
    if (held) clearTimeout(held.timer);
    this.held.delete(id);
  }
}
