// A large answer crosses to a window as JSON bytes (shared/encodedAnswer.ts): the preload's
// bridge hands the page the answer itself, whichever way it came.
import { describe, expect, it } from 'vitest';
import { ENCODE_FROM_CHARS, decodeAnswer, encodeLargeAnswer, isEncodedAnswer } from '../../shared/encodedAnswer.ts';
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

  it("the preload's bridge gives the page the decoded answer", async () => {
    const answers = [encodeLargeAnswer(big), small];
    const ipc: IpcRendererLike = { invoke: () => Promise.resolve(answers.shift()), on: () => undefined, removeListener: () => undefined };
    const bridge = createTensionBridge(ipc);
    expect(await bridge.invoke('charts.list', {})).toEqual(big);
    expect(await bridge.invoke('app.info', {})).toEqual(small);
  });
});
