// A large answer crosses from the engine's thread to a window as JSON bytes, not as objects.
// Main forwards what the worker sends; as objects, a 100k-chart list (24 MB) was turned back
// into objects on main's thread and again serialized for the window: 435 ms with every window
// frozen (issue 15). As bytes it moves by transfer to main and by one copy to the window, and
// only the window's preload parses it. Answers are JSON-safe already: the browser bridge of
// the e2e tests sends every one of them as JSON.
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
