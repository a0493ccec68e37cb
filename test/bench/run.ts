// `npm run bench`: the storage engine's speed and memory, each figure next to a baseline
// measured in the same run on the same disk (the machine is shared and noisy: ratios, not
// absolute times, are what one run can vouch for). Nothing here asserts a wall time; each
// summary line says PASS or MISS against its target.
//
//   npm run bench                 full run (1k/10k/100k charts; several minutes)
//   npm run bench -- --quick      small sizes, for a fast check (the MCP part at 100 charts only)
//   npm run bench -- --profile    also write V8 CPU profiles of the open/search children
//   npm run bench -- --keep       keep the generated files in test-output/bench
//   npm run bench -- --only backup   one part only (cli, commit, perChange, open, mcp, backup, growth, insights, responsiveness, rewriteLock)
//   npm run bench -- --only responsiveness --sizes 100000   that part at these sizes only (open, responsiveness, rewriteLock; cli: its write)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineFacts } from './machineFacts.ts';
import { cliBench } from './cliBench.ts';
import { commitBench } from './commitBench.ts';
import { perChangeBench } from './perChangeBench.ts';
import { openBench } from './openBench.ts';
import { mcpBench } from './mcpBench.ts';
import { responsivenessBench } from './responsivenessBench.ts';
import { rewriteLockBench } from './rewriteLockBench.ts';
import { backupBench } from './backupBench.ts';
import { journalGrowthBench } from './journalGrowthBench.ts';
import { insightsBench } from './insightsBench.ts';
import { printSection, summaryTable, type SectionResult } from './report.ts';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const onlyArg = process.argv.slice(2).find((a) => a.startsWith('--only'));
const only = onlyArg === undefined ? undefined : onlyArg.includes('=') ? onlyArg.slice('--only='.length) : process.argv[process.argv.indexOf(onlyArg) + 1];
const wanted = (part: string) => only === undefined || only === part;
const sizesArg = process.argv.slice(2).find((a) => a.startsWith('--sizes'));
const sizesText = sizesArg === undefined ? undefined : sizesArg.includes('=') ? sizesArg.slice('--sizes='.length) : process.argv[process.argv.indexOf(sizesArg) + 1];
/** --sizes: chart counts for the parts measured at several sizes, in place of the run's own. */
const sizes = sizesText?.split(',').map(Number);
if (sizes?.some((n) => !Number.isSafeInteger(n) || n <= 0)) throw new Error(`--sizes wants chart counts, e.g. --sizes 10000,100000 (got ${JSON.stringify(sizesText)})`);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// Beside the repo (git-ignored), on the disk the repo lives on; one folder per run, so that two
// runs at once (a second terminal, a colleague's script) do not delete each other's files.
const workDir = path.join(repoRoot, 'test-output', `bench-${process.pid}`);

const config = quick
  ? {
      cli: { runs: 5, listCharts: 1_000, graphCharts: 10_000, writeCharts: [1_000] },
      commit: { charts: 1_000, commits: 120, rounds: 4 },
      perChange: { sizes: [100, 1_000], referenceCalls: () => 6, ourCommits: 60 },
      open: { sizes: [1_000, 10_000], searchSize: 10_000, searchRepeats: 5, rounds: 3 },
      mcp: { sizes: [100], calls: () => 3 },
      growth: { additions: 500 },
      backup: { charts: 5_000, backups: 12 },
      insights: { charts: 5_000, days: 365 },
      responsiveness: { sizes: [10_000], commits: 10 },
      rewriteLock: { sizes: [10_000], rounds: 3 },
    }
  : {
      // Issue 15: tension --help within 1.5x node -e 0; chart list at 1,000 charts under 0.3 s.
      cli: { runs: 7, listCharts: 1_000, graphCharts: 10_000, writeCharts: [10_000, 100_000] },
      commit: { charts: 1_000, commits: 300, rounds: 6 },
      perChange: { sizes: [100, 1_000, 10_000], referenceCalls: (charts: number) => (charts >= 10_000 ? 8 : 20), ourCommits: 150 },
      open: { sizes: [1_000, 10_000, 100_000], searchSize: 100_000, searchRepeats: 20, rounds: 3 },
      // At 10k charts a peer's call takes seconds (coaia-narrative's add_action_step rewrites the 20 MB file several times).
      mcp: { sizes: [100, 1_000, 10_000], calls: (charts: number) => (charts >= 10_000 ? 3 : 7) },
      growth: { additions: 5_000 },
      // About 250 MB of context file (and as much journal): the "twelve backups of an unchanged 250 MB context".
      backup: { charts: 125_000, backups: 12 },
      // The figure: the insights view at 100k charts and a year of history opens in under a second.
      insights: { charts: 100_000, days: 365 },
      responsiveness: { sizes: [10_000, 100_000], commits: 20 },
      rewriteLock: { sizes: [10_000, 100_000], rounds: 3 },
    };

async function main(): Promise<void> {
  const started = performance.now();
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });
  const profileDir = args.has('--profile') ? path.join(repoRoot, 'test-output', 'bench-profiles') : undefined;
  if (profileDir) fs.mkdirSync(profileDir, { recursive: true });

  console.log(`Tension Desk storage benchmark${quick ? ' (--quick: small sizes)' : ''}, ${new Date().toISOString()}`);
  for (const fact of machineFacts(workDir)) console.log(`  ${fact}`);

  const sections: SectionResult[] = [];
  const run = async (section: Promise<SectionResult | SectionResult[]>) => {
    for (const result of [await section].flat()) {
      printSection(result);
      sections.push(result);
    }
  };
  try {
    if (wanted('cli')) await run(cliBench({ workDir, repoRoot, ...config.cli, ...(sizes ? { writeCharts: sizes } : {}) }));
    if (wanted('commit')) await run(commitBench({ workDir, ...config.commit }));
    if (wanted('perChange')) await run(perChangeBench({ workDir, ...config.perChange }));
    // With --sizes, search is measured at the largest size opened (its figures come from that open).
    if (wanted('open')) await run(openBench({ workDir, repoRoot, profileDir, ...config.open, ...(sizes ? { sizes, searchSize: Math.max(...sizes) } : {}) }));
    if (wanted('mcp')) await run(mcpBench({ workDir, ...config.mcp }));
    if (wanted('backup')) await run(backupBench({ workDir, ...config.backup }));
    if (wanted('growth')) await run(journalGrowthBench({ workDir, ...config.growth }));
    if (wanted('insights')) await run(insightsBench({ workDir, ...config.insights }));
    if (wanted('responsiveness')) await run(responsivenessBench({ workDir, repoRoot, ...config.responsiveness, ...(sizes ? { sizes } : {}) }));
    if (wanted('rewriteLock')) await run(rewriteLockBench({ workDir, ...config.rewriteLock, ...(sizes ? { sizes } : {}) }));
  } finally {
    if (!args.has('--keep')) fs.rmSync(workDir, { recursive: true, force: true });
  }

  const checks = sections.flatMap((s) => s.checks);
  console.log('\n== Summary (targets from DESIGN.md "Speed" and the bench brief)\n');
  console.log(summaryTable(checks));
  const missed = checks.filter((c) => c.pass === false).length;
  const passed = checks.filter((c) => c.pass === true).length;
  console.log(`\n${passed} PASS, ${missed} MISS, ${checks.length - passed - missed} informational; total time ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (profileDir) console.log(`CPU profiles of the open/search children: ${profileDir}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
