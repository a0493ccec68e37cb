// Issue 8, items 2, 3, 4, 9 and 13 (repeated flags), through the real CLI: data folders that
// are empty, a file, /proc/self, inside our own files, or named twice are refused at once, with
// nothing written anywhere; a write to a folder the person did not name says where it went.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/runCli.ts';
import { openEngine, removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { folderSnapshot } from '../helpers/folderSnapshot.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { setEntity } from '../../electron/core/knowledgeGraph.ts';
import { createBackup } from '../../electron/core/backups.ts';

afterEach(removeTempDirs);

/** No data folder from the test runner's own environment. */
const clean = { TENSION_DATA: undefined, MEMORY_FILE_PATH: undefined, COAIAN_MF: undefined };

describe('an empty data path is an error, never ~/.coaia (item 4)', () => {
  it('--data "", --memory-path "" and TENSION_DATA="" are refused; nothing is written in the home folder or anywhere else', () => {
    const home = tempDir('tension-home-');
    const cwd = tempDir();
    const env = { ...clean, HOME: home };
    const before = folderSnapshot(cwd);
    for (const [args, extra, said] of [
      [['--data', ''], {}, '--data is empty (an unset shell variable?)'],
      [['--memory-path', ''], {}, '--memory-path is empty'],
      [[], { TENSION_DATA: '' }, 'TENSION_DATA is empty'],
    ] as const) {
      const run = runCli(['entity', 'set', ...args, '--name', 'A', '--type', 't'], { cwd, env: { ...env, ...extra } });
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toContain(said);
    }
    expect(fs.readdirSync(home)).toEqual([]);
    expect(folderSnapshot(cwd)).toEqual(before);
  });

  it('a write to a folder found on its own says where it wrote, on stderr only (stdout stays one JSON document)', () => {
    const project = tempDir();
    fs.mkdirSync(path.join(project, '.coaia'));
    const sub = path.join(project, 'src');
    fs.mkdirSync(sub);
    const write = runCli(['entity', 'set', '--name', 'A', '--type', 't', '--json'], { cwd: sub, env: clean });
    expect(write.status, write.stderr).toBe(0);
    expect(write.json()).toMatchObject({ ok: true });
    expect(write.stderr).toBe(`tension: data folder ${path.join(project, '.coaia')} (the nearest .coaia folder above the working folder; --data DIR chooses another)\n`);
    // Reading says nothing extra, and naming the folder says nothing extra.
    expect(runCli(['graph', '--json'], { cwd: sub, env: clean }).stderr).toBe('');
    expect(runCli(['entity', 'set', '--data', path.join(project, '.coaia'), '--name', 'B', '--type', 't'], { env: clean }).stderr).toBe('');
  });
});

describe('a data folder that is not one is refused at once (items 3 and 9)', () => {
  it('--data /proc/self fails at once (it spun forever), --data naming a file says so, and nothing changes', () => {
    const around = tempDir();
    const file = path.join(around, 'notes.txt');
    fs.writeFileSync(file, 'my notes\n');
    const before = folderSnapshot(around);
    if (process.platform === 'linux') {
      const started = Date.now();
      const proc = runCli(['entity', 'set', '--data', '/proc/self', '--name', 'A', '--type', 't'], { env: clean });
      expect(proc.status, proc.stderr).toBe(2);
      expect(proc.stderr).toMatch(/^tension: --data: no folder can be made in \/proc\/self .*choose another folder\. Nothing was changed\.\n$/);
      expect(Date.now() - started).toBeLessThan(30_000);
    }
    for (const command of [['entity', 'set', '--name', 'A', '--type', 't'], ['graph']]) {
      const run = runCli([...command, '--data', file], { env: clean });
      expect(run.status).toBe(2);
      expect(run.stderr).toBe(`tension: --data: ${file} is a file, not a folder. Nothing was changed.\n`);
    }
    expect(folderSnapshot(around)).toEqual(before);
  });

  it('--memory-path M/_intents.jsonl (the intent log as a journal) and a folder inside .history/ are refused; nothing is written', () => {
    const around = tempDir();
    const data = path.join(around, '.coaia');
    expect(runCli(['entity', 'set', '--data', data, '--name', 'A', '--type', 't'], { env: clean }).status).toBe(0);
    const before = folderSnapshot(around);
    const intents = runCli(['entity', 'set', '--memory-path', path.join(around, '_intents.jsonl'), '--name', 'B', '--type', 't'], { env: clean });
    expect(intents.status).toBe(2);
    expect(intents.stderr).toMatch(/_intents\.journal\.jsonl, which is the log of changes across contexts.*keeps for itself\. Name the memory file differently/);
    const inside = runCli(['entity', 'set', '--memory-path', path.join(data, '.history', 'charts.journal.jsonl'), '--name', 'C', '--type', 't'], { env: clean });
    expect(inside.status).toBe(2);
    expect(inside.stderr).toMatch(/lies inside .*\.history, where Tension Desk keeps its own files/);
    expect(folderSnapshot(around)).toEqual(before);
  });

  it('a flag given twice (--data A --data B) is refused, and neither folder is made', () => {
    const around = tempDir();
    const run = runCli(['entity', 'set', '--data', path.join(around, 'A'), '--data', path.join(around, 'B'), '--name', 'X', '--type', 't'], { env: clean });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--data was given more than once \(".*A", then ".*B"\): give it once/);
    expect(fs.readdirSync(around)).toEqual([]);
  });

  it('--data and --memory-path together are refused (one was ignored without a word), and nothing is made', () => {
    const around = tempDir();
    const run = runCli(['entity', 'set', '--data', path.join(around, 'A'), '--memory-path', path.join(around, 'm.jsonl'), '--name', 'X', '--type', 't'], { env: clean, cwd: around });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--data and --memory-path name two places for the data: give one of them/);
    expect(fs.readdirSync(around)).toEqual([]);
  });
});

