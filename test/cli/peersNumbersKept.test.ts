// Numbers other programs wrote in a record's fields stay as written when we change the record
// (found by review: 1234567890123456789 became 1234567890123456800, 0.1000000000000000055511151231257827
// became 0.1). Fresh CLI processes: a change of the entity, chart changes to a step, and the
// merge that keeps the metadata a peer dropped.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cliOk } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

const EXACT = '"snow":1234567890123456789,"f":0.1000000000000000055511151231257827,"half":1.50';

it('entity set on a record with such numbers keeps them byte for byte', () => {
  const data = path.join(tempDir(), '.coaia');
  fs.mkdirSync(data, { recursive: true });
  fs.writeFileSync(path.join(data, 'charts.jsonl'), `{"type":"entity","name":"A","entityType":"t","observations":["a"],"metadata":{${EXACT}}}\n`);
  cliOk(['entity', 'set', '--name', 'A', '--type', 't', '--obs', 'b', '--meta', '{"mine":2}'], data);
  const line = fs.readFileSync(path.join(data, 'charts.jsonl'), 'utf8');
  expect(line).toContain(`"metadata":{${EXACT},"mine":2}`);
  expect(line).toContain('"observations":["a","b"]');
});

it('completing, retitling and reopening a step keep the numbers a peer put in its metadata', () => {
  const data = path.join(tempDir(), '.coaia');
  const chart = cliOk(['chart', 'create', '--outcome', 'Ship it', '--reality', 'r', '--step', 'First'], data);
  const file = path.join(data, 'charts.jsonl');
  // Another program adds its own numbers to the step (as a peer's rewrite of the file).
  const step = `${chart}_action_1`;
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').split('\n').map((line) => (line.includes(`"name":"${step}"`) ? line.replace('"metadata":{', `"metadata":{${EXACT},`) : line)).join('\n'));
  cliOk(['step', 'complete', step], data);
  cliOk(['step', 'edit', step, '--title', 'First, retitled'], data);
  cliOk(['step', 'reopen', step], data);
  const stepLine = fs.readFileSync(file, 'utf8').split('\n').find((line) => line.includes(`"name":"${step}"`)) ?? '';
  expect(stepLine).toContain(EXACT);
  expect(stepLine).toContain('First, retitled');
});

it('the metadata a peer dropped, kept by the merge, keeps its numbers', () => {
  const data = path.join(tempDir(), '.coaia');
  fs.mkdirSync(data, { recursive: true });
  const file = path.join(data, 'charts.jsonl');
  fs.writeFileSync(file, `{"type":"entity","name":"A","entityType":"t","observations":["a"],"metadata":{${EXACT}}}\n`);
  cliOk(['entity', 'set', '--name', 'B', '--type', 't'], data);
  // A peer that drops metadata (the reference server) adds an observation to A.
  fs.writeFileSync(file, '{"type":"entity","name":"A","entityType":"t","observations":["a","peer"]}\n{"type":"entity","name":"B","entityType":"t","observations":[]}\n');
  cliOk(['entity', 'set', '--name', 'C', '--type', 't'], data);
  const a = fs.readFileSync(file, 'utf8').split('\n').find((line) => line.includes('"name":"A"')) ?? '';
  expect(a).toContain(`"metadata":{${EXACT}}`);
  expect(a).toContain('"observations":["a","peer"]');
});
