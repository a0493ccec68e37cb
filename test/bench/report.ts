// What each part of the benchmark hands back: its detailed table (printed as it finishes) and
// the lines of the final summary, each with its target and PASS/MISS.
import { table } from './stats.ts';

export interface Check {
  readonly what: string;
  readonly measured: string;
  readonly against: string;
  readonly target: string;
  /** undefined: informational, no target. */
  readonly pass: boolean | undefined;
}

export interface SectionResult {
  readonly title: string;
  readonly detail: string;
  readonly notes: readonly string[];
  readonly checks: readonly Check[];
}

export function verdict(pass: boolean | undefined): string {
  return pass === undefined ? 'info' : pass ? 'PASS' : 'MISS';
}

export function printSection(section: SectionResult): void {
  console.log(`\n== ${section.title}\n`);
  console.log(section.detail);
  for (const note of section.notes) console.log(`  - ${note}`);
}

export function summaryTable(checks: readonly Check[]): string {
  return table(
    ['check', 'measured', 'against', 'target', 'result'],
    checks.map((c) => [c.what, c.measured, c.against, c.target, verdict(c.pass)]),
  );
}
