// The failure-point walk (SQLite's "I/O error" tests): run an operation with a fault at the
// 1st matching file-system call, then the 2nd, the 3rd, … each time on a fresh copy of the
// same data root, until a run finishes without the fault being hit. After each failure the
// caller's checks run (right error, nothing lost, nothing half-done), then the same operation
// is retried with the fault removed and must succeed. Problems are collected, not thrown, so
// one test reports every failure point that misbehaves.
//
// With lockLeaseMs 0 (the lock walks always; every walk under TENSION_TORTURE=long) each
// operation takes the data folder lock and releases it before it settles, so the lock's own
// calls (mkdir, owner note, unlink, rmdir, utimes) are failure points like any other, also
// between the steps of an operation that takes the lock more than once. A walk stops at
// `maxPoints` at the latest and says so (`finished: false`); the tests assert that every walk
// finished.
import path from 'node:path';
import { Engine } from '../../electron/core/engine.ts';
import type { DataLayout } from '../../electron/core/dataRoot.ts';
import type { EngineErrorCode } from '../../electron/core/errors.ts';
import { FaultyFileSystem, type Fault, type LoggedCall } from './faultyFileSystem.ts';
import { LONG, copyRoot, errorProblems, failureOf } from './support.ts';

export interface PointContext {
  readonly layout: DataLayout;
  readonly engine: Engine;
  readonly fs: FaultyFileSystem;
  /** What the operation threw (undefined: it succeeded although the fault fired). */
  readonly error: unknown;
  readonly n: number;
  readonly injected: LoggedCall | undefined;
}

export interface WalkOptions {
  /** The data root every run starts from (copied fresh for each failure point). */
  readonly base: DataLayout;
  /** Runs on each fresh copy before the engine opens (process state a copy leaves out, such as a lock). */
  readonly prepare?: (layout: DataLayout) => void;
  /** The fault for failure point n. */
  readonly fault: (n: number) => Fault;
  /** Runs before the fault is armed (loads a context, so the walk starts warm). */
  readonly warm?: (engine: Engine) => Promise<unknown>;
  readonly act: (engine: Engine) => Promise<unknown>;
  /** The code a failure must carry; undefined: the operation must not fail at all. */
  readonly expectedCode: EngineErrorCode | readonly EngineErrorCode[] | undefined;
  /** Checks right after the failure (the faulty engine still open). */
  readonly afterFailure?: (point: PointContext) => Promise<string[]>;
  /** Checks after the retry with the fault removed succeeded and the engine was closed. */
  readonly afterRetry?: (point: PointContext) => Promise<string[]>;
  /** The retry (default: `act` again). */
  readonly retry?: (engine: Engine) => Promise<unknown>;
  readonly maxPoints?: number;
  /** The engine's lock lease (0: taken and released by every operation). Default: 0 in long runs, else the engine's. */
  readonly lockLeaseMs?: number;
}

export interface WalkResult {
  /** Failure points visited (runs in which the fault fired). */
  readonly points: number;
  /** True when a run went through without meeting the fault: every failure point was visited. */
  readonly finished: boolean;
  /** The point limit the walk ran under. */
  readonly maxPoints: number;
  /** Runs in which the operation reported a failure. */
  readonly failures: number;
  readonly violations: string[];
  /** Every failure point with the code it produced, for the test's log. */
  readonly outcomes: string[];
}

function describeCall(call: LoggedCall | undefined): string {
  if (!call) return '?';
  return `${call.op}(${call.paths.map((p) => path.basename(p)).join(' -> ')})=${call.injected ?? ''}`;
}

export async function walkFailurePoints(options: WalkOptions): Promise<WalkResult> {
  const violations: string[] = [];
  const outcomes: string[] = [];
  let points = 0;
  let failures = 0;
  let walkedThrough = false;
  const max = options.maxPoints ?? 2_000;
  for (let n = 1; n <= max && !walkedThrough; n += 1) {
    const layout = copyRoot(options.base);
    options.prepare?.(layout);
    const fsys = new FaultyFileSystem();
    // A lock this engine failed to remove is removed by its next acquisition; lockStaleMs only
    // bounds the wait when the disk refuses even that (a persistent fault).
    const engine = await Engine.open({ layout, fs: fsys, rewriteDelayMs: -1, lockTimeoutMs: 10_000, lockStaleMs: 2_000, lockLeaseMs: options.lockLeaseMs ?? (LONG ? 0 : undefined) });
    const problems: string[] = [];
    let finished = false;
    let label = `n=${n}`;
    try {
      if (options.warm) await options.warm(engine);
      fsys.clearLog();
      fsys.arm(options.fault(n));
      const error = await failureOf(() => options.act(engine));
      const hit = fsys.hits > 0;
      const injected = fsys.injectedCalls()[0];
      fsys.disarm();
      if (!hit) {
        finished = true;
        if (error !== undefined) problems.push(`failed with no fault injected: ${String((error as Error).message ?? error)}`);
      } else {
        points += 1;
        label = `n=${n} ${describeCall(injected)}`;
        const point: PointContext = { layout, engine, fs: fsys, error, n, injected };
        if (error !== undefined) {
          failures += 1;
          outcomes.push(`${label} -> ${(error as { code?: string }).code ?? (error as Error).name}`);
          if (options.expectedCode === undefined) problems.push(`failed: ${(error as Error).message}`);
          else problems.push(...errorProblems(error, options.expectedCode, layout.root));
        } else {
          outcomes.push(`${label} -> ok (fault absorbed)`);
        }
        if (options.afterFailure) problems.push(...(await options.afterFailure(point)));
        const retryError = await failureOf(() => (options.retry ?? options.act)(engine));
        if (retryError !== undefined) problems.push(`retry without the fault failed: ${String((retryError as Error).message ?? retryError)}`);
        const closeError = await failureOf(() => engine.close());
        if (closeError !== undefined) problems.push(`close after the retry failed: ${String((closeError as Error).message ?? closeError)}`);
        if (options.afterRetry && retryError === undefined) problems.push(...(await options.afterRetry(point)));
      }
    } finally {
      await engine.close().catch(() => undefined);
    }
    for (const problem of problems) violations.push(`${label}: ${problem}`);
    walkedThrough = finished;
  }
  return { points, finished: walkedThrough, maxPoints: max, failures, violations, outcomes };
}
