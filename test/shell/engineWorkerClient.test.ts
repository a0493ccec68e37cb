// The main thread's side of the engine's worker thread, with the real worker (engineWorker.ts
// through tsx) on a temp data folder: requests and events cross, the close flushes, a folder
// that cannot be opened is refused with the reason, and a worker that dies answers every open
// and later request with INTERNAL and is reported once.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startEngineWorker } from '../../electron/app/engineWorkerClient.ts';
import type { EngineServicesConfig } from '../../electron/app/engineServices.ts';
import { tsEngineWorkerEntry } from '../helpers/engineWorkerEntry.ts';
import { writeChartFile } from '../bench/chartGenerator.ts';
import { ENCODE_FROM_CHARS, decodeAnswer, isEncodedAnswer } from '../../shared/encodedAnswer.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { byteSize } from '../../shared/byteSize.ts';
import type { Events } from '../../shared/contract.ts';

afterEach(removeTempDirs);

const configFor = (data: string): EngineServicesConfig => ({
  dataLocation: { argv: ['--data', data], env: {}, cwd: process.cwd(), home: tempDir('tension-home-') },
  version: '9.9.9-test',
  engineOptions: { rewriteDelayMs: 50 },
  watcherOptions: { debounceMs: 10, pollMs: 100 },
  backgroundOptions: { scheduler: { startDelayMs: 600_000 }, verification: { startDelayMs: 600_000 } },
});

function recorder() {
  const events: { event: string; payload: unknown }[] = [];
  const logs: string[] = [];
  const crashes: string[] = [];
  return {
    events,
    logs,
    crashes,
    output: { emit: (event: string, payload: unknown) => events.push({ event, payload }), log: (message: string) => logs.push(message), onCrash: (message: string) => crashes.push(message) },
  };
}

describe('the engine in its worker thread, seen from the main thread', () => {
  it("a large answer for a window crosses as JSON bytes that decode to the very answer handle() gives; a small one as objects", async () => {
    const data = path.join(tempDir('tension-worker-'), '.coaia');
    fs.mkdirSync(data, { recursive: true });
    // About 3,000 charts: their list's JSON is well over the threshold.
    writeChartFile(path.join(data, 'charts-big.jsonl'), 3_000);
    const { output } = recorder();
    const host = await startEngineWorker(tsEngineWorkerEntry, configFor(data), output);
    const asObjects = await host.handle('charts.list', { context: 'big' });
    const forWindow = await host.handleForWindow('charts.list', { context: 'big' });
    expect(isEncodedAnswer(forWindow)).toBe(true);
    expect(JSON.stringify(asObjects).length).toBeGreaterThanOrEqual(ENCODE_FROM_CHARS);
    expect(decodeAnswer(forWindow)).toEqual(JSON.parse(JSON.stringify(asObjects)));
    expect((decodeAnswer(forWindow) as { value: unknown[] }).value).toHaveLength(3_000);
    const small = await host.handleForWindow('app.info', {});
    expect(isEncodedAnswer(small)).toBe(false);
    expect(small).toMatchObject({ ok: true, value: { root: data } });
    await host.close();
  });

  it('answers requests, passes live updates on as events, and flushes every pending rewrite at the close', async () => {
    const data = path.join(tempDir('tension-worker-'), '.coaia');
    const { output, events, crashes } = recorder();
    const host = await startEngineWorker(tsEngineWorkerEntry, configFor(data), output);
    await host.watching;
    expect(await host.handle('app.info', {})).toMatchObject({ ok: true, value: { root: data, version: '9.9.9-test' } });
    const created = await host.handle('charts.create', { context: 'work', outcome: 'Crossed a thread', reality: ['Main forwards'] });
    expect(created).toMatchObject({ ok: true, value: { id: expect.stringMatching(/^chart_/) } });
    expect(await host.handle('charts.list', { context: '../etc' })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(await host.handle('no.such.channel', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });

    // Another program writes the context file: the worker's watcher tells the windows.
    fs.appendFileSync(path.join(data, 'charts-work.jsonl'), `${JSON.stringify({ type: 'entity', name: 'from_outside', entityType: 'note', observations: [] })}\n`);
    for (let i = 0; i < 100 && !events.some((e) => e.event === 'data.changed'); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events.find((e) => e.event === 'data.changed')?.payload).toMatchObject({ context: 'work', seq: expect.any(Number) });

    const late = await host.handle('charts.create', { context: 'work', outcome: 'Written just before the quit', reality: ['Pending rewrite'] });
    expect(late.ok).toBe(true);
    await host.close();
    const file = fs.readFileSync(path.join(data, 'charts-work.jsonl'), 'utf8');
    expect(file).toContain('Written just before the quit');
    expect(file).toContain('from_outside');
    expect(await host.handle('app.info', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(crashes).toEqual([]); // a close that was asked for is no crash
  }, 30_000);

  it('a long load of a large file tells the main thread how far it has read (data.loading), from 0 to the whole size', async () => {
    const data = path.join(tempDir('tension-worker-'), '.coaia');
    fs.mkdirSync(data, { recursive: true });
    // About 10 MB: over the size from which a read is told (readProgress.ts).
    const { bytes } = writeChartFile(path.join(data, 'charts-big.jsonl'), 4_000);
    const received: { at: number; payload: Events['data.loading'] }[] = [];
    const { output } = recorder();
    const host = await startEngineWorker(tsEngineWorkerEntry, configFor(data), {
      ...output,
      emit: (event, payload) => {
        if (event === 'data.loading') received.push({ at: performance.now(), payload: payload as Events['data.loading'] });
      },
    });
    await host.listsReady;
    const task = `Reading charts-big.jsonl (${byteSize(bytes)})`;
    expect(received[0]?.payload).toEqual({ context: 'big', task, done: 0, total: bytes });
    expect(received.at(-1)?.payload).toEqual({ context: 'big', task, done: bytes, total: bytes });
    const between = received.slice(1, -1).map((r) => r.payload.done);
    expect(between.length).toBeGreaterThan(0);
    expect(between.every((done) => done > 0 && done < bytes)).toBe(true);
    // Each message leaves the worker as it is posted, in the middle of its synchronous parse: the
    // main thread has them spread over the read, not all at its end (for the log, not asserted).
    console.log(`data.loading: ${received.length} events over ${(received.at(-1)!.at - received[0]!.at).toFixed(0)} ms as the main thread received them`);
    await host.close();
  }, 60_000);

  it('refuses a data folder it cannot open, with the reason', async () => {
    const file = path.join(tempDir('tension-worker-'), 'a-file');
    fs.writeFileSync(file, 'not a folder');
    const { output } = recorder();
    await expect(startEngineWorker(tsEngineWorkerEntry, configFor(file), output)).rejects.toThrow(/file/i);
  }, 30_000);

  it('a worker that dies answers the request it died on and every later one with INTERNAL, and is reported once', async () => {
    const { output, crashes } = recorder();
    const entry = { script: tsEngineWorkerEntry.script, module: pathToFileURL(path.resolve('test/shell/fixtures/crashingEngineWorker.ts')).href };
    const host = await startEngineWorker(entry, configFor(tempDir('tension-worker-')), output);
    const answer = await host.handle('charts.list', { context: 'work' });
    expect(answer).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: expect.stringMatching(/stopped unexpectedly \(exit 7\)/), kept: expect.stringMatching(/journal/) } });
    expect(await host.handle('app.info', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(crashes).toHaveLength(1);
    // Reported once: the quit that follows closes without a second error.
    await expect(host.close()).resolves.toBeUndefined();
    expect(crashes).toHaveLength(1);
  }, 30_000);
});
