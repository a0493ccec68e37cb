// What a `context delete --op ID` sent again says, with fresh CLI processes. Restored since, it
// answered "deleted (already done)", exit 0, and deleted nothing: the context was listed, with
// its charts. It is now refused (CONFLICT, nothing changed), saying the context was restored
// since: a retry does not reverse the restore, a later decision. And the answer is read only
// from a deletion: an import sent with the deletion's id ("delete-context:a:X") under a file
// named "… (backup evil taken first)" was taken for one ("deleted, backup evil"; nothing was).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { cliOk, runCli } from '../helpers/runCli.ts';

afterEach(removeTempDirs);

/** A data folder with one chart in context a and one in b. */
function twoContexts(): string {
  const data = path.join(tempDir(), '.coaia');
  cliOk(['chart', 'create', '--context', 'a', '--outcome', 'A1', '--reality', 'R'], data);
  cliOk(['chart', 'create', '--context', 'b', '--outcome', 'B1', '--reality', 'R'], data);
  return data;
}

const listed = (data: string) => cliOk(['contexts'], data).split('\n').map((line) => line.split(/\s+/)[0]);
/** A conflict's exit code (CONFLICT, nothing changed). */
const CONFLICT_EXIT = 10;

it('a deletion retried after the context was restored is refused, saying so, and the context stays', () => {
  const data = twoContexts();
  cliOk(['context', 'delete', 'a', '--op', 'D1'], data);
  cliOk(['context', 'restore', 'a'], data);
  const before = cliOk(['chart', 'list', '--context', 'a'], data);
  const retry = runCli(['context', 'delete', 'a', '--op', 'D1', '--data', data]);
  expect(retry.status, retry.stdout + retry.stderr).toBe(CONFLICT_EXIT);
  expect(retry.stderr).toMatch(/Context a was deleted under operation id D1, then restored .*Nothing was changed/);
  expect(listed(data)).toContain('a');
  expect(cliOk(['chart', 'list', '--context', 'a'], data)).toBe(before);
  // A new deletion is a new request: done.
  expect(cliOk(['context', 'delete', 'a', '--op', 'D2'], data)).toMatch(/^deleted context a \(\d+ records\); backup/);
  expect(listed(data)).not.toContain('a');
  // Still deleted by D2: its retry is answered as done.
  expect(cliOk(['context', 'delete', 'a', '--op', 'D2'], data)).toMatch(/already done/);
});

it('an operation id another change used is not answered as a deletion, whatever its note says', () => {
  const data = twoContexts();
  const file = path.join(tempDir(), 'x (backup evil taken first).jsonl');
  fs.writeFileSync(file, `${JSON.stringify({ type: 'entity', name: 'Alice', entityType: 'person', observations: ['o'] })}\n`);
  cliOk(['import', file, '--context', 'a', '--op', 'delete-context:a:X'], data);
  const retry = runCli(['context', 'delete', 'a', '--op', 'X', '--data', data]);
  expect(retry.status, retry.stdout + retry.stderr).toBe(CONFLICT_EXIT);
  expect(retry.stderr).toMatch(/Operation id X was used by another change of context a, not a deletion/);
  expect(listed(data)).toContain('a');
  // Nor is that import a deletion for a restore to undo.
  const restore = runCli(['context', 'restore', 'a', '--data', data]);
  expect(restore.status, restore.stdout + restore.stderr).toBe(3);
  expect(restore.stderr).toMatch(/was not deleted/);
});
