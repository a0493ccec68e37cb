// `npm run torture`: every long variant, with TENSION_TORTURE=long. That flag gates more than
// test/torture: the long failure-point walks (test/faults), every crash point of a chart
// operation (test/charts), the long fuzzers (test/faults/fuzzLineReader, test/ipc/hostileInput),
// the races (test/races, test/mcp) and the power cuts (test/powercut). This runs the folders
// named below whole, and any other test file that reads the flag; it ends with what ran, file
// by file, and what was skipped.
//
//   npm run torture                   everything above
//   npm run torture -- --list         only list the files
//   npm run torture -- <filter>…      only the files whose path contains a filter (vitest's own filtering)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Folders whose every test file runs (those present). */
const FOLDERS = ['test/torture', 'test/faults', 'test/charts', 'test/powercut', 'test/races', 'test/mcp'];
const READS_THE_FLAG = /TENSION_TORTURE|\bLONG\b/;

function testFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : testFiles(full);
    return /\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

const relative = (file: string) => path.relative(repo, file).split(path.sep).join('/');
const all = testFiles(path.join(repo, 'test')).map(relative).sort();
const files = all.filter((file) => FOLDERS.some((folder) => file.startsWith(`${folder}/`)) || READS_THE_FLAG.test(fs.readFileSync(path.join(repo, file), 'utf8')));

const args = process.argv.slice(2);
if (args.includes('--list')) {
  console.log(`npm run torture runs these ${files.length} test files with TENSION_TORTURE=long:\n  ${files.join('\n  ')}`);
  process.exit(0);
}
const filters = args.filter((a) => !a.startsWith('-'));
const chosen = filters.length === 0 ? files : files.filter((file) => filters.some((f) => file.includes(f)));
if (chosen.length === 0) {
  console.error(`torture: no long-variant test file matches ${filters.join(', ')}; the files are:\n  ${files.join('\n  ')}`);
  process.exit(2);
}

const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tension-torture-')), 'report.json');
const started = Date.now();
const run = spawnSync(process.execPath, [path.join(repo, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...chosen, '--reporter=default', '--reporter=json', `--outputFile=${report}`], {
  cwd: repo,
  env: { ...process.env, TENSION_TORTURE: 'long' },
  stdio: 'inherit',
});

interface JsonReport {
  testResults: { name: string; status: string; assertionResults: { status: string; fullName: string }[] }[];
}
let parsed: JsonReport | undefined;
try {
  parsed = JSON.parse(fs.readFileSync(report, 'utf8')) as JsonReport;
} catch {
  // vitest died before writing its report: say so below
}
fs.rmSync(path.dirname(report), { recursive: true, force: true });

const minutes = ((Date.now() - started) / 60_000).toFixed(1);
console.log(`\n── torture (TENSION_TORTURE=long), ${minutes} min ──`);
if (!parsed) {
  console.log(`vitest wrote no report (exit ${run.status ?? run.signal}); the files were:\n  ${chosen.join('\n  ')}`);
  process.exit(run.status ?? 1);
}
const totals = { passed: 0, failed: 0, skipped: 0 };
const skippedNames: string[] = [];
const ran = new Set<string>();
for (const result of [...parsed.testResults].sort((a, b) => a.name.localeCompare(b.name))) {
  const file = relative(result.name);
  ran.add(file);
  const count = (status: string) => result.assertionResults.filter((a) => a.status === status).length;
  const passed = count('passed');
  const failed = count('failed');
  const skipped = result.assertionResults.length - passed - failed;
  totals.passed += passed;
  totals.failed += failed;
  totals.skipped += skipped;
  for (const a of result.assertionResults) if (a.status !== 'passed' && a.status !== 'failed') skippedNames.push(`${file}: ${a.fullName}`);
  console.log(`${failed > 0 || result.status === 'failed' ? '✗' : '✓'} ${file}: ${passed} passed${failed ? `, ${failed} failed` : ''}${skipped ? `, ${skipped} skipped` : ''}`);
}
for (const file of chosen.filter((f) => !ran.has(f))) console.log(`✗ ${file}: did not run`);
if (skippedNames.length > 0) console.log(`skipped (each says why in its name or in a warning above):\n  ${skippedNames.join('\n  ')}`);
console.log(`ran ${ran.size} of ${chosen.length} files with long variants: ${totals.passed} tests passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(run.status ?? 1);
