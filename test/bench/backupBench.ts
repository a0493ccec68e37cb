// Part 6: what backups cost on disk. Backups store each file as pieces named by their SHA-256
// (electron/core/backupObjects.ts); a piece an earlier backup stored is not stored again. Two
// runs over one context (its file and its journal are the data backed up):
//   1. N backups of data that does not change: they should take about the data once, not N times;
//   2. N backups with one small change before each (a step added, the file rewritten): each
//      should add a few pieces (where the change is, the journal's end), not a copy of the data.
// Beside each, N × the data: what whole copies (backups of format 1) would take. The plain
// daily/weekly copies (whole files under the specification's names) are counted apart.
import fs from 'node:fs';
import path from 'node:path';
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { setEntity } from '../../electron/core/knowledgeGraph.ts';
import { createBackup } from '../../electron/core/backups.ts';
import { MAX_CHUNK } from '../../electron/core/backupChunks.ts';
import { writeChartFile } from './chartGenerator.ts';
import { mb, ms, now, ratio, table } from './stats.ts';
import type { Check, SectionResult } from './report.ts';

export interface BackupBenchConfig {
  readonly workDir: string;
  readonly charts: number;
  readonly backups: number;
}

/** Bytes of every file under `dir` (apparent sizes), and those of the plain `*-backup-*.jsonl` copies apart. */
function bytesUnder(dir: string): { backups: number; plainCopies: number } {
  const sizes = { backups: 0, plainCopies: 0 };
  const walk = (at: string) => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (at === dir && /-backup-(daily|weekly)\.jsonl$/.test(entry.name)) sizes.plainCopies += fs.statSync(full).size;
      else sizes.backups += fs.statSync(full).size;
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return sizes;
}

interface Run {
  readonly label: string;
  readonly data: number;
  readonly stored: number;
  readonly firstMs: number;
  readonly laterMs: number[];
  readonly addedPerBackup: number[];
}

async function runBackups(root: string, backups: number, change: ((engine: Engine, i: number) => Promise<void>) | undefined, label: string): Promise<Run> {
  const engine = await Engine.open({ layout: resolveLayout({ data: root }), rewriteDelayMs: -1 });
  try {
    await engine.read('big', () => undefined);
    await engine.flush();
    const backupDir = path.join(root, '.backup');
    const times: number[] = [];
    const added: number[] = [];
    let data = 0;
    for (let i = 0; i < backups; i += 1) {
      if (change && i > 0) {
        await change(engine, i);
        await engine.flush();
      }
      const before = bytesUnder(backupDir).backups;
      const started = now();
      const info = await createBackup(engine, 'bench', { now: new Date(Date.UTC(2026, 0, 1 + i, 3)) });
      times.push(now() - started);
      added.push(bytesUnder(backupDir).backups - before);
      data = info.bytes;
    }
    return { label, data, stored: bytesUnder(backupDir).backups, firstMs: times[0] ?? Number.NaN, laterMs: times.slice(1), addedPerBackup: added.slice(1) };
  } finally {
    await engine.close();
  }
}

export async function backupBench(config: BackupBenchConfig): Promise<SectionResult> {
  const root = path.join(config.workDir, 'backups', '.coaia');
  fs.mkdirSync(root, { recursive: true });
  const generated = writeChartFile(path.join(root, 'charts-big.jsonl'), config.charts);
  const n = config.backups;
  const unchanged = await runBackups(root, n, undefined, `${n} backups, nothing changed`);
  fs.rmSync(path.join(root, '.backup'), { recursive: true, force: true });
  const changed = await runBackups(
    root,
    n,
    (engine, i) => engine.transact('big', (state) => setEntity(state, { name: `bench_step_${i}`, entityType: 'action_step', observations: [`Call the supplier, day ${i}`] })).then(() => undefined),
    `${n} backups, one change before each`,
  );
  const plain = bytesUnder(path.join(root, '.backup')).plainCopies;
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  const rows = [unchanged, changed].map((run) => [
    run.label,
    mb(run.data),
    mb(n * run.data),
    mb(run.stored),
    ratio(run.stored / run.data),
    mb(median(run.addedPerBackup)),
    ms(run.firstMs),
    ms(median(run.laterMs)),
  ]);
  const detail = table(['run', 'data (file + journal)', `${n} x data`, 'the backups take', 'vs data once', 'added per later backup (median)', 'first backup', 'later (median)'], rows);
  // Each change touches the piece around it in the file and the journal's last piece: at most two pieces per file.
  const changeBound = changed.data + (n - 1) * 4 * MAX_CHUNK;
  const checks: Check[] = [
    {
      what: `${n} backups of ${mb(unchanged.data)} that did not change`,
      measured: mb(unchanged.stored),
      against: `${mb(n * unchanged.data)} (${n} whole copies)`,
      target: '<= 1.05 x the data',
      pass: unchanged.stored <= 1.05 * unchanged.data,
    },
    {
      what: `${n} backups, one change before each`,
      measured: mb(changed.stored),
      against: `${mb(n * changed.data)} (${n} whole copies)`,
      target: `<= data + ${n - 1} x 4 pieces (${mb(changeBound)})`,
      pass: changed.stored <= changeBound,
    },
  ];
  return {
    title: `Backups: bytes on disk, ${config.charts.toLocaleString('en-US')} charts (${mb(generated.bytes)} context file)`,
    detail,
    notes: [
      'data = the context file and its journal, as each backup holds them; "the backups take" counts the pieces, manifests and check files in .backup/',
      `plus the plain copies under the specification's names (.backup/charts-big-backup-daily.jsonl, -weekly), when scheduled backups make them: whole files, ${mb(plain)} here (none: these backups were made by hand)`,
      'a later backup reads every file and piece back to verify it, so its time grows with the data even when it stores nothing',
    ],
    checks,
  };
}
