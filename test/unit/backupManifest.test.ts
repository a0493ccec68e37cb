// Issue 8, item 2: a backup's manifest may only name plain files inside that backup.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { readGraph, setEntity } from '../../electron/core/knowledgeGraph.ts';
import { createBackup, listBackups, type BackupInfo } from '../../electron/core/backups.ts';
import { readBackupFile, verifyBackup } from '../../electron/core/backupChecking.ts';
import { restoreBackup } from '../../electron/core/backupRestoring.ts';
import { entryProblem } from '../../electron/core/backupManifest.ts';
import { objectPath } from '../../electron/core/backupObjects.ts';
import type { Engine } from '../../electron/core/engine.ts';
import { resolveLayout, validateContextName } from '../../electron/core/dataRoot.ts';
import { openEngine, removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { folderSnapshot } from '../helpers/folderSnapshot.ts';

afterEach(removeTempDirs);

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const SECRET = '{"type":"entity","name":"stolen","entityType":"secret","observations":["private"]}\n';

/** A project whose data folder has one backup, and a secret file two folders above it. */
async function projectWithBackup() {
  const outer = tempDir();
  const secret = path.join(outer, 'secret', 'private.jsonl');
  fs.mkdirSync(path.dirname(secret));
  fs.writeFileSync(secret, SECRET);
  const layout = resolveLayout({ data: path.join(outer, 'project', '.coaia') });
  const engine = await openEngine(layout);
  await engine.transact('work', (state) => setEntity(state, { name: 'mine', entityType: 't', observations: ['kept'] }));
  await engine.flush();
  const backup = await createBackup(engine, 'test');
  const backupDir = path.join(layout.root, '.backup', backup.id);
  return { outer, secret, layout, engine, backup, backupDir, manifest: path.join(backupDir, 'manifest.json') };
}

/** Turns a backup into one of format 1, as made before pieces were shared: each file in the backup's folder. */
function asFormat1(engine: Engine, backup: BackupInfo, backupDir: string): void {
  for (const file of backup.files) {
    const read = readBackupFile(engine, backup, file);
    if (!('bytes' in read)) throw new Error(read.problem);
    fs.mkdirSync(path.dirname(path.join(backupDir, file.path)), { recursive: true });
    fs.writeFileSync(path.join(backupDir, file.path), read.bytes);
  }
  const files = backup.files.map(({ chunks: _chunks, ...file }) => file);
  fs.writeFileSync(path.join(backupDir, 'manifest.json'), JSON.stringify({ format: 1, id: backup.id, created: backup.created, reason: backup.reason, bytes: backup.bytes, files }, null, 2));
  fs.rmSync(path.join(backupDir, 'check.json'), { force: true });
}

function rewriteManifest(manifest: string, edit: (files: Record<string, unknown>[]) => void): void {
  const document = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { files: Record<string, unknown>[] };
  edit(document.files);
  fs.writeFileSync(manifest, JSON.stringify(document, null, 2));
}

describe('a backup manifest names only plain files inside that backup', () => {
  it('a crafted manifest naming ../../../../secret/private.jsonl is refused by verify and restore, and nothing is copied', async () => {
    const { outer, secret, layout, engine, backup, manifest } = await projectWithBackup();
    const bytes = fs.readFileSync(secret);
    rewriteManifest(manifest, (files) => {
      const work = files.find((f) => f.role === 'context')!;
      // From .backup/<id>/: four levels up is the folder around the project.
      Object.assign(work, { path: '../../../../secret/private.jsonl', size: bytes.length, sha256: sha256(bytes) });
    });
    const workFile = path.join(layout.root, 'charts-work.jsonl');
    const fileBefore = fs.readFileSync(workFile);
    const around = folderSnapshot(outer, { except: [layout.root] });

    const check = verifyBackup(engine, backup.id);
    expect(check.ok).toBe(false);
    expect(check.problems.join('\n')).toMatch(/"\.\.\/\.\.\/\.\.\/\.\.\/secret\/private\.jsonl", which is not a plain file inside the backup/);

    await expect(restoreBackup(engine, backup.id, ['work'])).rejects.toMatchObject({ code: 'CORRUPT', message: expect.stringMatching(/cannot be restored.*not a plain file inside the backup.*Nothing was restored/) });
    await expect(restoreBackup(engine, backup.id)).rejects.toMatchObject({ code: 'CORRUPT' });

    // Nothing copied in: the context, its file, the backups (no safety backup was made) and
    // everything around the data folder are as they were.
    expect((await engine.read('work', readGraph)).entities.map((e) => e.name)).toEqual(['mine']);
    expect(fs.readFileSync(workFile)).toEqual(fileBefore);
    expect(listBackups(engine).map((b) => b.id)).toEqual([backup.id]);
    await engine.close();
    expect(folderSnapshot(outer, { except: [layout.root] })).toEqual(around);
  });

  it('a file of a format-1 backup that is a symbolic link to a file outside is not read', async () => {
    const { outer, secret, layout, engine, backup, backupDir, manifest } = await projectWithBackup();
    asFormat1(engine, backup, backupDir);
    const bytes = fs.readFileSync(secret);
    const inBackup = path.join(backupDir, 'charts-work.jsonl');
    fs.rmSync(inBackup);
    fs.symlinkSync(secret, inBackup);
    rewriteManifest(manifest, (files) => Object.assign(files.find((f) => f.role === 'context')!, { size: bytes.length, sha256: sha256(bytes) }));
    const around = folderSnapshot(outer, { except: [layout.root] });

    expect(verifyBackup(engine, backup.id)).toMatchObject({ ok: false, problems: [expect.stringMatching(/charts-work\.jsonl is a symbolic link/)] });
    await expect(restoreBackup(engine, backup.id, ['work'])).rejects.toMatchObject({ code: 'CORRUPT' });
    expect((await engine.read('work', readGraph)).entities.map((e) => e.name)).toEqual(['mine']);
    await engine.close();
    expect(folderSnapshot(outer, { except: [layout.root] })).toEqual(around);
  });

  it('a piece of a format-2 backup that is a symbolic link to a file outside is not read', async () => {
    const { outer, secret, layout, engine, backup, manifest } = await projectWithBackup();
    const bytes = fs.readFileSync(secret);
    const hash = sha256(bytes);
    const piece = objectPath(path.join(layout.root, '.backup'), hash);
    fs.mkdirSync(path.dirname(piece), { recursive: true });
    fs.symlinkSync(secret, piece);
    rewriteManifest(manifest, (files) => Object.assign(files.find((f) => f.role === 'context')!, { size: bytes.length, sha256: hash, chunks: [{ sha256: hash, size: bytes.length }] }));
    const around = folderSnapshot(outer, { except: [layout.root] });

    expect(verifyBackup(engine, backup.id)).toMatchObject({ ok: false, problems: [expect.stringMatching(/charts-work\.jsonl, piece 1 of 1: .* is a symbolic link/)] });
    await expect(restoreBackup(engine, backup.id, ['work'])).rejects.toMatchObject({ code: 'CORRUPT' });
    expect((await engine.read('work', readGraph)).entities.map((e) => e.name)).toEqual(['mine']);
    await engine.close();
    expect(folderSnapshot(outer, { except: [layout.root] })).toEqual(around);
  });

  it('a format-1 backup (each file in its folder, as made before pieces were shared) is still listed, verified and restored', async () => {
    const { layout, engine, backup, backupDir } = await projectWithBackup();
    asFormat1(engine, backup, backupDir);
    await engine.transact('work', (state) => setEntity(state, { name: 'later', entityType: 't' }));
    expect(listBackups(engine).find((b) => b.id === backup.id)).toMatchObject({ format: 1, kind: 'manual', newBytes: backup.bytes });
    expect(verifyBackup(engine, backup.id)).toMatchObject({ ok: true });
    await restoreBackup(engine, backup.id, ['work']);
    expect((await engine.read('work', readGraph)).entities.map((e) => e.name)).toEqual(['mine']);
    expect(fs.existsSync(path.join(layout.root, '.backup', backup.id, 'charts-work.jsonl'))).toBe(true);
    await engine.close();
  });

  it('a piece named by something other than 64 hex digits is refused as text', () => {
    const valid = () => true;
    const entry = { path: 'charts-work.jsonl', role: 'context', context: 'work', size: 3, sha256: 'a'.repeat(64) };
    expect(entryProblem({ ...entry, chunks: [{ sha256: 'b'.repeat(64), size: 3 }] }, 0, valid)).toBeUndefined();
    expect(entryProblem({ ...entry, chunks: [{ sha256: '../../../secret', size: 3 }] }, 0, valid)).toMatch(/piece 1 has no valid sha256/);
    expect(entryProblem({ ...entry, chunks: [{ sha256: 'b'.repeat(64), size: 2 }] }, 0, valid)).toMatch(/add up to 2 bytes, not 3/);
    expect(entryProblem({ ...entry, chunks: 'x' }, 0, valid)).toMatch(/no valid list of pieces/);
  });

  it('every other way out is refused as text, before anything is opened', () => {
    const valid = (name: string) => {
      try {
        validateContextName(name);
        return true;
      } catch {
        return false;
      }
    };
    const entry = (p: unknown, role = 'context') => ({ path: p, role, context: 'work', size: 1, sha256: 'a'.repeat(64) });
    expect(entryProblem(entry('charts-work.jsonl'), 0, valid)).toBeUndefined();
    expect(entryProblem(entry('.history/charts-work.journal.jsonl', 'journal'), 0, valid)).toBeUndefined();
    for (const bad of ['/etc/passwd.jsonl', '../x.jsonl', 'a/../../x.jsonl', '.history/../../x.jsonl', 'sub/x.jsonl', '..', '.', '', 'x.jsonl\u0000', 'C:\\x.jsonl', '..\\x.jsonl', 'notes.txt', 42]) {
      expect(entryProblem(entry(bad), 0, valid), String(bad)).toMatch(/manifest entry 1/);
    }
    // A journal belongs in .history/, a context file at the top: nowhere else.
    expect(entryProblem(entry('charts-work.journal.jsonl', 'journal'), 0, valid)).toMatch(/not a plain file inside the backup/);
    expect(entryProblem(entry('.history/charts-work.jsonl', 'context'), 0, valid)).toMatch(/not a plain file inside the backup/);
    expect(entryProblem({ ...entry('charts-work.jsonl'), context: '../etc' }, 0, valid)).toMatch(/no valid context/);
    expect(entryProblem({ ...entry('charts-work.jsonl'), role: 'other' }, 0, valid)).toMatch(/unknown role/);
    expect(entryProblem('charts-work.jsonl', 0, valid)).toMatch(/not an object/);
  });
});
