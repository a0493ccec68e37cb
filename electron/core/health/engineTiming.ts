// The engine's one hook for the health view: how long each read, write, move, open and rewrite
// of a context took, and which failed, told to whoever watches (operationTimings.ts keeps the
// recent ones). The engine calls these two helpers at those few places (engine.ts); nothing a
// watcher does can change or fail the engine's work.
import { EngineError, type EngineErrorCode } from '../errors.ts';
import { monotonicMs } from '../monotonicClock.ts';

export type TimedWork = 'read' | 'write' | 'move' | 'open' | 'rewrite';

export interface EngineTiming {
  readonly what: TimedWork;
  /** The context worked on (a move names none: it spans two). */
  readonly context?: string;
  readonly ms: number;
  /** When it failed: the error's code. */
  readonly failed?: EngineErrorCode;
  /** When it ended (ms since the epoch). */
  readonly at: number;
}

export type TimingObserver = (timing: EngineTiming) => void;

/** Tells the observer how long the work since `started` (monotonicMs()) took. */
export function tell(observer: TimingObserver | undefined, what: TimedWork, context: string | undefined, started: number, failed?: EngineErrorCode): void {
  if (!observer) return;
  try {
    observer({ what, ...(context === undefined ? {} : { context }), ms: monotonicMs() - started, ...(failed ? { failed } : {}), at: Date.now() });
  } catch {
    // a watcher's failure is never the engine's
  }
}

/** Runs `work` and tells the observer how long it took to settle, and whether it failed. */
export function timed<T>(observer: TimingObserver | undefined, what: TimedWork, context: string | undefined, work: () => Promise<T>): Promise<T> {
  if (!observer) return work();
  const started = monotonicMs();
  const result = work();
  result.then(
    () => tell(observer, what, context, started),
    (error: unknown) => tell(observer, what, context, started, error instanceof EngineError ? error.code : 'IO_ERROR'),
  );
  return result;
}
