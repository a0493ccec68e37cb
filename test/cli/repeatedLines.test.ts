// A record another program wrote twice (a second line for the same entity or relation) is read
// as its first line, and the repeat is kept as an opaque line. Deleting the record must delete
// the repeat too: left in the file, it was read as the record by the next open, so a deleted
// entity, step or relation came back, with the repeat's text. Each command here is the real CLI
// in a fresh process, and what it left is read by another fresh process, as after a restart.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteEntity } from '../../electron/core/knowledgeGraph.ts';
import { cliOk } from '../helpers/runCli.ts';
import { peerDataFolder } from '../helpers/contextFiles.ts';
import { openEngine, removeTempDirs, tempDir, tempLayout } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

interface Graph {
  entities: { name: string; observations: string[] }[];
  relations: { from: string; to: string; relationType: string }[];
}


const graphOf = (data: string) => JSON.parse(cliOk(['graph', '--json'], data)) as Graph;
const fileLines = (data: string) => fs.readFileSync(path.join(data, 'charts.jsonl'), 'utf8').split('\n').filter((line) => line !== '');
/** What another program appends: a second line for a record that has one. */
const appendLines = (data: string, lines: string[]) => fs.appendFileSync(path.join(data, 'charts.jsonl'), lines.map((line) => `${line}\n`).join(''));

