// A name holding the NUL character, as another program may write it (ours refuse it): keys join
// their fields with NUL, so such a relation was read with its fields shifted, two different ones
// shared one key (one hidden as a duplicate, a delete removed both), and deleting entity "a"
// deleted the relation "a\u0000b -> c", which does not touch "a". Such lines are kept as they are.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runCli, cliOk } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);


it('lines naming a NUL are kept as they are, never merged, shifted or deleted with another record', () => {
  const data = path.join(tempDir(), '.coaia');
  fs.mkdirSync(data, { recursive: true });
  const file = path.join(data, 'charts.jsonl');
  const nulLines = [
    '{"type":"relation","from":"a\\u0000b","to":"c","relationType":"r","metadata":{"v":1}}',
    '{"type":"relation","from":"a","to":"b\\u0000c","relationType":"r","metadata":{"v":2}}',
    '{"type":"entity","name":"x\\u0000y","entityType":"t","observations":[]}',
  ];
  fs.writeFileSync(file, `${['{"type":"entity","name":"a","entityType":"x","observations":[]}', ...nulLines, '{"type":"relation","from":"a","to":"a","relationType":"self"}'].join('\n')}\n`);

  expect(JSON.parse(cliOk(['graph', '--json'], data))).toEqual({ entities: [{ name: 'a', entityType: 'x', observations: [] }], relations: [{ from: 'a', to: 'a', relationType: 'self' }] });
  cliOk(['entity', 'delete', '--name', 'a'], data);

  expect(fs.readFileSync(file, 'utf8')).toBe(`${nulLines.join('\n')}\n`);
  expect(runCli(['verify', '--data', data]).status).toBe(0);
});
