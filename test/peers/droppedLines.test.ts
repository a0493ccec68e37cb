// Lines that are neither an entity nor a relation (`#` comments, the `_aim` marker, legacy
// top-level narrative_beat lines) must be kept (PEERS.md). The reference server reads only
// entities and relations and writes back only those: its version lacks every such line without
// deleting any, as it lacks metadata. They were journaled as its deletions and gone for good
// after our next write. A writer that keeps such lines and lacks one did delete it (an editor).
// The real reference server writes; the real CLI reads and writes in fresh processes.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cliOk } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { MemoryServer } from './memoryServerClient.ts';

afterEach(removeTempDirs);

const AIM = '{"type":"_aim","source":"mcp-knowledge-graph"}';
const COMMENT = '# COAIA Charts for work context';
const BEAT = '{"type":"narrative_beat","name":"beat_1","observations":["Once upon a time"],"metadata":{"act":1}}';
const entity = (name: string, observations: string[]) => JSON.stringify({ type: 'entity', name, entityType: 'person', observations });

function peerFolder(lines: string[]): { data: string; file: string } {
  const data = path.join(tempDir(), '.coaia');
  fs.mkdirSync(data, { recursive: true });
  const file = path.join(data, 'charts.jsonl');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return { data, file };
}

const linesOf = (file: string) => fs.readFileSync(file, 'utf8').trimEnd().split('\n');

// (The reference server cannot read a `#` comment at all: PEERS.md failure 2.)
it('a write by the reference server keeps the _aim marker and the narrative beat, each in its place', async () => {
  const { data, file } = peerFolder([AIM, entity('alice', ['a']), BEAT, entity('bob', ['b'])]);
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
  const { data, file } = peerFolder([AIM, COMMENT, entity('alice', ['a']), BEAT]);
  cliOk(['entity', 'set', '--name', 'carol', '--type', 'person'], data);
  // An editor removes the beat and keeps the marker and the comment.
  fs.writeFileSync(file, `${linesOf(file).filter((line) => line !== BEAT).join('\n')}\n`);
  cliOk(['entity', 'set', '--name', 'dave', '--type', 'person'], data);
  expect(linesOf(file)).toEqual([AIM, COMMENT, entity('alice', ['a']), entity('carol', []), entity('dave', [])]);
});
