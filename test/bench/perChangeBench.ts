// Part 2: the cost of one change as the file grows (PEERS.md failure 4). The reference server
// (@modelcontextprotocol/server-memory, the real one, over stdio) loads the whole file,
// appends, and rewrites the whole file on every create_entities. Ours acknowledges a commit
// once its journal line is durable and rewrites the context file in the background, coalesced
// (default 100 ms window). Both get the same chart file and the same one-entity changes,
// issued back to back.
//
// The reference server drops every metadata field on its first write (failure 3), so its
// later calls work on a smaller file: its first call is shown apart from the median of the rest.
import fs from 'node:fs';
import path from 'node:path';
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { setEntity } from '../../electron/core/knowledgeGraph.ts';
import { writeChartFile } from './chartGenerator.ts';
import { ReferenceServer } from './referenceServer.ts';
import { mb, ms, now, percentile, ratio, table } from './stats.ts';
import type { Check, SectionResult } from './report.ts';

export interface PerChangeConfig {
  readonly workDir: string;
  readonly sizes: readonly number[];
  /** create_entities calls per size (the reference server is slow at 10k). */
  readonly referenceCalls: (charts: number) => number;
  readonly ourCommits: number;
}

const change = (i: number) => ({ name: `bench_change_${i}`, entityType: 'note', observations: ['Call the supplier about the late shipment'] });

interface SizeResult {
  charts: number;
  bytes: number;
  refFirst: number;
  refRest: number[];
  refBytesAfter: number;
  ours: number[];
  oursWallPerChange: number;
  rewrites: number;
  rewriteMs: number;
}

async function measureSize(config: PerChangeConfig, charts: number): Promise<SizeResult> {
  const source = path.join(config.workDir, `per-change-${charts}.jsonl`);
  const generated = writeChartFile(source, charts);
  const refFile = path.join(config.workDir, `reference-${charts}`, 'memory.jsonl');
  const ourRoot = path.join(config.workDir, `ours-${charts}`, '.coaia');
  fs.mkdirSync(path.dirname(refFile), { recursive: true });
  fs.mkdirSync(ourRoot, { recursive: true });
  fs.copyFileSync(source, refFile);
  fs.copyFileSync(source, path.join(ourRoot, 'charts.jsonl'));
  fs.rmSync(source);

  const server = await ReferenceServer.start(refFile);
  const refTimes: number[] = [];
  try {
    for (let i = 0; i < config.referenceCalls(charts); i += 1) refTimes.push(await server.createEntity(change(i)));
  } finally {
    await server.stop();
  }
  const refBytesAfter = fs.statSync(refFile).size;

  const engine = await Engine.open({ layout: resolveLayout({ data: ourRoot }), rewriteDelayMs: 100, origin: 'cli' });
  try {
    await engine.read('default', (state) => state.size); // adopt the file (part 3 times this)
    for (let i = 0; i < 10; i += 1) await engine.transact('default', (state) => setEntity(state, change(-1 - i)));
    await engine.flush();
    const seqBefore = engine.loadedStore('default')?.seq ?? 0;
    const ours: number[] = [];
    const wallStart = now();
    for (let i = 0; i < config.ourCommits; i += 1) {
      const t = now();
      await engine.transact('default', (state) => setEntity(state, change(i)));
      ours.push(now() - t);
    }
    // The rewrite still owed for these changes is part of their cost.
    await engine.flush();
    const wall = now() - wallStart;
    const rewrites = (engine.loadedStore('default')?.seq ?? 0) - seqBefore - config.ourCommits;
    // One rewrite of the whole context file alone, timed.
    await engine.transact('default', (state) => setEntity(state, change(-100)));
    const r = now();
    await engine.flush();
    const rewriteMs = now() - r;
    return {
      charts,
      bytes: generated.bytes,
      refFirst: refTimes[0] ?? Number.NaN,
      refRest: refTimes.slice(1),
      refBytesAfter,
      ours,
      oursWallPerChange: wall / config.ourCommits,
      rewrites,
      rewriteMs,
    };
  } finally {
    await engine.close();
  }
}

export async function perChangeBench(config: PerChangeConfig): Promise<SectionResult> {
  const results: SizeResult[] = [];
  for (const charts of config.sizes) results.push(await measureSize(config, charts));
  const detail = table(
    ['charts', 'file', 'reference: 1st call', 'reference: median of rest', 'ours: commit p50', 'ours: p99', 'ours: all-in per change', 'reference / ours p50', 'reference / ours all-in'],
    results.map((r) => {
      const refMedian = percentile(r.refRest, 50);
      return [
        String(r.charts),
        mb(r.bytes),
        ms(r.refFirst),
        `${ms(refMedian)} (${r.refRest.length} calls)`,
        ms(percentile(r.ours, 50)),
        ms(percentile(r.ours, 99)),
        ms(r.oursWallPerChange),
        ratio(refMedian / percentile(r.ours, 50)),
        ratio(refMedian / r.oursWallPerChange),
      ];
    }),
  );
  const notes = [
    'reference: time from the tools/call request written to its answer read, over stdio (includes JSON-RPC and zod validation, a few ms)',
    'ours: commit = engine.transact awaited (journal line fdatasync-ed); all-in = wall time of the back-to-back commits plus the final flush, divided by the commits (includes every background rewrite they caused)',
    ...results.map(
      (r) =>
        `${r.charts} charts: ours ran ${r.rewrites} coalesced rewrites for ${r.ours.length} commits; one rewrite of the ${mb(r.bytes)} file takes ${ms(r.rewriteMs)}; ` +
        `the reference server left the file at ${mb(r.refBytesAfter)} (metadata stripped)`,
    ),
  ];
  const checks: Check[] = results.map((r) => {
    const refMedian = percentile(r.refRest, 50);
    const oursP50 = percentile(r.ours, 50);
    return {
      what: `per change at ${r.charts} charts, ours vs reference server`,
      measured: `${ms(oursP50)} (all-in ${ms(r.oursWallPerChange)})`,
      against: `reference ${ms(refMedian)} = ${ratio(refMedian / oursP50)} slower`,
      target: 'faster than reference',
      pass: oursP50 < refMedian && r.oursWallPerChange < refMedian,
    };
  });
  checks.push({
    what: 'ours per change does not grow with the file',
    measured: results.map((r) => `${r.charts}: ${ms(percentile(r.ours, 50))}`).join(', '),
    against: results.map((r) => `${r.charts}: ${ms(percentile(r.refRest, 50))}`).join(', '),
    target: 'largest p50 <= 2x smallest',
    pass: percentile(results.at(-1)?.ours ?? [], 50) <= 2 * percentile(results[0]?.ours ?? [], 50),
  });
  return { title: '2. Per-change time vs the reference server (@modelcontextprotocol/server-memory)', detail, notes, checks };
}
