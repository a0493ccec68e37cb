// A large answer crosses from main to a window in parts (shared/encodedAnswer.ts,
// electron/app/heldAnswers.ts): main's bridge and the preload's, wired through a fake ipcMain
// whose replies are copied with V8's serializer as Electron copies them (the fake: Electron
// cannot run here). The page gets exactly the engine's answer; no reply is larger than a part;
// only the window that asked can fetch the parts; a part that does not come is an error value.
import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { registerInvokeHandler } from '../../electron/app/ipcBridge.ts';
import { HeldAnswers } from '../../electron/app/heldAnswers.ts';
import { createTensionBridge, type IpcRendererLike } from '../../electron/app/preloadBridge.ts';
import { ANSWER_PART_CHANNEL, INVOKE_CHANNEL, type IpcResult } from '../../shared/contract.ts';
import { encodeLargeAnswer, isAnswerInParts, isEncodedAnswer } from '../../shared/encodedAnswer.ts';
import { FakeIpcMain } from './fakes.ts';

const PART = 64 * 1024;
const answer: IpcResult<unknown> = { ok: true, value: Array.from({ length: 6_000 }, (_, i) => ({ id: `chart_${i}`, desiredOutcome: `Outcome ${i}: “quotes”, émigré, 🌱`, stepsDone: i % 3, stepsTotal: i % 7 })) };

function wire(held = new HeldAnswers(), partsAfterMs = 0) {
  const ipcMain = new FakeIpcMain();
  registerInvokeHandler(ipcMain, (sender) => sender.id === 1 || sender.id === 2, { handleForWindow: async () => encodeLargeAnswer(answer, PART) }, held);
  const replies: { channel: string; bytes: number }[] = [];
  const windowOf = (id: number): IpcRendererLike => ({
    invoke: async (channel, ...args) => {
      // A window that fetches its parts late (busy, or reloading): main's timers run first.
      if (channel === ANSWER_PART_CHANNEL && partsAfterMs > 0) await new Promise((resolve) => setTimeout(resolve, partsAfterMs));
      const reply = await ipcMain.invoke({ id, url: 'app://tension/index.html' }, channel, ...args);
      const copied = v8.serialize(reply);
      replies.push({ channel, bytes: copied.length });
      return v8.deserialize(copied) as unknown;
    },
    on: () => undefined,
    removeListener: () => undefined,
  });
  return { ipcMain, held, replies, windowOf };
}

