// An entity deleted, then made anew under its name by another program: the new one is another
// thing, and must not take the deleted one's metadata. The peer's version is explained as well
// by the version before the deletion (an edit of the old entity) as by the one after (a new
// one); taken for an edit, the old metadata was kept as "dropped by the peer" and came back on
// the new entity. An edit keeps its metadata as before. The real reference server writes; the
// real CLI reads and writes in fresh processes.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cliOk } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { MemoryServer } from './memoryServerClient.ts';

afterEach(removeTempDirs);

interface Entity {
  name: string;
  entityType: string;
  observations: string[];
  metadata?: Record<string, unknown>;
}

const entities = (data: string) => (JSON.parse(cliOk(['graph', '--json'], data)) as { entities: Entity[] }).entities;

it('a name deleted here and made anew by the reference server: the new entity has none of the old metadata; an edit keeps it', async () => {
  const data = path.join(tempDir(), '.coaia');
  cliOk(['entity', 'set', '--name', 'alice', '--type', 'person', '--obs', 'old alice', '--meta', '{"secret":"old-value"}'], data);
  cliOk(['entity', 'set', '--name', 'bea', '--type', 'person', '--obs', 'old bea', '--meta', '{"secret":"bea-value"}'], data);
  cliOk(['entity', 'set', '--name', 'bob', '--type', 'person', '--obs', 'b', '--meta', '{"keep":"bob-value"}'], data);
  cliOk(['entity', 'delete', '--name', 'alice'], data);
  cliOk(['entity', 'delete', '--name', 'bea'], data);

  const file = path.join(data, 'charts.jsonl');
  const reference = await MemoryServer.start(file);
  try {
    // Another type; the same type with observations of its own; and an edit of bob.
    await reference.createEntities([
      { name: 'alice', entityType: 'robot', observations: ['brand new'] },
      { name: 'bea', entityType: 'person', observations: ['a new bea'] },
    ]);
    await reference.addObservations([{ entityName: 'bob', contents: ['b2'] }]);
  } finally {
    await reference.close();
  }
  expect(fs.readFileSync(file, 'utf8')).not.toContain('metadata');

  cliOk(['entity', 'set', '--name', 'carol', '--type', 'person'], data);
  const byName = new Map(entities(data).map((e) => [e.name, e]));
  expect(byName.get('alice')).toEqual({ name: 'alice', entityType: 'robot', observations: ['brand new'] });
  expect(byName.get('bea')).toEqual({ name: 'bea', entityType: 'person', observations: ['a new bea'] });
  expect(byName.get('bob')).toEqual({ name: 'bob', entityType: 'person', observations: ['b', 'b2'], metadata: { keep: 'bob-value' } });
  expect(fs.readFileSync(file, 'utf8')).not.toMatch(/old-value|bea-value/);
}, 60_000);

it("a record reworded by the reference server (the new observation added, the old one deleted) keeps its metadata: it is not made anew", async () => {
  const data = path.join(tempDir(), '.coaia');
  const chart = cliOk(['chart', 'create', '--outcome', 'Ship v1', '--reality', 'Nothing yet', '--due', '2026-12-31', '--step', 'Write code'], data);
  const file = path.join(data, 'charts.jsonl');
  const outcome = `${chart}_desired_outcome`;
  const metadataOf = () => entities(data).find((e) => e.name === outcome)?.metadata;
  const before = metadataOf();
  expect(before).toMatchObject({ chartId: chart, dueDate: expect.any(String) });

  const reference = await MemoryServer.start(file);
  try {
    await reference.addObservations([{ entityName: outcome, contents: ['Ship v1.0 to customers'] }]);
    await reference.deleteObservations([{ entityName: outcome, observations: ['Ship v1'] }]);
  } finally {
    await reference.close();
  }
  cliOk(['entity', 'set', '--name', 'carol', '--type', 'person'], data);
  expect(entities(data).find((e) => e.name === outcome)).toMatchObject({ observations: ['Ship v1.0 to customers'], metadata: before });
  expect(cliOk(['chart', 'list'], data)).toContain('Ship v1.0 to customers');
}, 60_000);
