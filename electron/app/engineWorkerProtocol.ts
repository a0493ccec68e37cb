// The messages between the main thread and the engine's worker thread (engineWorker.ts,
// engineWorkerClient.ts). Plain data only: everything here crosses by structured clone (a large
// answer for a window as bytes, transferred).
import type { EventName, Events, IpcResult } from '../../shared/contract.ts';
import type { EncodedAnswer } from '../../shared/encodedAnswer.ts';
import type { FirstScreenAnswers } from '../../shared/firstScreen.ts';
import type { EngineServicesConfig } from './engineServices.ts';

/** What the worker is started with (its workerData). */
export interface EngineWorkerData {
  readonly config: EngineServicesConfig;
  /** Development and tests only: the TypeScript module a bootstrap script imports (see test/helpers/tsWorker.mjs). */
  readonly module?: string;
}

export type ToWorker =
  /** `forWindow`: the answer goes on to a window, so a large one may come as bytes (shared/encodedAnswer.ts). */
  | { readonly type: 'invoke'; readonly id: number; readonly channel: string; readonly input: unknown; readonly forWindow?: boolean }
  | { readonly type: 'close' };

export type FromWorker =
  | { readonly type: 'ready'; readonly firstScreen?: FirstScreenAnswers }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'watching' }
  | { readonly type: 'listsReady' }
  | { readonly type: 'result'; readonly id: number; readonly result: IpcResult<unknown> | EncodedAnswer }
  | { readonly type: 'event'; readonly event: EventName; readonly payload: Events[EventName] }
  | { readonly type: 'log'; readonly message: string; readonly error?: string }
  | { readonly type: 'closed'; readonly error?: string };

/** An error as a person reads it, after the crossing: its message. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** An error as the log keeps it: with its stack, where it has one. */
export function errorForLog(error: unknown): string {
  if (error instanceof Error) return error.stack ?? error.message;
  return String(error);
}