describe('a large answer in parts', () => {
  it('reaches the page whole, each reply at most one part, and main keeps nothing after', async () => {
    const { held, replies, windowOf } = wire();
    const total = new TextEncoder().encode(JSON.stringify(answer)).byteLength;
    expect(total).toBeGreaterThan(4 * PART);
    expect(await createTensionBridge(windowOf(1)).invoke('charts.list', { context: 'work' })).toEqual(answer);
    const parts = replies.filter((r) => r.channel === ANSWER_PART_CHANNEL);
    expect(parts).toHaveLength(Math.ceil(total / PART));
    expect(Math.max(...replies.map((r) => r.bytes))).toBeLessThanOrEqual(PART + 64);
    expect(replies[0]?.channel).toBe(INVOKE_CHANNEL);
    expect(held.size).toBe(0);
  });

  it('only the window that asked may fetch the parts; a foreign sender, a wrong id or index gets a refusal', async () => {
    const { ipcMain, held } = wire();
    const first = await ipcMain.invoke({ id: 1, url: 'app://tension/index.html' }, INVOKE_CHANNEL, 'charts.list', {});
    expect(isAnswerInParts(first)).toBe(true);
    const { id } = (first as { answerInParts: { id: string } }).answerInParts;
    const refusal = { ok: false, error: { code: 'NOT_FOUND' } };
    expect(await ipcMain.invoke({ id: 2, url: 'app://tension/index.html' }, ANSWER_PART_CHANNEL, id, 0)).toMatchObject(refusal);
    expect(await ipcMain.invoke({ id: 1, url: 'app://tension/index.html' }, ANSWER_PART_CHANNEL, 'no-such-id', 0)).toMatchObject(refusal);
    expect(await ipcMain.invoke({ id: 1, url: 'app://tension/index.html' }, ANSWER_PART_CHANNEL, id, 10_000)).toMatchObject(refusal);
    expect(await ipcMain.invoke({ id: 1, url: 'app://tension/index.html' }, ANSWER_PART_CHANNEL, id, '0')).toMatchObject(refusal);
    expect(await ipcMain.invoke({ id: 9, url: 'app://tension/index.html' }, ANSWER_PART_CHANNEL, id, 0)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await ipcMain.invoke({ id: 1, url: 'app://tension/index.html' }, ANSWER_PART_CHANNEL, id, 0)).toBeInstanceOf(Uint8Array);
    expect(held.size).toBe(1);
  });

  it('a part fetched twice (a retry) is given again, and every other part stays held until fetched', async () => {
    const { ipcMain, held } = wire();
    const window = { id: 1, url: 'app://tension/index.html' };
    const first = (await ipcMain.invoke(window, INVOKE_CHANNEL, 'charts.list', {})) as { answerInParts: { id: string; parts: number } };
    const { id, parts } = first.answerInParts;
    expect(parts).toBeGreaterThan(2);
    const again = (await ipcMain.invoke(window, ANSWER_PART_CHANNEL, id, 0)) as Uint8Array;
    const chunks: Uint8Array[] = [];
    for (let index = 0; index < parts; index += 1) chunks.push((await ipcMain.invoke(window, ANSWER_PART_CHANNEL, id, index)) as Uint8Array);
    expect(chunks.every((c) => c instanceof Uint8Array)).toBe(true);
    // Handed on as the engine's thread cut them: each the whole of its own buffer, so the
    // serializer copies one part, not the answer under it.
    expect(chunks.every((c) => c.byteOffset === 0 && c.buffer.byteLength === c.byteLength && c.byteLength <= PART)).toBe(true);
    expect(again).toEqual(chunks[0]);
    expect(JSON.parse(Buffer.concat(chunks).toString('utf8'))).toEqual(answer);
    expect(held.size).toBe(0);
  });

  it('main hands on each part as the engine\'s thread cut it, not a copy of its own', () => {
    const held = new HeldAnswers();
    const encoded = encodeLargeAnswer(answer, PART);
    if (!isEncodedAnswer(encoded)) throw new Error('not encoded');
    const first = held.prepare(encoded, 1);
    if (!isAnswerInParts(first)) throw new Error('not held in parts');
    const parts = encoded.encodedAnswer;
    expect(first.answerInParts.parts).toBe(parts.length);
    for (const [index, part] of parts.entries()) expect(held.part(first.answerInParts.id, index, 1)).toBe(part);
    expect(held.size).toBe(0);
  });

  it('parts that do not add up to the bytes main announced give the page an error value, not a wrong answer', async () => {
    const window: IpcRendererLike = {
      invoke: async (channel) => (channel === ANSWER_PART_CHANNEL ? new TextEncoder().encode('{"ok"') : { answerInParts: { id: 'held', parts: 2, bytes: 12 } }),
      on: () => undefined,
      removeListener: () => undefined,
    };
    const result = await createTensionBridge(window).invoke('charts.list', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: expect.stringMatching(/its 2 parts do not add up to 12 bytes/) } });
  });

  it('parts kept past their time are gone, and the page gets an error value, not a half answer', async () => {
    const { windowOf, held } = wire(new HeldAnswers(1), 20);
    const result = await createTensionBridge(windowOf(1)).invoke('charts.list', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: expect.stringMatching(/did not arrive whole: part 1 of \d+ did not come/) } });
    expect(held.size).toBe(0);
  });
});
