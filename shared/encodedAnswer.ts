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
// The engine's thread cuts the bytes into parts, each on a buffer of its own, and transfers them:
// main holds them (electron/app/heldAnswers.ts) and hands each on as it is, with no copy of its
// own; the preload fetches the parts and joins them.
import type { IpcResult } from './contract.ts';

/** Answers from this many characters of JSON up cross as bytes; smaller ones as objects. */
export const ENCODE_FROM_CHARS = 256 * 1024;

export interface EncodedAnswer {
  /**
   * UTF-8 JSON of the IpcResult, in order, cut into parts of at most PART_BYTES (anywhere, even
   * inside a character: only the joined bytes are decoded). Each part is the whole of its own
   * buffer: a structured clone of a view copies the whole buffer under it.
   */
  readonly encodedAnswer: readonly Uint8Array[];
}

/** The answer as bytes in parts of `partBytes` when its JSON is large, else unchanged. */
export function encodeLargeAnswer(result: IpcResult<unknown>, partBytes = PART_BYTES): IpcResult<unknown> | EncodedAnswer {
  const text = JSON.stringify(result);
  if (text.length < ENCODE_FROM_CHARS) return result;
  const bytes = new TextEncoder().encode(text);
  if (bytes.byteLength <= partBytes) return { encodedAnswer: [bytes] };
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.byteLength; at += partBytes) parts.push(bytes.slice(at, at + partBytes));
  return { encodedAnswer: parts };
}

export function isEncodedAnswer(value: unknown): value is EncodedAnswer {
  if (typeof value !== 'object' || value === null) return false;
  const parts = (value as Partial<EncodedAnswer>).encodedAnswer;
  return Array.isArray(parts) && parts.length > 0 && parts.every((part) => part instanceof Uint8Array);
}

/** The buffers an encoded answer's parts own: what the engine's thread transfers to main. */
export function buffersOf(answer: EncodedAnswer): ArrayBuffer[] {
  return answer.encodedAnswer.map((part) => part.buffer as ArrayBuffer);
}

/** The bytes of an encoded answer's parts, counted. */
export function byteLengthOf(answer: EncodedAnswer): number {
  let total = 0;
  for (const part of answer.encodedAnswer) total += part.byteLength;
  return total;
}

/** The answer itself, from bytes or as it came. */
export function decodeAnswer(value: unknown): unknown {
  if (!isEncodedAnswer(value)) return value;
  // Decoded part by part as one stream: a character cut between two parts is held over to the
  // next, and the parts are never copied into one buffer first.
  const decoder = new TextDecoder();
  let text = '';
  for (const part of value.encodedAnswer) text += decoder.decode(part, { stream: true });
  return JSON.parse(text + decoder.decode());
}

/**
 * Encoded answers above this many bytes cross from main to the window in parts of this size.
 * Each part is one task on main's thread (the serializer's copy of it): with main copying each
 * part out of the whole first, as it did, the longest took 25-29 ms at 4 MB, 3.6-7.7 ms at 1 MB
 * (a 25 MB answer, same run). A part more is one more small request from the window.
 */
export const PART_BYTES = 1024 * 1024;

/** What main answers in place of bytes it holds for the window to fetch in parts. */
export interface AnswerInParts {
  readonly answerInParts: { readonly id: string; readonly parts: number; readonly bytes: number };
}

export function isAnswerInParts(value: unknown): value is AnswerInParts {
  if (typeof value !== 'object' || value === null) return false;
  const parts = (value as Partial<AnswerInParts>).answerInParts;
  return typeof parts === 'object' && parts !== null && typeof parts.id === 'string' && Number.isSafeInteger(parts.parts) && parts.parts > 0 && Number.isSafeInteger(parts.bytes) && parts.bytes >= 0;
}

/** The parts, fetched in order, as one encoded answer; undefined when they do not add up to `bytes`. */
export function joinParts(parts: readonly Uint8Array[], bytes: number): EncodedAnswer | undefined {
  const answer = { encodedAnswer: parts };
  return parts.length > 0 && byteLengthOf(answer) === bytes ? answer : undefined;
}

