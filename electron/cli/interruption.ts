// Ctrl-C (SIGINT) and SIGTERM stop a command cleanly. The engine writes in short synchronous
// steps (a commit, a rewrite, a backup), and a JavaScript signal handler runs only between
// them, so the disk is never caught half-way: what is committed stays, nothing half-written is
// left. From the signal on, no new step starts; the command ends at once, the engine is closed
// (its committed changes flushed to the context files, the lock released) and the process exits
// with 128 + the signal's number. A second signal exits at once.
import os from 'node:os';
import type { Engine } from '../core/engine.ts';
import { EngineError } from '../core/errors.ts';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type StopSignal = (typeof SIGNALS)[number];

export interface Interruption {
  /** Aborted by the first signal. */
  readonly signal: AbortSignal;
  /** Which signal came, once one did. */
  readonly received: StopSignal | undefined;
  /** Settles (rejects) when a signal comes: raced against the command. */
  readonly stopped: Promise<never>;
  /** 128 + the signal's number (130 for SIGINT, 143 for SIGTERM). */
  exitCode(): number;
  /** Removes the handlers (the command is over). */
  dispose(): void;
}

export function interruptedError(received: string): EngineError {
  return new EngineError('BAD_INPUT', `Interrupted by ${received}: stopped before the next step; every change committed before it is kept, and nothing is half-written.`, {
    kept: 'Every change committed before the interruption is kept.',
  });
}

export function listenForInterruption(onSecondSignal: (code: number) => void): Interruption {
  const controller = new AbortController();
  let received: StopSignal | undefined;
  let reject: (error: Error) => void = () => undefined;
  const stopped = new Promise<never>((_resolve, fail) => {
    reject = fail;
  });
  // Nobody may be listening when no signal comes; an unobserved rejection must not crash.
  stopped.catch(() => undefined);
  const codeOf = (name: StopSignal) => 128 + (os.constants.signals[name] ?? 15);
  const handlers = SIGNALS.map((name) => {
    const handler = () => {
      if (received !== undefined) {
        onSecondSignal(codeOf(name));
        return;
      }
      received = name;
      controller.abort(interruptedError(name));
      reject(interruptedError(name));
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    stopped,
    exitCode: () => (received ? codeOf(received) : 0),
    dispose() {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}

/**
 * The engine as a command sees it: every piece of work it hands to the engine checks the
 * signal first, once it holds the lock, so a command waiting for the lock when the signal
 * comes changes nothing afterwards. (The engine itself knows nothing of signals; a Proxy keeps
 * it that way, and internal calls still go to the engine itself.)
 */
export function stoppableEngine(engine: Engine, signal: AbortSignal): Engine {
  const check = <A extends unknown[], R>(work: (...args: A) => R) => (...args: A): R => {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : interruptedError('a signal');
    return work(...args);
  };
  type Builders = Parameters<Engine['transactAcross']>[0];
  const wrapped: Partial<Record<keyof Engine, unknown>> = {
    transact: (context: string, build: Parameters<Engine['transact']>[1], meta?: Parameters<Engine['transact']>[2]) => engine.transact(context, check(build), meta),
    transactAcross: (builders: Builders, meta?: Parameters<Engine['transactAcross']>[1]) =>
      engine.transactAcross(builders.map(([context, build]) => [context, check(build)] as const), meta),
    withLock: (work: Parameters<Engine['withLock']>[0]) => engine.withLock(check(work)),
    read: (context: string, reader: Parameters<Engine['read']>[1]) => engine.read(context, check(reader)),
  };
  return new Proxy(engine, {
    get(target, property) {
      if (typeof property === 'string' && Object.hasOwn(wrapped, property)) return wrapped[property as keyof Engine];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