describe('a crafted backup manifest is refused by the CLI too (item 2)', () => {
  it('backup verify exits 1 and backup restore exits 9 (damaged), copying nothing from outside', async () => {
    const outer = tempDir();
    const secret = path.join(outer, 'secret', 'private.jsonl');
    fs.mkdirSync(path.dirname(secret));
    fs.writeFileSync(secret, '{"type":"entity","name":"stolen","entityType":"t","observations":[]}\n');
    const layout = resolveLayout({ data: path.join(outer, 'project', '.coaia') });
    const engine = await openEngine(layout);
    await engine.transact('work', (state) => setEntity(state, { name: 'mine', entityType: 't' }));
    const backup = await createBackup(engine, 'test');
    await engine.close();
    const manifest = path.join(layout.root, '.backup', backup.id, 'manifest.json');
    const document = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { files: Record<string, unknown>[] };
    const bytes = fs.readFileSync(secret);
    Object.assign(document.files.find((f) => f.role === 'context')!, { path: '../../../../secret/private.jsonl', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    fs.writeFileSync(manifest, JSON.stringify(document));
    const around = folderSnapshot(outer, { except: [layout.root] });
    const inside = folderSnapshot(layout.root);

    const verify = runCli(['backup', 'verify', '--data', layout.root], { env: clean });
    expect(verify.status).toBe(1);
    expect(verify.stdout).toMatch(/not a plain file inside the backup/);
    const restore = runCli(['backup', 'restore', backup.id, '--data', layout.root, '--context', 'work'], { env: clean });
    expect(restore.status).toBe(9);
    expect(restore.stderr).toMatch(/cannot be restored: manifest entry \d names "\.\.\/\.\.\/\.\.\/\.\.\/secret\/private\.jsonl"/);
    expect(folderSnapshot(layout.root)).toEqual(inside);
    expect(folderSnapshot(outer, { except: [layout.root] })).toEqual(around);
  });
});
