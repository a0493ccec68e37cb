// Issue 8, items 8 and 13, through the real CLI: import reads regular files only, up to a
// stated size, and says the real reason for anything else; nothing is imported, nothing changes
// around the data folder, and a named pipe never makes it hang.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { exitOf, runCli, spawnCli } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { folderSnapshot } from '../helpers/folderSnapshot.ts';

afterEach(removeTempDirs);

const clean = { TENSION_DATA: undefined, MEMORY_FILE_PATH: undefined, COAIAN_MF: undefined };

/** A data folder with one record in it, and the folder around it. */
function dataWithOneRecord() {
  const around = tempDir();
  const data = path.join(around, '.coaia');
  expect(runCli(['entity', 'set', '--data', data, '--name', 'Kept', '--type', 't'], { env: clean }).status).toBe(0);
  return { around, data };
}

describe('import takes regular files only and says the real reason', () => {
  it('/dev/zero, a 1 GB file, a missing file, a folder and {"entities": 5} are each refused for what they are; nothing is imported', () => {
    const { around, data } = dataWithOneRecord();
    const big = path.join(around, 'big.jsonl');
    fs.closeSync(fs.openSync(big, 'w'));
    fs.truncateSync(big, 1024 ** 3); // sparse: 1 GB that takes no room
    const document = path.join(around, 'graph.json');
    fs.writeFileSync(document, '{"entities": 5}');
    const nul = path.join(around, 'nul.jsonl');
    fs.writeFileSync(nul, '{"type":"entity","name":\u0000}\n');
    const before = folderSnapshot(around);
    const cases: [string, number, string][] = [
      ['/dev/zero', 2, 'tension: /dev/zero is a character device, not a regular file: import reads regular files only'],
      [big, 2, `tension: ${big} is 1024 MB; import takes files up to 256 MB`],
      [path.join(around, 'missing.jsonl'), 3, `tension: There is no file ${path.join(around, 'missing.jsonl')}. Nothing was imported.`],
      [around, 2, `tension: ${around} is a folder, not a regular file`],
      [document, 2, 'tension: graph.json: "entities" must be a list of entity objects, but it is the number 5. Nothing was imported.'],
      [nul, 2, 'tension: nul.jsonl line 1: not valid JSON'],
    ];
    for (const [file, status, said] of cases) {
      if (file === '/dev/zero' && !fs.existsSync(file)) continue;
      const run = runCli(['import', file, '--data', data], { env: clean });
      expect(run.status, `${file}: ${run.stderr}`).toBe(status);
      expect(run.stderr.startsWith(said), `${file}: ${run.stderr}`).toBe(true);
      expect(run.stderr.split('\n')).toHaveLength(2);
      expect(run.stderr).not.toContain('\u0000');
    }
    expect(runCli(['graph', '--data', data, '--json'], { env: clean }).json<{ entities: { name: string }[] }>().entities.map((e) => e.name)).toEqual(['Kept']);
    expect(folderSnapshot(around)).toEqual(before);
  });

  it('a named pipe with no writer is refused at once, never waited on (it hung, deaf to SIGTERM and SIGINT)', async () => {
    const { around, data } = dataWithOneRecord();
    const fifo = path.join(around, 'pipe.jsonl');
    if (spawnSync('mkfifo', [fifo]).status !== 0) return; // no named pipes here (not POSIX)
    const before = folderSnapshot(around);
    const child = spawnCli(['import', fifo, '--data', data], { env: clean });
    let ended = await exitOf(child, 30_000);
    if (!ended) {
      // It hangs: stop it as a person would, then for certain, and fail below.
      child.kill('SIGTERM');
      ended = await exitOf(child, 5_000);
      if (!ended) child.kill('SIGKILL');
    }
    expect(ended, 'the import of a FIFO did not end by itself within 30 s').toMatchObject({ code: 2 });
    expect(ended?.stderr).toBe(`tension: ${fifo} is a named pipe (FIFO), not a regular file: import reads regular files only (save the data to a file first). Nothing was imported.\n`);
    expect(folderSnapshot(around)).toEqual(before);
  });
});
