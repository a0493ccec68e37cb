// Symbolic links inside a data folder (issue 8, item 1): a folder that came with a cloned
// repository decides what the CLI opens, so no link under the data root is ever followed. Each
// case runs the real CLI from inside the repository and checks the folder around the data
// folder byte for byte: nothing outside it is created, changed or removed.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { runCli } from '../helpers/runCli.ts';
import { folderSnapshot } from '../helpers/folderSnapshot.ts';

afterEach(removeTempDirs);

/** A repository with a .coaia folder, and a victim file beside it (outside the data folder). */
function repositoryWithData() {
  const outside = tempDir('tension-links-');
  const repo = path.join(outside, 'repo');
  const data = path.join(repo, '.coaia');
  fs.mkdirSync(data, { recursive: true });
  const victim = path.join(outside, 'victim.txt');
  fs.writeFileSync(victim, 'private notes\n');
  // A first write makes the folder as Tension Desk leaves it.
  const first = runCli(['entity', 'set', '--name', 'A', '--type', 'concept', '--obs', 'a'], { cwd: repo });
  expect(first.status, first.stderr).toBe(0);
  return { outside, repo, data, victim, journal: path.join(data, '.history', 'charts.journal.jsonl') };
}

/** What is outside the data folder (the data folder itself left out). */
const outsideOf = (outside: string, data: string) => folderSnapshot(outside, { except: [data] });

describe('links inside a data folder are never followed', () => {
  it('a journal that is a link to a file outside: the write is refused, saying which path, and the file outside is untouched', () => {
    const { outside, repo, data, victim, journal } = repositoryWithData();
    fs.rmSync(journal);
    fs.symlinkSync(victim, journal);
    const before = outsideOf(outside, data);
    const run = runCli(['entity', 'set', '--name', 'B', '--type', 'concept'], { cwd: repo });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/symbolic link/);
    expect(run.stderr).toContain('charts.journal.jsonl');
    expect(outsideOf(outside, data)).toEqual(before);
    expect(fs.readFileSync(victim, 'utf8')).toBe('private notes\n');
  });

  it('a dangling link as the journal does not create the file it points to', () => {
    const { outside, repo, data, journal } = repositoryWithData();
    fs.rmSync(journal);
    const target = path.join(outside, 'created-by-the-link.txt');
    fs.symlinkSync(target, journal);
    const before = outsideOf(outside, data);
    const run = runCli(['entity', 'set', '--name', 'B', '--type', 'concept'], { cwd: repo });
    expect(run.status).not.toBe(0);
    expect(fs.existsSync(target)).toBe(false);
    expect(outsideOf(outside, data)).toEqual(before);
  });

  for (const folder of ['.history', '.backup', '.recovery'] as const) {
    it(`${folder} as a link to a folder outside: nothing is written (the folder opens read-only and says why), nothing lands outside`, () => {
      const { outside, repo, data } = repositoryWithData();
      const elsewhere = path.join(outside, `elsewhere${folder}`);
      fs.mkdirSync(elsewhere);
      const inside = path.join(data, folder);
      if (fs.existsSync(inside)) fs.cpSync(inside, elsewhere, { recursive: true });
      fs.rmSync(inside, { recursive: true, force: true });
      fs.symlinkSync(elsewhere, inside);
      const before = outsideOf(outside, data);
      for (const args of [
        ['entity', 'set', '--name', 'B', '--type', 'concept'],
        ['backup', 'create'],
        ['recover'],
      ]) {
        const run = runCli(args, { cwd: repo });
        expect(run.status, `${args.join(' ')} should be refused`).not.toBe(0);
        expect(run.stderr).toMatch(new RegExp(`${folder.replace('.', '\\.')} .*symbolic link`));
      }
      expect(outsideOf(outside, data)).toEqual(before);
    });
  }

  it('a context file that is a link is not read through: its records come from the journal, the next write replaces the link with the file, and what it pointed to is untouched', () => {
    const { outside, repo, data, victim } = repositoryWithData();
    const file = path.join(data, 'charts.jsonl');
    fs.rmSync(file);
    fs.symlinkSync(victim, file);
    const before = outsideOf(outside, data);
    const graph = runCli(['graph', '--json'], { cwd: repo });
    expect(graph.status, graph.stderr).toBe(0);
    expect((JSON.parse(graph.stdout) as { entities: { name: string }[] }).entities.map((e) => e.name)).toEqual(['A']);
    const verify = runCli(['verify', '--json'], { cwd: repo });
    expect(verify.stdout).toMatch(/charts\.jsonl is a symbolic link/);
    const write = runCli(['entity', 'set', '--name', 'B', '--type', 'concept'], { cwd: repo });
    expect(write.status, write.stderr).toBe(0);
    expect(fs.lstatSync(file).isSymbolicLink()).toBe(false);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/"name":"A"[\s\S]*"name":"B"/);
    expect(outsideOf(outside, data)).toEqual(before);
    expect(fs.readFileSync(victim, 'utf8')).toBe('private notes\n');
  });
});
