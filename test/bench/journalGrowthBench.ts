// Journal bytes per byte written (issue 8, item 5): a current reality that grows one observation
// at a time, as a chart's does for years, and the same with long observations. Before format 2
// each addition journaled the whole record again (5,000 additions: a 523 MB journal for a 210 KB
// file); a splice journals what changed.
import fs from 'node:fs';
import path from 'node:path';
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout, contextPaths } from '../../electron/core/dataRoot.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { table } from './stats.ts';
import type { SectionResult } from './report.ts';

interface GrowthCase {
  readonly label: string;
  readonly additions: number;
  readonly text: (i: number) => string;
}

export async function journalGrowthBench(options: { workDir: string; additions: number }): Promise<SectionResult> {
  const cases: GrowthCase[] = [
    { label: 'short observations (~40 bytes)', additions: options.additions, text: (i) => `Day ${i}: wrote ${i % 7} pages about chapter ${i % 40}` },
    { label: 'long observations (2,000 bytes)', additions: Math.max(50, Math.floor(options.additions / 20)), text: (i) => `${i} ${'notes '.repeat(333)}` },
  ];
  const rows: string[][] = [];
  const checks: SectionResult['checks'][number][] = [];
  for (const growth of cases) {
    const root = path.join(options.workDir, `growth-${rows.length}`, '.coaia');
    const layout = resolveLayout({ data: root });
    const engine = await Engine.open({ layout, origin: 'cli', rewriteDelayMs: -1, lockLeaseMs: 0 });
    const charts = new ChartService(engine);
    const { id } = await charts.create('work', { outcome: 'Write the book', reality: ['An outline exists'] });
    const journal = contextPaths(layout, 'work').journal;
    const startBytes = fs.statSync(journal).size;
    let written = 0;
    const started = performance.now();
    for (let i = 0; i < growth.additions; i += 1) {
      const text = growth.text(i);
      written += Buffer.byteLength(text);
      await charts.addReality('work', id, text);
    }
    const perAddition = (performance.now() - started) / growth.additions;
    await engine.close();
    const journalBytes = fs.statSync(journal).size - startBytes;
    const fileBytes = fs.statSync(contextPaths(layout, 'work').file).size;
    // What the old format journaled: the whole record at every addition (its size grew each time).
    const wholeRecord = Array.from({ length: growth.additions }, (_, i) => i).reduce((sum, i) => sum + (fileBytes * (i + 1)) / growth.additions, 0);
    rows.push([growth.label, String(growth.additions), `${(written / 1024).toFixed(0)} KiB`, `${(fileBytes / 1024).toFixed(0)} KiB`, `${(journalBytes / 1024).toFixed(0)} KiB`, `${(journalBytes / written).toFixed(2)}x`, `${(wholeRecord / 1048576).toFixed(1)} MiB`, `${perAddition.toFixed(2)} ms`]);
    checks.push({
      what: `journal bytes per byte written, ${growth.label}`,
      measured: `${(journalBytes / written).toFixed(2)}x (${(journalBytes / 1024).toFixed(0)} KiB for ${(written / 1024).toFixed(0)} KiB)`,
      against: `whole record each time: ~${(wholeRecord / written).toFixed(0)}x`,
      target: 'a small factor (< 12x), not growing with the record',
      pass: journalBytes / written < 12,
    });
  }
  return {
    title: 'Journal growth: a current reality that grows one observation at a time',
    detail: table(['case', 'additions', 'text written', 'context file', 'journal growth', 'journal / written', 'whole record each time (format 1)', 'per addition'], rows),
    notes: [
      'each addition is a commit (reality add through the chart service), fdatasync-ed; the journal grows by a splice of the line plus the commit framing (time, ids, checksum)',
      '"whole record each time" is what journaling the full record at every addition would have taken (the file size grew roughly linearly)',
    ],
    checks,
  };
}
