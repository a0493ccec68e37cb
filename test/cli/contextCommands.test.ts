// Through the real CLI: `context rename|merge|delete|restore|adopt`, `export --format` and
// `import preview`, each with --json, and every refusal with its exit code and nothing changed.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { folderSnapshot } from '../helpers/folderSnapshot.ts';

afterEach(removeTempDirs);

const clean = { TENSION_DATA: undefined, MEMORY_FILE_PATH: undefined, COAIAN_MF: undefined };

function setUp() {
  const data = path.join(tempDir(), '.coaia');
  const cli = (...args: string[]) => runCli([...args, '--data', data], { env: clean });
  const created = cli('chart', 'create', '--context', 'work', '--outcome', 'Ship billing', '--reality', '3 pilots', '--step', 'Automate invoices', '--step', 'Migrate');
  expect(created.status, created.stderr).toBe(0);
  const id = created.stdout.trim();
  expect(cli('telescope', `${id}_action_1`, '--context', 'work', '--reality', 'Invoices by hand').status).toBe(0);
  expect(cli('chart', 'create', '--context', 'personal', '--outcome', 'Run a marathon', '--reality', '5 km').status).toBe(0);
  return { data, cli, id };
}

const contextsOf = (cli: ReturnType<typeof setUp>['cli']) => cli('contexts', '--json').json<{ contexts: { context: string }[] }>().contexts.map((c) => c.context);

describe('tension context', () => {
  it('rename moves the context to charts-<new>.jsonl, says what it did in one JSON document, and the chart history reaches back', () => {
    const { data, cli, id } = setUp();
    const run = cli('context', 'rename', 'work', 'job', '--json');
    expect(run.status, run.stderr).toBe(0);
    expect(run.json()).toMatchObject({ ok: true, from: 'work', to: 'job', move: { records: expect.any(Number), duplicate: false }, leftBehind: 0 });
    expect(fs.existsSync(path.join(data, 'charts-job.jsonl'))).toBe(true);
    expect(fs.existsSync(path.join(data, 'charts-work.jsonl'))).toBe(false);
    expect(contextsOf(cli)).toEqual(['job', 'personal']);
    const history = cli('chart', 'history', id, '--context', 'job', '--json');
    expect(history.status, history.stderr).toBe(0);
    const { entries } = history.json<{ entries: { context?: string; note?: string }[] }>();
    expect(entries.some((e) => e.context === 'work')).toBe(true);
    expect(entries.some((e) => e.note?.includes('moved from context work to context job'))).toBe(true);
  });

  it('refuses bad names (2), a missing context (3), an existing target (2) and a missing --into (2), changing nothing', () => {
    const { data, cli } = setUp();
    const before = folderSnapshot(data);
    for (const [args, code, message] of [
      [['context', 'rename', 'work', '../x'], 2, /Invalid context name/],
      [['context', 'rename', 'nosuch', 'x'], 3, /no context nosuch/],
      [['context', 'rename', 'work', 'personal'], 2, /already a context personal/],
      [['context', 'rename', 'work'], 2, /usage: tension context rename OLD NEW/],
      [['context', 'merge', 'work'], 2, /needs --into/],
      [['context', 'merge', 'work', '--into', 'personal', '--on-collision', 'overwrite'], 2, /--on-collision must be new-id or skip/],
      [['context', 'delete', 'default'], 2, /cannot be deleted/],
      [['context', 'restore', 'work'], 3, /was not deleted/],
      [['export', '--format', 'pdf', '--context', 'work'], 2, /--format must be jsonl or markdown/],
    ] as const) {
      const run = cli(...args);
      expect(run.status, `${args.join(' ')}: ${run.stderr}`).toBe(code);
      expect(run.stderr).toMatch(message);
    }
    expect(folderSnapshot(data)).toEqual(before);
  });

  it('merge --dry-run previews; a collision is refused (10) until resolved with --on-collision', () => {
    const { data, cli, id } = setUp();
    // The same chart id in personal, different content.
    const chartLine = fs.readFileSync(path.join(data, 'charts-work.jsonl'), 'utf8').split('\n').find((line) => line.includes(`"${id}_desired_outcome"`) && line.includes('"entity"')) as string;
    fs.appendFileSync(path.join(data, 'charts-personal.jsonl'), `${chartLine.replace('Ship billing', 'Ship something else')}\n`);
    const preview = cli('context', 'merge', 'work', '--into', 'personal', '--dry-run', '--json');
    expect(preview.status, preview.stderr).toBe(0);
    expect(preview.json()).toMatchObject({ unresolved: [id], charts: [{ id, status: 'collision' }] });
    const refused = cli('context', 'merge', 'work', '--into', 'personal');
    expect(refused.status).toBe(10);
    expect(refused.stderr).toMatch(/choose a new id or skip/);
    expect(contextsOf(cli)).toEqual(['personal', 'work']);
    const merged = cli('context', 'merge', 'work', '--into', 'personal', '--on-collision', 'new-id', '--json');
    expect(merged.status, merged.stderr).toBe(0);
    const newId = (merged.json() as { move: { renamed: Record<string, string> } }).move.renamed[id] as string;
    expect(newId).toMatch(/^chart_\d+$/); // a shape the COAIA servers' tools take
    expect(newId).not.toBe(id);
    expect(contextsOf(cli)).toEqual(['personal']);
    expect(cli('chart', 'show', newId, '--context', 'personal').status).toBe(0);
  });

  it('delete takes a backup and restore brings every record back', () => {
    const { data, cli } = setUp();
    const before = fs.readFileSync(path.join(data, 'charts-work.jsonl'), 'utf8');
    const deleted = cli('context', 'delete', 'work', '--json');
    expect(deleted.status, deleted.stderr).toBe(0);
    const { backup } = deleted.json<{ backup: string }>();
    expect(fs.existsSync(path.join(data, '.backup', backup, 'manifest.json'))).toBe(true);
    expect(contextsOf(cli)).toEqual(['personal']);
    expect(cli('context', 'restore', 'work').status).toBe(0);
    expect(contextsOf(cli)).toEqual(['personal', 'work']);
    expect(fs.readFileSync(path.join(data, 'charts-work.jsonl'), 'utf8')).toBe(before);
  });

  it('restore keeps a record made again since the deletion (newer, acknowledged) and says so; the rest comes back', () => {
    const { cli } = setUp();
    expect(cli('entity', 'set', '--context', 'work', '--name', 'note1', '--type', 'note', '--obs', 'before the delete').status).toBe(0);
    expect(cli('entity', 'set', '--context', 'work', '--name', 'note2', '--type', 'note', '--obs', 'before the delete').status).toBe(0);
    expect(cli('context', 'delete', 'work').status).toBe(0);
    expect(cli('entity', 'set', '--context', 'work', '--name', 'note1', '--type', 'note', '--obs', 'made again after the delete').status).toBe(0);
    const restored = cli('context', 'restore', 'work', '--json');
    expect(restored.status, restored.stderr).toBe(0);
    expect(restored.json()).toMatchObject({ keptNewer: ['note1'] });
    const graph = cli('graph', '--context', 'work', '--json').json<{ entities: { name: string; observations: string[] }[] }>();
    expect(graph.entities.find((e) => e.name === 'note1')?.observations).toEqual(['made again after the delete']);
    expect(graph.entities.find((e) => e.name === 'note2')?.observations).toEqual(['before the delete']);
    expect(graph.entities.filter((e) => e.name.endsWith('_chart'))).toHaveLength(2);
  });
});

