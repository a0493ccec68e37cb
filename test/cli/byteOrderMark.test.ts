// A context file saved by an editor that opens it with a byte order mark (Windows Notepad):
// the mark is not part of the first line's JSON. It was read as damage, so the first record
// was missing, and the next write of any other record moved it out of the file for good.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cliOk } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);


it('a file opening with a byte order mark (and CRLF line ends) keeps its first record through a write', () => {
  const data = path.join(tempDir(), '.coaia');
  fs.mkdirSync(data, { recursive: true });
  const file = path.join(data, 'charts.jsonl');
  const lines = ['{"type":"entity","name":"a","entityType":"x","observations":["a1"]}', '{"type":"entity","name":"b","entityType":"x","observations":["b1"]}'];
  fs.writeFileSync(file, `\ufeff${lines.join('\r\n')}\r\n`);
  const names = () => (JSON.parse(cliOk(['graph', '--json'], data)) as { entities: { name: string; observations: string[] }[] }).entities;
  expect(names()).toEqual([
    { name: 'a', entityType: 'x', observations: ['a1'] },
    { name: 'b', entityType: 'x', observations: ['b1'] },
  ]);

  cliOk(['entity', 'set', '--name', 'b', '--type', 'x', '--obs', 'b2'], data);

  expect(names().map((e) => [e.name, e.observations])).toEqual([
    ['a', ['a1']],
    ['b', ['b1', 'b2']],
  ]);
  // Written back without the mark (the peers' JSON.parse fails on it too); nothing set aside as damaged.
  expect(fs.readFileSync(file, 'utf8').startsWith(lines[0] as string)).toBe(true);
  expect(fs.existsSync(path.join(data, '.recovery'))).toBe(false);
  cliOk(['verify'], data);
});
