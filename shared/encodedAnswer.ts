// A large answer crosses from the engine's thread to a window as JSON bytes, not as objects.
// Main forwards what the worker sends; as objects, a 100k-chart list (24 MB) was turned back
// into objects on main's thread and again serialized for the window: 435 ms with every window
// frozen (issue 15). As bytes it moves by transfer to main and by one copy to the window, and
// only the window's preload parses it. Answers are JSON-safe already: the browser bridge of
// the e2e tests sends every one of them as JSON.
//
// Bytes past one part (PART_BYTES) cross from main to the window in parts, each fetched by its
// own request: Electron copies an IPC reply with V8's serializer on main's thread, and a 24.6 MB
// list (100k charts) held every window for 41-57 ms in one piece (issue 15: no wait over 50 ms).
// Main holds the bytes (electron/app/heldAnswers.ts); the preload fetches the parts and joins them.
import type { IpcResult } from './contract.ts';

/** Answers from this many characters of JSON up cross as bytes; smaller ones as objects. */
export const ENCODE_FROM_CHARS = 256 * 1024;

export interface EncodedAnswer {
  /** UTF-8 JSON of the IpcResult. */
  readonly encodedAnswer: Uint8Array;
}

/** The answer as bytes when its JSON is large, else unchanged. */
export function encodeLargeAnswer(result: IpcResult<unknown>): IpcResult<unknown> | EncodedAnswer {
  const text = JSON.stringify(result);
  if (text.length < ENCODE_FROM_CHARS) return result;
  return { encodedAnswer: new TextEncoder().encode(text) };
}

export function isEncodedAnswer(value: unknown): value is EncodedAnswer {
  return typeof value === 'object' && value !== null && (value as Partial<EncodedAnswer>).encodedAnswer instanceof Uint8Array;
}

/** The answer itself, from bytes or as it came. */
export function decodeAnswer(value: unknown): unknown {
  return isEncodedAnswer(value) ? JSON.parse(new TextDecoder().decode(value.encodedAnswer)) : value;
}

/** Encoded answers above this many bytes cross from main to the window in parts of this size. */
export const PART_BYTES = 4 * 1024 * 1024;

/** What main answers in place of bytes it holds for the window to fetch in parts. */
export interface AnswerInParts {
  readonly answerInParts: { readonly id: string; readonly parts: number; readonly bytes: number };
}

export function isAnswerInParts(value: unknown): value is AnswerInParts {
  if (typeof value !== 'object' || value === null) return false;
  const parts = (value as Partial<AnswerInParts>).answerInParts;
  return typeof parts === 'object' && parts !== null && typeof parts.id === 'string' && Number.isSafeInteger(parts.parts) && parts.parts > 0 && Number.isSafeInteger(parts.bytes) && parts.bytes >= 0;
}

/** The parts, fetched in order, joined into the answer's bytes; undefined when they do not add up. */
export function joinParts(parts: readonly Uint8Array[], bytes: number): EncodedAnswer | undefined {
  let total = 0;
  for (const part of parts) total += part.byteLength;
  if (total !== bytes) return undefined;
  const joined = new Uint8Array(bytes);
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.byteLength;
  }
  return { encodedAnswer: joined };
}
