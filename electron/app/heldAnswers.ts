// Large answers main holds for a window to fetch in parts (shared/encodedAnswer.ts). Electron
// copies every IPC reply with V8's serializer on main's thread; a 24.6 MB chart list in one
// reply held every window for 41-57 ms. Held here, it goes as parts of PART_BYTES, each its own
// request: main is never busy with more than one part at a time. Plain Node (no electron import).
import { randomUUID } from 'node:crypto';
import { PART_BYTES, isEncodedAnswer, type AnswerInParts } from '../../shared/encodedAnswer.ts';
import type { IpcResult } from '../../shared/contract.ts';

interface Held {
  readonly bytes: Uint8Array;
  /** The window that asked: the only one that may fetch the parts. */
  readonly sender: number;
  readonly parts: number;
  /** The parts fetched so far: one fetched twice (a retry) counts once, so the rest stay held. */
  readonly taken: Set<number>;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** How long unfetched parts are kept (a window that closed or reloaded mid-way never fetches the rest). */
export const HELD_FOR_MS = 60_000;

export class HeldAnswers {
  private readonly held = new Map<string, Held>();

  constructor(private readonly partBytes = PART_BYTES, private readonly keepMs = HELD_FOR_MS) {}

  /** The answer as it goes to the window: unchanged, or, for bytes above one part, the description of the parts it holds. */
  prepare(answer: unknown, sender: number): unknown {
    if (!isEncodedAnswer(answer) || answer.encodedAnswer.byteLength <= this.partBytes) return answer;
    const bytes = answer.encodedAnswer;
    const id = randomUUID();
    const timer = setTimeout(() => this.held.delete(id), this.keepMs);
    timer.unref?.();
    const parts = Math.ceil(bytes.byteLength / this.partBytes);
    this.held.set(id, { bytes, sender, parts, taken: new Set(), timer });
    return { answerInParts: { id, parts, bytes: bytes.byteLength } } satisfies AnswerInParts;
  }

  /** Part `index` of a held answer, for the window that asked for it; a refusal otherwise. Once every part was fetched, the answer goes. */
  part(id: unknown, index: unknown, sender: number): Uint8Array | IpcResult<never> {
    const held = typeof id === 'string' ? this.held.get(id) : undefined;
    if (!held || held.sender !== sender || typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0 || index >= held.parts) {
      return { ok: false, error: { code: 'NOT_FOUND', message: 'That part of an answer is not held (fetched already, expired, or asked by another window).', kept: 'Nothing was changed.' } };
    }
    held.taken.add(index);
    if (held.taken.size >= held.parts) this.drop(id as string);
    // A copy of the part, not a view: a structured clone of a view copies the whole buffer under it.
    return held.bytes.slice(index * this.partBytes, Math.min(held.bytes.byteLength, (index + 1) * this.partBytes));
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