describe('a record written twice by another program', () => {
  it('is gone after `entity delete`, with its relations and their repeats; other opaque lines stay', () => {
    const lines = [
      '{"type":"entity","name":"A","entityType":"note","observations":["first"]}',
      '{"type":"entity","name":"A","entityType":"note","observations":["repeat"]}',
      '{"type":"entity","name":"B","entityType":"note","observations":["b"]}',
      '{"type":"relation","from":"A","to":"B","relationType":"knows"}',
      '{"type":"relation","from":"A","to":"B","relationType":"knows","metadata":{"note":"again"}}',
      '# a comment another tool keeps',
    ];
    const { data } = peerDataFolder(lines);
    expect(graphOf(data).entities.find((e) => e.name === 'A')?.observations).toEqual(['first']);

    cliOk(['entity', 'delete', '--name', 'A'], data);

    expect(graphOf(data)).toEqual({ entities: [{ name: 'B', entityType: 'note', observations: ['b'] }], relations: [] });
    expect(fileLines(data)).toEqual([lines[2], lines[5]]);
    // A new A is the new one alone, after another restart too.
    cliOk(['entity', 'set', '--name', 'A', '--type', 'note', '--obs', 'newest'], data);
    expect(graphOf(data).entities.find((e) => e.name === 'A')?.observations).toEqual(['newest']);
    expect(graphOf(data).entities.find((e) => e.name === 'A')?.observations).toEqual(['newest']);
    // The deleted lines are in the history (the journal).
    expect(cliOk(['history', '--name', 'A'], data)).toContain('"observations":["first"]');
  });

  it('is gone after `step remove`, as a step of a chart', () => {
    const data = path.join(tempDir(), '.coaia');
    const chart = cliOk(['chart', 'create', '--outcome', 'Ship it', '--reality', 'not yet', '--step', 'write it', '--step', 'test it'], data);
    const step = `${chart}_action_2`;
    const stepLine = fileLines(data).find((line) => line.includes(`"name":"${step}"`)) as string;
    appendLines(data, [stepLine.replace('test it', 'test it (written again)')]);
    expect(cliOk(['chart', 'show', chart], data)).toContain('test it');

    cliOk(['step', 'remove', step], data);

    expect(cliOk(['chart', 'show', chart], data)).not.toContain('test it');
    expect(graphOf(data).entities.map((e) => e.name)).not.toContain(step);
    expect(fileLines(data).filter((line) => line.includes(step))).toEqual([]);
  });

  it('is gone after a chart restored from a backup that lacks it (a verbatim change)', () => {
    const data = path.join(tempDir(), '.coaia');
    const chart = cliOk(['chart', 'create', '--outcome', 'Ship it', '--reality', 'not yet', '--step', 'write it'], data);
    const backup = (JSON.parse(cliOk(['backup', 'create', '--json'], data)) as { id: string }).id;
    const step = cliOk(['step', 'add', chart, '--title', 'added after the backup'], data);
    const stepLine = fileLines(data).find((line) => line.includes(`"name":"${step}"`)) as string;
    appendLines(data, [stepLine.replace('added after the backup', 'added after the backup (written again)')]);

    cliOk(['backup', 'restore', backup, '--chart', chart], data);

    expect(cliOk(['chart', 'show', chart], data)).not.toContain('added after the backup');
    expect(fileLines(data).filter((line) => line.includes(step))).toEqual([]);
  });

  it('written while the app is open, after its first delete, goes with the record the app deletes next', async () => {
    const layout = tempLayout();
    const data = layout.root;
    for (const name of ['A', 'B', 'C']) cliOk(['entity', 'set', '--name', name, '--type', 'note', '--obs', `${name} as made`], data);
    // The app's engine, open throughout: its first delete builds what it knows of repeated lines.
    const app = await openEngine(layout, { origin: 'app' });
    try {
      await app.transact('default', (state) => deleteEntity(state, 'C'));
      const aLine = fileLines(data).find((line) => line.includes('"name":"A"')) as string;
      appendLines(data, [aLine.replace('A as made', 'A written again')]);
      await app.transact('default', (state) => deleteEntity(state, 'A'));
    } finally {
      await app.close();
    }
    expect(graphOf(data).entities.map((e) => e.name)).toEqual(['B']);
    expect(fileLines(data).filter((line) => line.includes('"name":"A"'))).toEqual([]);
  });

  describe('goes where its record goes when contexts are merged or renamed', () => {
    const chartLines = (outcome: string, steps: number) => [
      `{"type":"entity","name":"chart_w_chart","entityType":"structural_tension_chart","observations":[],"metadata":{"chartId":"chart_w","level":0}}`,
      `{"type":"entity","name":"chart_w_desired_outcome","entityType":"desired_outcome","observations":["${outcome}"],"metadata":{"chartId":"chart_w"}}`,
      `{"type":"entity","name":"chart_w_current_reality","entityType":"current_reality","observations":["now"],"metadata":{"chartId":"chart_w"}}`,
      ...Array.from({ length: steps }, (_, i) => `{"type":"entity","name":"chart_w_action_${i + 1}","entityType":"action_step","observations":["step ${i + 1}"],"metadata":{"chartId":"chart_w","completionStatus":false}}`),
    ];
    const staleStep2 = '{"type":"entity","name":"chart_w_action_2","entityType":"action_step","observations":["old title of step two"],"metadata":{"chartId":"chart_w","completionStatus":true}}';
    const setUp = () => {
      const data = path.join(tempDir(), '.coaia');
      fs.mkdirSync(data, { recursive: true });
      fs.writeFileSync(path.join(data, 'charts-work.jsonl'), `${[...chartLines('Ship it', 2), staleStep2].join('\n')}\n`);
      fs.writeFileSync(path.join(data, 'charts-home.jsonl'), `${chartLines('Home goal', 1).join('\n')}\n`);
      return data;
    };
    const stepsIn = (data: string, context: string, chart: string) => cliOk(['chart', 'show', chart, '--context', context], data);

    it('a chart skipped on collision keeps its repeat with it; nothing of it becomes a step of the chart already there', () => {
      const data = setUp();
      cliOk(['context', 'merge', 'work', '--into', 'home', '--on-collision', 'skip'], data);
      expect(stepsIn(data, 'home', 'chart_w')).not.toContain('step two');
      expect(fs.readFileSync(path.join(data, 'charts-home.jsonl'), 'utf8')).not.toContain('chart_w_action_2');
      expect(fs.readFileSync(path.join(data, 'charts-work.jsonl'), 'utf8')).toContain(staleStep2);
      expect(stepsIn(data, 'work', 'chart_w')).toContain('step 2');
    });

    it('a chart given a new id leaves its repeat behind, and it goes with the record it repeated', () => {
      const data = setUp();
      cliOk(['context', 'merge', 'work', '--into', 'home', '--on-collision', 'new-id'], data);
      expect(stepsIn(data, 'home', 'chart_w')).not.toContain('step two');
      expect(stepsIn(data, 'home', 'chart_w_2')).toContain('step 2');
      expect(fs.readFileSync(path.join(data, 'charts-home.jsonl'), 'utf8')).not.toContain('old title of step two');
      const work = path.join(data, 'charts-work.jsonl');
      expect(fs.existsSync(work) ? fs.readFileSync(work, 'utf8') : '').not.toContain('old title of step two');
    });

    it('a renamed context keeps the repeat after its record, as the file had it', () => {
      const data = setUp();
      const before = fs.readFileSync(path.join(data, 'charts-work.jsonl'), 'utf8');
      cliOk(['context', 'rename', 'work', 'office'], data);
      expect(fs.readFileSync(path.join(data, 'charts-office.jsonl'), 'utf8')).toBe(before);
    });
  });
});
