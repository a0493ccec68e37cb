// A large answer crosses to a window as JSON bytes (shared/encodedAnswer.ts): the preload's
// bridge hands the page the answer itself, whichever way it came.
import { describe, expect, it } from 'vitest';
import { ENCODE_FROM_CHARS, PART_BYTES, buffersOf, decodeAnswer, encodeLargeAnswer, isEncodedAnswer } from '../../shared/encodedAnswer.ts';
import { createTensionBridge, type IpcRendererLike } from '../../electron/app/preloadBridge.ts';
import type { IpcResult } from '../../shared/contract.ts';

const big: IpcResult<unknown> = { ok: true, value: Array.from({ length: 3_000 }, (_, i) => ({ id: `chart_${i}`, outcome: `Outcome ${i} — with “quotes”, émigré and 🌱`, steps: { total: i % 7, done: i % 3 }, due: i % 2 ? '2026-12-01' : null })) };
const small: IpcResult<unknown> = { ok: true, value: { version: '1.0.0' } };

describe('answers as bytes', () => {
  it('only a large answer becomes bytes, and they decode to the same answer (non-ASCII text included)', () => {
    expect(JSON.stringify(big).length).toBeGreaterThanOrEqual(ENCODE_FROM_CHARS);
    const encoded = encodeLargeAnswer(big);
    expect(isEncodedAnswer(encoded)).toBe(true);
    expect(decodeAnswer(encoded)).toEqual(big);
    expect(encodeLargeAnswer(small)).toBe(small);
    expect(decodeAnswer(small)).toBe(small);
  });

  it('a large answer is cut into parts, even inside a character, each on a buffer of its own, and decodes whole after a transfer', () => {
    const single = encodeLargeAnswer(big);
    if (!isEncodedAnswer(single)) throw new Error('not encoded');
    expect(single.encodedAnswer).toHaveLength(1);
    expect(single.encodedAnswer[0]?.byteLength).toBeLessThanOrEqual(PART_BYTES);
    const cut = encodeLargeAnswer(big, 997);
    if (!isEncodedAnswer(cut)) throw new Error('not encoded');
    const whole = new TextEncoder().encode(JSON.stringify(big));
    expect(cut.encodedAnswer).toHaveLength(Math.ceil(whole.byteLength / 997));
    // Some cuts fall inside a character (the answer's 2-, 3- and 4-byte ones): such a part alone is not UTF-8.
    const alone = (part: Uint8Array) => {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(part);
        return true;
      } catch {
        return false;
      }
    };
    expect(cut.encodedAnswer.filter((part) => !alone(part)).length).toBeGreaterThan(10);
    expect(cut.encodedAnswer.every((part) => part.byteOffset === 0 && part.buffer.byteLength === part.byteLength)).toBe(true);
    const moved = structuredClone(cut, { transfer: buffersOf(cut) });
    expect(cut.encodedAnswer[0]?.byteLength).toBe(0); // transferred, not copied
    expect(decodeAnswer(moved)).toEqual(big);
  });

  it("the preload's bridge gives the page the decoded answer", async () => {
    const answers = [encodeLargeAnswer(big), small];
    const ipc: IpcRendererLike = { invoke: () => Promise.resolve(answers.shift()), on: () => undefined, removeListener: () => undefined };
    const bridge = createTensionBridge(ipc);
    expect(await bridge.invoke('charts.list', {})).toEqual(big);
    expect(await bridge.invoke('app.info', {})).toEqual(small);
  });
});
