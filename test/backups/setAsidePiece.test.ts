// A prune killed between setting a piece aside (`.gc-<sha256>`) and putting it back (a backup
// made meanwhile names it again) leaves the piece under its set-aside name. That backup must
// still verify and restore (the piece is read there, held to its hash), and the next prune puts
// it back under its name. Fresh CLI processes, as a person runs them.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cliOk, runCli } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

it("a backup whose piece a killed prune left set aside verifies and restores, and the next prune puts the piece back", () => {
  const data = path.join(tempDir(), '.coaia');
  cliOk(['entity', 'set', '--context', 'work', '--name', 'kept', '--type', 'x', '--obs', 'in the backup'], data);
  const id = (JSON.parse(cliOk(['backup', 'create', '--json'], data)) as { id: string }).id;
  const manifest = JSON.parse(fs.readFileSync(path.join(data, '.backup', id, 'manifest.json'), 'utf8')) as { files: { chunks?: { sha256: string }[] }[] };
  const sha = manifest.files.flatMap((f) => f.chunks ?? [])[0]?.sha256 as string;
  const piece = path.join(data, '.backup', 'objects', sha.slice(0, 2), sha);
  const aside = path.join(path.dirname(piece), `.gc-${sha}`);
  fs.renameSync(piece, aside);

  expect(runCli(['backup', 'verify', id, '--data', data]).status).toBe(0);
  cliOk(['entity', 'delete', '--context', 'work', '--name', 'kept'], data);
  cliOk(['backup', 'restore', id, '--context', 'work'], data);
  expect(cliOk(['graph', '--json', '--context', 'work'], data)).toContain('in the backup');

  cliOk(['backup', 'prune', '--days', '365', '--keep', '10'], data);
  expect(fs.existsSync(piece)).toBe(true);
  expect(fs.existsSync(aside)).toBe(false);
});
