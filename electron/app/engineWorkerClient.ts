// The main thread's side of the engine's worker thread: starts it, forwards each request and
// resolves it with the worker's answer, passes the worker's events and log lines on, and at
// the quit asks it to flush and close before it ends. A worker that dies (a bug, or memory
// exhausted) answers every open and later request with INTERNAL and is reported once, so the
// app can say so; every change it acknowledged is in the journal already.
import { Worker } from 'node:worker_threads';
import type { IpcResult } from '../../shared/contract.ts';
import type { EncodedAnswer } from '../../shared/encodedAnswer.ts';
import type { EngineHost, EngineServicesConfig, EngineServicesOutput } from './engineServices.ts';
import type { EngineWorkerData, FromWorker, ToWorker } from './engineWorkerProtocol.ts';
import { ENGINE_WORKER_RESOURCE_LIMITS } from './engineHeap.ts';

/** Which script the worker runs: out/engineWorker.cjs in the app; a bootstrap plus the TypeScript module in development and tests. */
export interface EngineWorkerEntry {
  readonly script: string | URL;
  readonly module?: string;
  /**
   * The worker's Node flags; by default the starting thread's (Node's default). A measurement
   * run under tsx passes [] for the bundled script: a worker inherits tsx's loader, which costs
   * it about 0.75 s before its first line, a cost the app's main process does not have.
   */
  readonly execArgv?: readonly string[];
}

export interface EngineWorkerOutput extends EngineServicesOutput {
  /** The worker ended without being asked to (after it had started). */
  readonly onCrash?: (message: string) => void;
}

const stopped = (message: string): IpcResult<never> => ({ ok: false, error: { code: 'INTERNAL', message, kept: 'Every change that was acknowledged is kept in the journal.' } });

/** Starts the worker; resolves once its engine is open, rejects with the reason it could not open. */
export function startEngineWorker(entry: EngineWorkerEntry, config: EngineServicesConfig, output: EngineWorkerOutput): Promise<EngineHost> {
  const data: EngineWorkerData = { config, ...(entry.module === undefined ? {} : { module: entry.module }) };
  const worker = new Worker(entry.script, { workerData: data, name: 'tension-engine', resourceLimits: ENGINE_WORKER_RESOURCE_LIMITS, ...(entry.execArgv ? { execArgv: [...entry.execArgv] } : {}) });
  const pending = new Map<number, (result: IpcResult<unknown> | EncodedAnswer) => void>();
  let nextId = 1;
  let ended: string | undefined;
  let closeRequested = false;
  let started = false;
  let announceWatching: () => void = () => undefined;
  const watching = new Promise<void>((resolve) => (announceWatching = resolve));
  let announceListsReady: () => void = () => undefined;
  const listsReady = new Promise<void>((resolve) => (announceListsReady = resolve));
  let announceClosed: (error?: string) => void = () => undefined;
  const closed = new Promise<string | undefined>((resolve) => (announceClosed = resolve));

  return new Promise<EngineHost>((resolve, reject) => {
    const host: EngineHost = {
      watching,
      listsReady,
      handle(channel, input) {
        return ask(channel, input, false) as Promise<IpcResult<unknown>>;
      },
      handleForWindow(channel, input) {
        return ask(channel, input, true);
      },
      async close() {
        const crashedBefore = ended !== undefined && !closeRequested;
        if (ended === undefined && !closeRequested) {
          closeRequested = true;
          worker.postMessage({ type: 'close' } satisfies ToWorker);
        }
        const error = await closed;
        await worker.terminate();
        // A worker that died unasked was reported then (onCrash); the close adds nothing to say.
        if (error !== undefined && !crashedBefore) throw new Error(error);
      },
    };

    function ask(channel: string, input: unknown, forWindow: boolean): Promise<IpcResult<unknown> | EncodedAnswer> {
      if (ended !== undefined) return Promise.resolve(stopped(ended));
      const id = nextId++;
      return new Promise((answer) => {
        pending.set(id, answer);
        worker.postMessage({ type: 'invoke', id, channel, input, ...(forWindow ? { forWindow } : {}) } satisfies ToWorker);
      });
    }

    function end(message: string): void {
      if (ended !== undefined) return;
      ended = message;
      for (const answer of pending.values()) answer(stopped(message));
      pending.clear();
      announceWatching();
      announceListsReady();
      announceClosed(message);
      if (!started) reject(new Error(message));
      else if (!closeRequested) output.onCrash?.(message);
    }

    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'ready':
          started = true;
          resolve(message.firstScreen === undefined ? host : { ...host, firstScreen: message.firstScreen });
          return;
        case 'failed':
          // The engine did not open: the start rejects with why (end() before 'ready').
          end(message.message);
          void worker.terminate();
          return;
        case 'watching':
          announceWatching();
          return;
        case 'listsReady':
          announceListsReady();
          return;
        case 'result': {
          const answer = pending.get(message.id);
          pending.delete(message.id);
          answer?.(message.result);
          return;
        }
        case 'event':
          output.emit(message.event, message.payload as never);
          return;
        case 'log':
          output.log(message.message, message.error);
          return;
        case 'closed':
          ended = 'Tension Desk has closed its data.';
          for (const answer of pending.values()) answer(stopped(ended));
          pending.clear();
          announceClosed(message.error);
          return;
      }
    });
    worker.on('error', (error) => {
      output.log('The storage engine\'s thread failed.', error);
      end(`The storage engine stopped unexpectedly (${error.message}). Restart Tension Desk.`);
    });
    worker.on('exit', (code) => end(`The storage engine stopped unexpectedly (exit ${code}). Restart Tension Desk.`));
  });
}
