// The CLI's optimistic edits: `chart show --json` gives each part's version, `--if-version V`
// makes a chart edit apply only if that part is still at V. A stale version exits 10
// (CONFLICT) with one line saying what changed and nothing written; the current one goes
// through and prints the part's new version with --json, ready for the next edit.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import type { ChartTree } from '../../shared/domain.ts';

afterEach(removeTempDirs);

describe('tension chart edits with --if-version', () => {
  it('a stale version is refused with exit 10 and nothing written; the current one applies', () => {
    const data = path.join(tempDir(), '.coaia');
    const base = ['--data', data, '--context', 'work'];
    const id = runCli(['chart', 'create', ...base, '--outcome', 'Ship billing', '--reality', 'Pilot only', '--step', 'Automate invoices']).stdout.trim();
    const show = () => runCli(['chart', 'show', id, ...base, '--json']).json<ChartTree>();
    const seen = show().chart;
    expect(seen.versions?.outcome).toMatch(/^[0-9a-f]{8}$/);
    expect(seen.steps[0]?.version).toMatch(/^[0-9a-f]{8}$/);

    // Someone else changes the outcome after it was read.
    expect(runCli(['outcome', 'set', id, ...base, '--text', 'Ship billing to everyone']).status).toBe(0);
    const journal = path.join(data, '.history', 'charts-work.journal.jsonl');
    const before = fs.readFileSync(journal);
    const stale = runCli(['outcome', 'set', id, ...base, '--text', 'Ship billing this year', '--if-version', seen.versions!.outcome]);
    expect(stale.status).toBe(10);
    expect(stale.stderr.trim().split('\n')).toHaveLength(1);
    expect(stale.stderr).toMatch(/desired outcome of chart .* was changed by someone else since version [0-9a-f]{8} \(it is now version [0-9a-f]{8}\)/);
    expect(fs.readFileSync(journal).equals(before), 'a refused edit wrote to the journal').toBe(true);
    const json = runCli(['outcome', 'set', id, ...base, '--text', 'Ship billing this year', '--if-version', seen.versions!.outcome, '--json']);
    expect(json.status).toBe(10);
    expect(json.json()).toMatchObject({ error: { code: 'CONFLICT' } });
    expect(show().chart.desiredOutcome).toBe('Ship billing to everyone');

    const current = show().chart.versions!.outcome;
    const applied = runCli(['outcome', 'set', id, ...base, '--text', 'Ship billing this year', '--if-version', current, '--json']);
    expect(applied.status).toBe(0);
    const next = applied.json<{ version: string }>().version;
    expect(next).toBe(show().chart.versions!.outcome);

    // A step: removed only if nobody touched it since it was read.
    const step = show().chart.steps[0]!;
    expect(runCli(['step', 'edit', step.name, ...base, '--title', 'Automate every invoice']).status).toBe(0);
    expect(runCli(['step', 'remove', step.name, ...base, '--if-version', step.version!]).status).toBe(10);
    expect(show().chart.steps.map((s) => s.title)).toEqual(['Automate every invoice']);
    expect(runCli(['step', 'remove', step.name, ...base, '--if-version', show().chart.steps[0]!.version!]).status).toBe(0);
    expect(show().chart.steps).toEqual([]);
  });

  it('a version that is not one is bad input (exit 2), not a conflict', () => {
    const data = path.join(tempDir(), '.coaia');
    const base = ['--data', data, '--context', 'work'];
    const id = runCli(['chart', 'create', ...base, '--outcome', 'Ship billing', '--reality', 'Pilot only']).stdout.trim();
    const bad = runCli(['due', 'set', id, '2027-01-01', ...base, '--if-version', 'latest']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--if-version takes a version/);
  });
});
