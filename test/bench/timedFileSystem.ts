// The engine's file-system seam with a stopwatch: how many calls of each kind a phase made
// and how long they took, so a slow figure can be split into disk waits and CPU work.
import { realFileSystem, type FileSystem } from '../../electron/core/fileSystem.ts';

export interface CallTally {
  calls: number;
  ms: number;
}

export class TimedFileSystem {
  readonly tally = new Map<string, CallTally>();
  readonly fs: FileSystem;

  constructor(inner: FileSystem = realFileSystem) {
    const timed = {} as Record<string, unknown>;
    for (const [name, fn] of Object.entries(inner) as [string, (...args: unknown[]) => unknown][]) {
      timed[name] = (...args: unknown[]) => {
        const start = performance.now();
        try {
          return fn(...args);
        } finally {
          const entry = this.tally.get(name) ?? { calls: 0, ms: 0 };
          entry.calls += 1;
          entry.ms += performance.now() - start;
          this.tally.set(name, entry);
        }
      };
    }
    this.fs = timed as unknown as FileSystem;
  }

  reset(): void {
    this.tally.clear();
  }

  totalMs(): number {
    let total = 0;
    for (const entry of this.tally.values()) total += entry.ms;
    return total;
  }

  /** "fdatasyncSync 1.0x 2.31 ms, openSync 2.0x 0.05 ms, …" per unit (commit, open). */
  describe(per = 1): string {
    return [...this.tally]
      .sort((a, b) => b[1].ms - a[1].ms)
      .map(([name, t]) => `${name.replace(/Sync$/, '')} ${(t.calls / per).toFixed(1)}x ${(t.ms / per).toFixed(2)} ms`)
      .join(', ');
  }
}