describe('tension export and import preview', () => {
  it('exports a chart as Markdown in Fritz\'s layout and as JSONL that import previews as already there', () => {
    const { data, cli, id } = setUp();
    const md = cli('export', '--format', 'markdown', '--context', 'work', '--chart', id);
    expect(md.status, md.stderr).toBe(0);
    expect(md.stdout.indexOf('**Desired outcome:** Ship billing')).toBeLessThan(md.stdout.indexOf('- [ ] Migrate'));
    expect(md.stdout.indexOf('  ### Automate invoices')).toBeGreaterThan(md.stdout.indexOf('- [ ] Automate invoices'));
    expect(md.stdout.lastIndexOf('- 3 pilots')).toBeGreaterThan(md.stdout.indexOf('  ### Automate invoices'));
    const jsonl = cli('export', '--format', 'jsonl', '--context', 'work');
    expect(jsonl.stdout).toBe(fs.readFileSync(path.join(data, 'charts-work.jsonl'), 'utf8'));
    const file = path.join(path.dirname(data), 'export.jsonl');
    fs.writeFileSync(file, `${jsonl.stdout}{"broken\n`);
    const preview = cli('import', 'preview', file, '--context', 'work', '--json');
    // A line it cannot read: import would refuse the file, and the preview's exit code says so.
    expect(preview.status, preview.stderr).toBe(1);
    const said = cli('import', 'preview', file, '--context', 'work');
    expect(said.stdout).toContain('import would refuse this file as it is: nothing would be imported');
    fs.writeFileSync(file, jsonl.stdout);
    expect(cli('import', 'preview', file, '--context', 'work').status).toBe(0);
    fs.writeFileSync(file, `${jsonl.stdout}{"broken\n`);
    const lines = jsonl.stdout.trimEnd().split('\n').length;
    expect(preview.json()).toMatchObject({ newRecords: 0, unchanged: lines, changed: [], collisions: [], unreadable: [{ where: `line ${lines + 1}` }] });
    const intoPersonal = cli('import', 'preview', file, '--context', 'personal', '--json');
    expect(intoPersonal.json()).toMatchObject({ newRecords: lines, unchanged: 0 });
    // The plain export --json is still the graph document.
    expect(cli('export', '--context', 'work', '--json').json()).toMatchObject({ entities: expect.any(Array), relations: expect.any(Array) });
  });
});
