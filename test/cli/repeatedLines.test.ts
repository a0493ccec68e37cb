// A record another program wrote twice (a second line for the same entity or relation) is read
// as its first line, and the repeat is kept as an opaque line. Deleting the record must delete
// the repeat too: left in the file, it was read as the record by the next open, so a deleted
// entity, step or relation came back, with the repeat's text. Each command here is the real CLI
// in a fresh process, and what it left is read by another fresh process, as after a restart.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteEntity } from '../../electron/core/knowledgeGraph.ts';
import { runCli } from '../helpers/runCli.ts';
import { openEngine, removeTempDirs, tempDir, tempLayout } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

interface Graph {
  entities: { name: string; observations: string[] }[];
  relations: { from: string; to: string; relationType: string }[];
}

function cli(args: string[], data: string): string {
  const run = runCli([...args, '--data', data]);
  expect(run.status, `tension ${args.join(' ')}: ${run.stderr}`).toBe(0);
  return run.stdout.trim();
}

const graphOf = (data: string) => JSON.parse(cli(['graph', '--json'], data)) as Graph;
const fileLines = (data: string) => fs.readFileSync(path.join(data, 'charts.jsonl'), 'utf8').split('\n').filter((line) => line !== '');
/** What another program appends: a second line for a record that has one. */
const appendLines = (data: string, lines: string[]) => fs.appendFileSync(path.join(data, 'charts.jsonl'), lines.map((line) => `${line}\n`).join(''));

describe('a record written twice by another program', () => {
  it('is gone after `entity delete`, with its relations and their repeats; other opaque lines stay', () => {
    const data = path.join(tempDir(), '.coaia');
    fs.mkdirSync(data, { recursive: true });
    const lines = [
      '{"type":"entity","name":"A","entityType":"note","observations":["first"]}',
      '{"type":"entity","name":"A","entityType":"note","observations":["repeat"]}',
      '{"type":"entity","name":"B","entityType":"note","observations":["b"]}',
      '{"type":"relation","from":"A","to":"B","relationType":"knows"}',
      '{"type":"relation","from":"A","to":"B","relationType":"knows","metadata":{"note":"again"}}',
      '# a comment another tool keeps',
    ];
    fs.writeFileSync(path.join(data, 'charts.jsonl'), `${lines.join('\n')}\n`);
    expect(graphOf(data).entities.find((e) => e.name === 'A')?.observations).toEqual(['first']);

    cli(['entity', 'delete', '--name', 'A'], data);

    expect(graphOf(data)).toEqual({ entities: [{ name: 'B', entityType: 'note', observations: ['b'] }], relations: [] });
    expect(fileLines(data)).toEqual([lines[2], lines[5]]);
    // A new A is the new one alone, after another restart too.
    cli(['entity', 'set', '--name', 'A', '--type', 'note', '--obs', 'newest'], data);
    expect(graphOf(data).entities.find((e) => e.name === 'A')?.observations).toEqual(['newest']);
    expect(graphOf(data).entities.find((e) => e.name === 'A')?.observations).toEqual(['newest']);
    // The deleted lines are in the history (the journal).
    expect(cli(['history', '--name', 'A'], data)).toContain('"observations":["first"]');
  });

  it('is gone after `step remove`, as a step of a chart', () => {
    const data = path.join(tempDir(), '.coaia');
    const chart = cli(['chart', 'create', '--outcome', 'Ship it', '--reality', 'not yet', '--step', 'write it', '--step', 'test it'], data);
    const step = `${chart}_action_2`;
    const stepLine = fileLines(data).find((line) => line.includes(`"name":"${step}"`)) as string;
    appendLines(data, [stepLine.replace('test it', 'test it (written again)')]);
    expect(cli(['chart', 'show', chart], data)).toContain('test it');

    cli(['step', 'remove', step], data);

    expect(cli(['chart', 'show', chart], data)).not.toContain('test it');
    expect(graphOf(data).entities.map((e) => e.name)).not.toContain(step);
    expect(fileLines(data).filter((line) => line.includes(step))).toEqual([]);
  });

  it('is gone after a chart restored from a backup that lacks it (a verbatim change)', () => {
    const data = path.join(tempDir(), '.coaia');
    const chart = cli(['chart', 'create', '--outcome', 'Ship it', '--reality', 'not yet', '--step', 'write it'], data);
    const backup = (JSON.parse(cli(['backup', 'create', '--json'], data)) as { id: string }).id;
    const step = cli(['step', 'add', chart, '--title', 'added after the backup'], data);
    const stepLine = fileLines(data).find((line) => line.includes(`"name":"${step}"`)) as string;
    appendLines(data, [stepLine.replace('added after the backup', 'added after the backup (written again)')]);

    cli(['backup', 'restore', backup, '--chart', chart], data);

    expect(cli(['chart', 'show', chart], data)).not.toContain('added after the backup');
    expect(fileLines(data).filter((line) => line.includes(step))).toEqual([]);
  });

  it('written while the app is open, after its first delete, goes with the record the app deletes next', async () => {
    const layout = tempLayout();
    const data = layout.root;
    for (const name of ['A', 'B', 'C']) cli(['entity', 'set', '--name', name, '--type', 'note', '--obs', `${name} as made`], data);
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
});
