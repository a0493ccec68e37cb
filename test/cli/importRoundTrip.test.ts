// An export imported into another context reads as the original: the first line of a record is
// the record (as a context file reads), and a later line for it, a comment, a marker and a line
// of another type (a legacy narrative_beat, which must keep its type) are kept as they are.
// Import took the last line of a record and dropped the others.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cliOk } from '../helpers/runCli.ts';
import { peerDataFolder } from '../helpers/contextFiles.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);


it('export, then import into another context, reads and holds the same lines', () => {
  const dir = tempDir();
  const lines = [
    '{"type":"entity","name":"a","entityType":"x","observations":["LIVE"]}',
    '{"type":"narrative_beat","name":"beat1","observations":["story"]}',
    '{"type":"entity","name":"a","entityType":"x","observations":["STALE REPEAT"]}',
    '# a comment',
    '{"type":"relation","from":"a","to":"a","relationType":"self"}',
  ];
  const { data } = peerDataFolder(lines, 'charts-work.jsonl');
  const exported = path.join(dir, 'export.jsonl');
  fs.writeFileSync(exported, cliOk(['export', '--context', 'work'], data));

  expect(cliOk(['import', 'preview', exported, '--context', 'home'], data)).toContain('5 new');
  cliOk(['import', exported, '--context', 'home'], data);

  expect(cliOk(['graph', '--json', '--context', 'home'], data)).toBe(cliOk(['graph', '--json', '--context', 'work'], data));
  expect(fs.readFileSync(path.join(data, 'charts-home.jsonl'), 'utf8')).toBe(`${lines.join('\n')}\n`);
});
