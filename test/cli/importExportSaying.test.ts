// Import and export say what they would replace or leave out. `tension import` of a file holding
// a chart the context holds with other content (an old export, or a copy the reference server
// stripped of its metadata) replaced the chart without asking, though `import preview` said it
// collides: a completed step was reopened, due dates and telescope links were gone. It is refused
// now, changing nothing, unless replacing is asked for. An export of a file with a damaged line
// left the line out without a word. Fresh CLI processes, as a person runs them.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cliOk, runCli } from '../helpers/runCli.ts';
import { folderSnapshot } from '../helpers/folderSnapshot.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

it('an old export of a chart that changed since: refused (exit 10, nothing changed) unless --on-collision replace', () => {
  const data = path.join(tempDir(), '.coaia');
  const chart = cliOk(['chart', 'create', '--outcome', 'Ship billing', '--reality', '3 pilots', '--step', 'Automate invoices', '--due', '2026-12-31'], data);
  const old = path.join(tempDir(), 'old.jsonl');
  fs.writeFileSync(old, `${cliOk(['export', '--chart', chart], data)}\n`);
  cliOk(['step', 'complete', `${chart}_action_1`], data);
  cliOk(['reality', 'add', chart, '--text', 'Pilot 4 signed'], data);

  expect(cliOk(['import', 'preview', old], data)).toContain(`COLLIDES: chart ${chart}`);
  const before = folderSnapshot(data);
  const refused = runCli(['import', old, '--data', data]);
  expect(refused.status).toBe(10);
  expect(refused.stderr).toMatch(new RegExp(`Chart ${chart} is in context default with other content than old.jsonl holds.*--on-collision replace\\. Nothing was imported\\.`));
  expect(folderSnapshot(data)).toEqual(before);
  expect(runCli(['import', old, '--on-collision', 'skip', '--data', data]).status).toBe(2);

  // The same records written with their keys in another order (as another program writes them): no collision.
  const reordered = path.join(tempDir(), 'reordered.jsonl');
  const lines = cliOk(['export', '--chart', chart], data).split('\n');
  fs.writeFileSync(reordered, `${lines.map((line) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(line) as object).reverse()))).join('\n')}\n`);
  expect(cliOk(['import', 'preview', reordered], data)).not.toContain('COLLIDES');
  cliOk(['import', reordered], data);
  // Asked for, it replaces (as before), and an import of what is there already is no collision.
  cliOk(['import', old, '--on-collision', 'replace'], data);
  expect(cliOk(['chart', 'show', chart], data)).toContain('[ ] Automate invoices');
  cliOk(['import', old], data);
}, 30_000);

it('an export of a context whose file has a damaged line says on stderr that the line is not in it', () => {
  const data = path.join(tempDir(), '.coaia');
  fs.mkdirSync(data, { recursive: true });
  const alice = '{"type":"entity","name":"Alice","entityType":"person","observations":["likes tea"]}';
  fs.writeFileSync(path.join(data, 'charts.jsonl'), `${alice}\n{"type":"entity","name":"Bob","observations":["owes us 500 EUR"],\n`);
  const run = runCli(['export', '--data', data]);
  expect(run.status).toBe(0);
  expect(run.stdout).toBe(`${alice}\n`);
  expect(run.stderr).toContain('tension: warning: 1 damaged line of context default cannot be read: a record only it holds is not in this export');
  // A whole file: no warning.
  fs.writeFileSync(path.join(data, 'charts.jsonl'), `${alice}\n`);
  expect(runCli(['export', '--data', data]).stderr).not.toContain('warning');
});
