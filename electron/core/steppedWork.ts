// Long work written once as a generator of small steps, and run either at once (under a lock,
// inside another operation) or a slice at a time (about `sliceMs` of steps, then a pause in
// which the engine's thread answers whatever waits: a window's request, a commit).
import { EngineError } from './errors.ts';
import type { Slicing } from './atomicFile.ts';
import { monotonicMs } from './monotonicClock.ts';

/** A pause until the engine's thread has answered what waits (setImmediate: after pending I/O callbacks). */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Work that yields between its steps and returns its result. */
export type Steps<T> = Generator<void, T, void>;

export function runAtOnce<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * Runs the steps a slice at a time. When `slicing.current()` is false after a pause (the engine
 * closing), the work stops there (its generator's `finally` runs) and this rejects with `stopped`.
 */
export async function runInSlices<T>(steps: Steps<T>, slicing: Slicing, stopped: () => EngineError): Promise<T> {
  let sliceStart = monotonicMs();
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    if (monotonicMs() - sliceStart < slicing.sliceMs) continue;
    await slicing.pause();
    if (!slicing.current()) {
      steps.return(undefined as T);
      throw stopped();
    }
    sliceStart = monotonicMs();
  }
}
