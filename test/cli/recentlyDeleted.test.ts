// `tension deleted` and `restore-deleted`, each command a fresh process as a person runs them:
// an entity comes back with its relations; what a move took out of a context is not listed as
// deleted there; a removed step whose name another writer took again is still listed, and
// restoring it over the new one is refused with nothing changed.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cliOk, runCli } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

interface Deleted {
  id: string;
  kind: string;
  name: string;
  context: string;
}

const newData = () => path.join(tempDir(), '.coaia');
const deletedIn = (data: string, ...args: string[]) => (JSON.parse(cliOk(['deleted', '--json', ...args], data)) as { deleted: Deleted[] }).deleted;

it('an entity deleted with its relation comes back with it', () => {
  const data = newData();
  cliOk(['entity', 'set', '--name', 'alice', '--type', 'person', '--obs', 'likes tea'], data);
  cliOk(['entity', 'set', '--name', 'bob', '--type', 'person', '--obs', 'likes coffee'], data);
  cliOk(['relation', 'add', '--from', 'alice', '--to', 'bob', '--type', 'knows'], data);
  cliOk(['relation', 'add', '--from', 'bob', '--to', 'alice', '--type', 'trusts'], data);
  cliOk(['entity', 'delete', '--name', 'alice'], data);

  const [item] = deletedIn(data);
  expect([item?.kind, item?.name]).toEqual(['entity', 'alice']);
  cliOk(['restore-deleted', item?.id as string], data);
  const graph = JSON.parse(cliOk(['graph', '--json'], data)) as { entities: { name: string }[]; relations: { from: string; to: string; relationType: string }[] };
  expect(graph.entities.map((e) => e.name).sort()).toEqual(['alice', 'bob']);
  expect(graph.relations).toEqual([
    { from: 'alice', to: 'bob', relationType: 'knows' },
    { from: 'bob', to: 'alice', relationType: 'trusts' },
  ]);
  expect(deletedIn(data)).toEqual([]);
});

it('a chart moved away, a context merged or renamed: nothing is listed as deleted where they came from', () => {
  const data = newData();
  const chart = cliOk(['chart', 'create', '--outcome', 'Goal', '--reality', 'Now', '--step', 's1'], data);
  cliOk(['entity', 'set', '--name', 'placeholder', '--type', 'note', '--context', 'work'], data);
  cliOk(['chart', 'move', chart, '--to', 'work'], data);
  cliOk(['entity', 'set', '--name', 'loose', '--type', 'note', '--context', 'misc'], data);
  cliOk(['context', 'merge', 'misc', '--into', 'work'], data);
  cliOk(['context', 'rename', 'work', 'office'], data);
  expect(deletedIn(data)).toEqual([]);
  // Real deletions after the moves are listed, once each, where they happened: not in the
  // contexts the things were moved out of, asked for by name (retired ones too).
  cliOk(['entity', 'delete', '--name', 'loose', '--context', 'office'], data);
  for (const part of ['chart', 'desired_outcome', 'current_reality', 'action_1']) cliOk(['entity', 'delete', '--name', `${chart}_${part}`, '--context', 'office'], data);
  const listed = deletedIn(data).map((d) => [d.context, d.kind, d.name]);
  expect(listed).toContainEqual(['office', 'entity', 'loose']);
  expect(listed.filter(([context]) => context !== 'office')).toEqual([]);
  for (const context of ['default', 'misc', 'work']) expect(deletedIn(data, '--context', context), context).toEqual([]);
});

it('a removed step whose name another writer took again is still listed; restoring it over the new one is refused, nothing changed', () => {
  const data = newData();
  const chart = cliOk(['chart', 'create', '--outcome', 'Goal', '--reality', 'Now', '--step', 's1', '--step', 's2'], data);
  cliOk(['step', 'remove', `${chart}_action_2`], data);
  // Our own writers number a new step past every number the chart used (highestStepNumber); a
  // peer numbering its own may take the name again.
  expect(cliOk(['step', 'add', chart, '--title', 's3'], data)).toBe(`${chart}_action_3`);
  cliOk(['entity', 'set', '--name', `${chart}_action_2`, '--type', 'action_step', '--obs', 's2 again, by a peer', '--meta', JSON.stringify({ chartId: chart, createdAt: new Date().toISOString() })], data);
  const listed = deletedIn(data);
  expect(listed.map((d) => [d.kind, d.name])).toEqual([['step', `${chart}_action_2`]]);
  const file = path.join(data, 'charts.jsonl');
  const before = fs.readFileSync(file);
  const refused = runCli(['restore-deleted', listed[0]?.id as string, '--data', data]);
  expect(refused.status).toBe(10);
  expect(refused.stderr).toMatch(/exists again .*Nothing was changed/);
  expect(fs.readFileSync(file).equals(before)).toBe(true);
});
