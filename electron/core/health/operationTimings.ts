// The recent timings the engine tells (engineTiming.ts), kept for the health view: the newest
// 2,000 operations of this process, as latency percentiles and failures per kind of work, and
// how long opening and rewriting each context took.
import type { OperationFigures, Performance } from '../../../shared/healthFigures.ts';
import type { EngineTiming, TimedWork } from './engineTiming.ts';

export const KEPT_TIMINGS = 2_000;
const KINDS: readonly TimedWork[] = ['read', 'write', 'move', 'open', 'rewrite'];

/** The value at percentile `p` (0-100) of sorted values, nearest rank; null for none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

const rounded = (ms: number | null) => (ms === null ? null : Math.round(ms * 100) / 100);

export class OperationTimings {
  private readonly ring: EngineTiming[] = [];
  private next = 0;
  /** The last open of each context, kept apart: a context opened once at start would soon leave the ring. */
  private readonly opens = new Map<string, number>();

  record(timing: EngineTiming): void {
    if (this.ring.length < KEPT_TIMINGS) this.ring.push(timing);
    else this.ring[this.next] = timing;
    this.next = (this.next + 1) % KEPT_TIMINGS;
    if (timing.what === 'open' && timing.context !== undefined && !timing.failed) this.opens.set(timing.context, timing.ms);
  }

  figures(contexts?: readonly string[]): Performance {
    const wanted = contexts ? new Set(contexts) : undefined;
    const kept = this.ring.filter((t) => !wanted || t.context === undefined || wanted.has(t.context));
    const operations: OperationFigures[] = KINDS.map((what) => {
      const of = kept.filter((t) => t.what === what);
      const sorted = of.map((t) => t.ms).sort((a, b) => a - b);
      return { what, count: of.length, failures: of.filter((t) => t.failed).length, p50Ms: rounded(percentile(sorted, 50)), p99Ms: rounded(percentile(sorted, 99)) };
    });
    const names = new Set<string>([...this.opens.keys(), ...kept.flatMap((t) => (t.context === undefined ? [] : [t.context]))]);
    const perContext = [...names]
      .filter((c) => !wanted || wanted.has(c))
      .sort()
      .map((context) => {
        const rewrites = kept.filter((t) => t.what === 'rewrite' && t.context === context);
        const good = rewrites.filter((t) => !t.failed).map((t) => t.ms).sort((a, b) => a - b);
        return { context, openMs: rounded(this.opens.get(context) ?? null), rewrites: rewrites.length, rewriteFailures: rewrites.length - good.length, rewriteP50Ms: rounded(percentile(good, 50)) };
      });
    return { recent: kept.length, operations, contexts: perContext };
  }
}
