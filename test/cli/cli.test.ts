import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

describe('the tension command', () => {
  it('keeps a small knowledge graph: set, relate, graph, search, history, export, verify', () => {
    const data = path.join(tempDir(), '.coaia');
    const base = ['--data', data, '--context', 'work'];
    expect(runCli(['entity', 'set', ...base, '--name', 'chart_q4_chart', '--type', 'structural_tension_chart', '--obs', 'Q4 objectives', '--meta', '{"chartId":"chart_q4"}']).status).toBe(0);
    expect(runCli(['entity', 'set', ...base, '--name', 'chart_q4_chart', '--type', 'structural_tension_chart', '--obs', 'Billing first']).status).toBe(0);
    expect(runCli(['relation', 'add', ...base, '--from', 'chart_q4_chart', '--to', 'chart_q4_chart', '--type', 'contains']).status).toBe(0);

    const graph = runCli(['graph', ...base, '--json']);
    expect(graph.status).toBe(0);
    expect(graph.json()).toEqual({
      entities: [{ name: 'chart_q4_chart', entityType: 'structural_tension_chart', observations: ['Q4 objectives', 'Billing first'], metadata: { chartId: 'chart_q4' } }],
      relations: [{ from: 'chart_q4_chart', to: 'chart_q4_chart', relationType: 'contains' }],
    });
    const search = runCli(['search', 'bill', ...base, '--json']);
    expect(search.json<{ entities: { name: string }[] }>().entities.map((e) => e.name)).toEqual(['chart_q4_chart']);
    const history = runCli(['history', ...base, '--name', 'chart_q4_chart', '--json']);
    expect(history.json<{ versions: { origin: string; action: string }[] }>().versions.map((v) => [v.origin, v.action])).toEqual([
      ['cli', 'set'],
      ['cli', 'set'],
    ]);
    const exported = runCli(['export', ...base]);
    expect(exported.stdout.trim().split('\n')).toHaveLength(2);
    const verify = runCli(['verify', '--data', data, '--json']);
    expect(verify.status).toBe(0);
    expect(verify.json()).toMatchObject({ ok: true });
    const contexts = runCli(['contexts', '--data', data, '--json']);
    expect(contexts.json()).toMatchObject({ contexts: [{ context: 'work', records: 2, health: 'ok' }] });
  });

  it('history of a record over 64 KB says what each version changed (it printed "undefined")', () => {
    const data = path.join(tempDir(), '.coaia');
    expect(runCli(['entity', 'set', '--data', data, '--name', 'big', '--type', 'note', '--obs', 'y'.repeat(70_000)]).status).toBe(0);
    expect(runCli(['entity', 'set', '--data', data, '--name', 'big', '--type', 'note', '--obs', 'second']).status).toBe(0);
    const lines = runCli(['history', '--data', data, '--name', 'big']).stdout.trim().split('\n');
    expect(lines.map((line) => line.replace(/^\S+\s+#\d+\s+cli\s+/, ''))).toEqual(['(the record, over 64 KB, is not shown)', 'changed: {"observationsAdded":["second"]}']);
  });

  it('fails with one clear line on stderr, a typed JSON error with --json, and a non-zero code', () => {
    const data = path.join(tempDir(), '.coaia');
    const bad = runCli(['entity', 'set', '--data', data, '--name', 'x']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual(['tension: --type is required.']);
    const traversal = runCli(['graph', '--data', data, '--context', '../etc', '--json']);
    expect(traversal.status).toBe(2);
    expect(traversal.json()).toMatchObject({ error: { code: 'BAD_INPUT' } });
    expect(runCli(['entity', 'delete', '--data', data, '--name', 'nobody']).status).toBe(3);
    expect(runCli(['frobnicate', '--data', data]).status).toBe(2);
    expect(runCli(['graph', '--data', data, '--bogus']).status).toBe(2);
    expect(runCli(['entity', 'set', '--data', data, '--name', 'x', '--type', 't', '--meta', '[1]']).stderr).toMatch(/--meta must be a JSON object/);
  });

  it('imports a file as one transaction and refuses a file with a bad line, changing nothing', () => {
    const dir = tempDir();
    const data = path.join(dir, '.coaia');
    const good = path.join(dir, 'good.jsonl');
    fs.writeFileSync(good, '{"type":"entity","name":"A","entityType":"t","observations":[]}\n{"type":"relation","from":"A","to":"A","relationType":"r"}\n');
    const bad = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(bad, '{"type":"entity","name":"B","entityType":"t","observations":[]}\n{oops\n');
    expect(runCli(['import', good, '--data', data, '--json']).json()).toMatchObject({ ok: true, records: 2 });
    const refused = runCli(['import', bad, '--data', data]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/line 2/);
    expect(runCli(['graph', '--data', data, '--json']).json<{ entities: unknown[] }>().entities).toHaveLength(1);
  });

  it('backs up, lists, verifies and restores', () => {
    const data = path.join(tempDir(), '.coaia');
    runCli(['entity', 'set', '--data', data, '--name', 'A', '--type', 't']);
    const created = runCli(['backup', 'create', '--data', data, '--json']).json<{ id: string }>();
    runCli(['entity', 'set', '--data', data, '--name', 'B', '--type', 't']);
    expect(runCli(['backup', 'list', '--data', data, '--json']).json<{ backups: { id: string }[] }>().backups.map((b) => b.id)).toEqual([created.id]);
    expect(runCli(['backup', 'verify', '--data', data, '--json']).json()).toMatchObject({ ok: true });
    const restored = runCli(['backup', 'restore', created.id, '--data', data, '--json']);
    expect(restored.status).toBe(0);
    expect(runCli(['graph', '--data', data, '--json']).json<{ entities: { name: string }[] }>().entities.map((e) => e.name)).toEqual(['A']);
  });

  it('finds the nearest .coaia folder from the working folder, and accepts the peers --memory-path', () => {
    const project = tempDir();
    fs.mkdirSync(path.join(project, '.coaia'));
    const sub = path.join(project, 'src');
    fs.mkdirSync(sub);
    const env = { TENSION_DATA: undefined, MEMORY_FILE_PATH: undefined, COAIAN_MF: undefined };
    expect(runCli(['entity', 'set', '--name', 'A', '--type', 't'], { cwd: sub, env }).status).toBe(0);
    expect(fs.existsSync(path.join(project, '.coaia', 'charts.jsonl'))).toBe(true);
    const memory = path.join(project, 'memory.jsonl');
    expect(runCli(['entity', 'set', '--memory-path', memory, '--context', 'personal', '--name', 'P', '--type', 't'], { env }).status).toBe(0);
    expect(fs.existsSync(path.join(project, 'memory-personal.jsonl'))).toBe(true);
  });

  it('reading a data folder, memory file or named context that is not there: the empty answer, exit 0, and a line on stderr saying so (a mistyped path must not pass for "no charts")', () => {
    const root = tempDir();
    const data = path.join(root, '.coaia');
    const cases: [string[], string][] = [
      [['chart', 'list', '--data', path.join(root, 'typo')], `tension: there is no data folder ${path.join(root, 'typo')} (nothing in it yet, or a mistyped path)\n`],
      [['graph', '--memory-path', path.join(root, 'memroy.jsonl')], `tension: there is no file ${path.join(root, 'memroy.jsonl')} (nothing in it yet, or a mistyped path)\n`],
    ];
    for (const [args, said] of cases) {
      const run = runCli(args);
      expect(run.status, args.join(' ')).toBe(0);
      expect(run.stderr, args.join(' ')).toBe(said);
      expect(fs.existsSync(args[args.length - 1] as string), 'a reading command made it').toBe(false);
    }
    expect(runCli(['chart', 'create', '--outcome', 'O', '--reality', 'R', '--context', 'work', '--data', data]).status).toBe(0);
    const typo = runCli(['chart', 'list', '--context', 'wrok', '--data', data]);
    expect(typo.status).toBe(0);
    expect(typo.stdout).toBe('no charts\n');
    expect(typo.stderr).toBe(`tension: there is no context "wrok" in ${data} (a mistyped name? 'tension contexts' lists them)\n`);
    const named = runCli(['chart', 'list', '--context', 'work', '--data', data]);
    expect(named.stderr).toBe('');
    expect(named.stdout).toContain(' O');
    // The default context, never written, is simply empty: nothing to say.
    expect(runCli(['chart', 'list', '--data', data]).stderr).toBe('');
  });
});

describe('the chart commands', () => {
  it('create, telescope, complete and take back an outcome, and show the chart', () => {
    const data = path.join(tempDir(), '.coaia');
    const base = ['--data', data, '--context', 'work'];
    const id = runCli(['chart', 'create', ...base, '--outcome', 'Ship billing', '--reality', '3 pilot customers', '--due', '2026-12-31', '--step', 'Automate invoices']).stdout.trim();
    expect(id).toMatch(/^chart_\d+$/);
    const sub = runCli(['telescope', `${id}_action_1`, ...base, '--reality', 'Manual today']).stdout.trim();
    expect(runCli(['outcome', 'complete', sub, ...base]).status).toBe(0);
    const shown = runCli(['chart', 'show', id, ...base, '--json']).json<{ chart: { currentReality: string[]; complete: boolean }; children: unknown[] }>();
    expect(shown.chart).toMatchObject({ currentReality: ['3 pilot customers', 'Completed: Automate invoices'], complete: true });
    expect(shown.children).toHaveLength(1);
    expect(runCli(['outcome', 'reopen', sub, ...base]).status).toBe(0);
    expect(runCli(['chart', 'show', id, ...base, '--json']).json<{ chart: { complete: boolean } }>().chart.complete).toBe(false);
    expect(runCli(['due', 'set', id, '2026-02-30', ...base]).status).toBe(2);
    expect(runCli(['chart', 'list', ...base, '--json']).json<{ charts: { id: string }[] }>().charts.map((c) => c.id).sort()).toEqual([id, sub].sort());
  });
});
