// How long a rewrite of the context file holds the data folder's lock, during which every other
// process's commit (the CLI, an MCP server) waits (issue 15: "serializing and writing the
// snapshot ... with only the rename under the lock"). One context of generated charts, one
// engine in this process; after a commit, a flush, with the file written under the lock (as
// before, the baseline: rewriteOutsideLockFromBytes Infinity) and written first without it (the app's
// engine now). The lock's holding is read from the engine's file-system seam: from the lock
// folder's creation to its removal. The two settings alternate, a few rounds each.
import path from 'node:path';
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout, rootPaths } from '../../electron/core/dataRoot.ts';
import { setEntity } from '../../electron/core/knowledgeGraph.ts';
import { realFileSystem, type FileSystem } from '../../electron/core/fileSystem.ts';
import { writeChartFile } from './chartGenerator.ts';
import { ms, percentile, ratio, table } from './stats.ts';
import type { SectionResult } from './report.ts';

export interface RewriteLockBenchConfig {
  readonly workDir: string;
  readonly sizes: readonly number[];
  readonly rounds: number;
}

/** The real file system, noting each span in which the lock folder at `lock` existed. */
function lockWatchingFileSystem(lock: string, spans: number[]): FileSystem {
  let since: number | undefined;
  return {
    ...realFileSystem,
    mkdirSync(p, options) {
      const made = realFileSystem.mkdirSync(p, options);
      if (p === lock) since = performance.now();
      return made;
    },
    rmdirSync(p) {
      realFileSystem.rmdirSync(p);
      if (p === lock && since !== undefined) {
        spans.push(performance.now() - since);
        since = undefined;
      }
    },
  };
}

interface Sample {
  readonly flushMs: number;
  readonly longestHoldMs: number;
}

export async function rewriteLockBench(config: RewriteLockBenchConfig): Promise<SectionResult> {
  const rows: string[][] = [];
  const checks: SectionResult['checks'][number][] = [];
  const notes: string[] = [];
  for (const charts of config.sizes) {
    const root = path.join(config.workDir, `rewrite-lock-${charts}`, '.coaia');
    const generated = writeChartFile(path.join(root, 'charts.jsonl'), charts);
    const spans: number[] = [];
    const fs = lockWatchingFileSystem(rootPaths(resolveLayout({ data: root })).lock, spans);
    const engines = {
      before: await Engine.open({ layout: resolveLayout({ data: root }), fs, rewriteDelayMs: -1, lockLeaseMs: 0, origin: 'cli', rewriteOutsideLockFromBytes: Infinity }),
    };
    // The first use adopts the file and the first flush starts its journal: not what is measured.
    await engines.before.read('default', (state) => state.size);
    await engines.before.flush();
    await engines.before.close();
    const samples: Record<'before' | 'now', Sample[]> = { before: [], now: [] };
    for (let round = 0; round < config.rounds; round += 1) {
      for (const setting of ['before', 'now'] as const) {
        const engine = await Engine.open({ layout: resolveLayout({ data: root }), fs, rewriteDelayMs: -1, lockLeaseMs: 0, origin: 'cli', rewriteOutsideLockFromBytes: setting === 'now' ? 0 : Infinity });
        await engine.transact('default', (state) => setEntity(state, { name: `bench_rewrite_${setting}_${round}`, entityType: 'note', observations: ['so that the file is rewritten'] }));
        spans.length = 0;
        const started = performance.now();
        await engine.flush();
        samples[setting].push({ flushMs: performance.now() - started, longestHoldMs: Math.max(0, ...spans) });
        await engine.close();
      }
    }
    const median = (setting: 'before' | 'now', field: keyof Sample) => percentile(samples[setting].map((s) => s[field]), 50);
    const before = median('before', 'longestHoldMs');
    const now = median('now', 'longestHoldMs');
    rows.push([
      String(charts),
      `${(generated.bytes / 1e6).toFixed(1)} MB`,
      ms(median('before', 'flushMs')),
      ms(before),
      ms(median('now', 'flushMs')),
      ms(now),
      ratio(now / before),
    ]);
    notes.push(`${charts} charts, longest hold per round: before ${samples.before.map((s) => ms(s.longestHoldMs)).join(', ')}; now ${samples.now.map((s) => ms(s.longestHoldMs)).join(', ')}`);
    checks.push({
      what: `data folder lock held by a rewrite (${charts} charts)`,
      measured: `${ms(now)} (the whole rewrite under it: ${ms(before)})`,
      against: 'the same rewrite with its file written under the lock, same run',
      target: 'swap only',
      pass: undefined,
    });
  }
  return {
    title: 'Rewrites and the data folder lock (issue 15: only the rename under the lock)',
    detail: table(['charts', 'file', 'rewrite, file written under the lock', 'lock held (before)', 'rewrite, file written first', 'lock held (now)', 'now / before'], rows),
    notes: [
      'one engine per round on the same generated context, one commit then a flush; the rewrite\'s lock span is from the lock folder\'s creation to its removal (lockLeaseMs 0: taken for each operation)',
      'before: the file serialized, written, fsynced and read back under the lock, then swapped in; now: all that first, without the lock, and under it a refresh, the check that the state is the one written, and the swap',
      ...notes,
    ],
    checks,
  };
}
