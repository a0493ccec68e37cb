// Lines that are neither an entity nor a relation (`#` comments, the `_aim` marker, legacy
// top-level narrative_beat lines) must be kept (PEERS.md). The reference server reads only
// entities and relations and writes back only those: its version lacks every such line without
// deleting any, as it lacks metadata. They were journaled as its deletions and gone for good
// after our next write. A writer that keeps such lines and lacks one did delete it (an editor).
// coaia-narrative turns a legacy beat line into an entity of its name: that line went as meant.
// The real reference and COAIA servers write; the real CLI reads and writes in fresh processes.
// (One case waits out the real race window, about 11 s.)
import fs from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { cliOk } from '../helpers/runCli.ts';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { MemoryServer } from './memoryServerClient.ts';
import { peerDataFolder } from '../helpers/contextFiles.ts';
import { raceWindowMs } from '../../electron/core/fileVersions.ts';

afterEach(removeTempDirs);

const AIM = '{"type":"_aim","source":"mcp-knowledge-graph"}';
const COMMENT = '# COAIA Charts for work context';
const BEAT = '{"type":"narrative_beat","name":"beat_1","observations":["Once upon a time"],"metadata":{"act":1}}';
const entity = (name: string, observations: string[]) => JSON.stringify({ type: 'entity', name, entityType: 'person', observations });


const linesOf = (file: string) => fs.readFileSync(file, 'utf8').trimEnd().split('\n');

// (The reference server cannot read a `#` comment at all: PEERS.md failure 2.)
it('a write by the reference server keeps the _aim marker and the narrative beat, each in its place', async () => {
  const { data, file } = peerDataFolder([AIM, entity('alice', ['a']), BEAT, entity('bob', ['b'])]);
  cliOk(['entity', 'set', '--name', 'carol', '--type', 'person'], data);

  const reference = await MemoryServer.start(file);
  await reference.addObservations([{ entityName: 'alice', contents: ['a2'] }]).finally(() => reference.close());
  expect(linesOf(file).some((line) => line === AIM || line === BEAT)).toBe(false);

  cliOk(['entity', 'set', '--name', 'dave', '--type', 'person'], data);
  expect(linesOf(file)).toEqual([AIM, entity('alice', ['a', 'a2']), BEAT, entity('bob', ['b']), entity('carol', []), entity('dave', [])]);
  expect(cliOk(['deleted'], data)).toMatch(/nothing deleted/);
  // And a second write of the server's, on top of ours, changes nothing of it either.
  const again = await MemoryServer.start(file);
  await again.addObservations([{ entityName: 'bob', contents: ['b2'] }]).finally(() => again.close());
  cliOk(['entity', 'set', '--name', 'erin', '--type', 'person'], data);
  expect(linesOf(file)).toEqual([AIM, entity('alice', ['a', 'a2']), BEAT, entity('bob', ['b', 'b2']), entity('carol', []), entity('dave', []), entity('erin', [])]);
}, 60_000);

it('a writer that keeps such lines and lacks one deleted it: the deletion stands', () => {
  const { data, file } = peerDataFolder([AIM, COMMENT, entity('alice', ['a']), BEAT]);
  cliOk(['entity', 'set', '--name', 'carol', '--type', 'person'], data);
  // An editor removes the beat and keeps the marker and the comment.
  fs.writeFileSync(file, `${linesOf(file).filter((line) => line !== BEAT).join('\n')}\n`);
  cliOk(['entity', 'set', '--name', 'dave', '--type', 'person'], data);
  expect(linesOf(file)).toEqual([AIM, COMMENT, entity('alice', ['a']), entity('carol', []), entity('dave', [])]);
});

it('coaia-narrative turns a legacy beat line into an entity of its name: the line goes as it meant, once, and stays gone', async () => {
  const { data, file } = peerDataFolder([entity('alice', ['a']), BEAT]);
  cliOk(['entity', 'set', '--name', 'carol', '--type', 'person'], data);
  for (const [observation, ours] of [['a2', 'dave'], ['a3', 'erin']] as const) {
    const coaia = await MemoryServer.start(file, 'coaia-narrative');
    await coaia.addObservations([{ entityName: 'alice', contents: [observation] }]).finally(() => coaia.close());
    cliOk(['entity', 'set', '--name', ours, '--type', 'person'], data);
  }
  const lines = linesOf(file);
  expect(lines).not.toContain(BEAT);
  expect(lines.filter((line) => line.includes('"name":"beat_1"'))).toHaveLength(1);
  expect(JSON.parse(lines.find((line) => line.includes('"name":"beat_1"')) as string)).toMatchObject({ type: 'entity', name: 'beat_1', observations: ['Once upon a time'] });
}, 60_000);

it('a repeated line of a record (another program wrote it twice) that a writer of only records lacks was deleted', () => {
  const knows = '{"type":"relation","from":"alice","to":"bob","relationType":"knows"}';
  const { data, file } = peerDataFolder([entity('alice', ['a']), entity('alice', ['a, written again']), entity('bob', ['b']), knows, knows]);
  cliOk(['entity', 'set', '--name', 'carol', '--type', 'person'], data);
  fs.writeFileSync(file, `${[entity('alice', ['a']), entity('bob', ['b']), knows, entity('carol', [])].join('\n')}\n`);
  cliOk(['entity', 'set', '--name', 'dave', '--type', 'person'], data);
  expect(linesOf(file)).toEqual([entity('alice', ['a']), entity('bob', ['b']), knows, entity('carol', []), entity('dave', [])]);
});

it('a file cut short by a writer of only records: what it lacks stays, each line where it was', () => {
  const { data, file } = peerDataFolder([entity('alice', ['a']), entity('bob', ['b']), entity('carol', ['c']), BEAT, entity('dave', ['d'])]);
  cliOk(['entity', 'set', '--name', 'erin', '--type', 'person'], data);
  const whole = linesOf(file);
  fs.writeFileSync(file, `${whole.slice(0, 2).join('\n')}\n`);
  cliOk(['entity', 'set', '--name', 'fred', '--type', 'person'], data);
  expect(linesOf(file)).toEqual([...whole, entity('fred', [])]);
});

it('a writer of only records deleting one record of a file of mostly such lines: the deletion stands (the lines were dropped, not lost)', async () => {
  const beats = [1, 2, 3].map((n) => BEAT.replace('beat_1', `beat_${n}`));
  const { data, file } = peerDataFolder([AIM, ...beats, entity('a', ['a']), entity('b', ['b']), entity('c', ['c'])]);
  // Adopted by a change in place: what the server keeps is then the file's first records (as a cut read's would be).
  cliOk(['entity', 'set', '--name', 'a', '--type', 'person', '--obs', 'a2'], data);
  await new Promise((resolve) => setTimeout(resolve, raceWindowMs(0) + 500));
  const reference = await MemoryServer.start(file);
  await reference.deleteEntities(['c']).finally(() => reference.close());
  cliOk(['entity', 'set', '--name', 'e', '--type', 'person'], data);
  expect(linesOf(file)).toEqual([AIM, ...beats, entity('a', ['a', 'a2']), entity('b', ['b']), entity('e', [])]);
}, 60_000);
