// A context a backup holds by its journal: one whose file was gone when the backup was made (a
// peer deleted it) is listed, previewed and restored like any other; and a backup whose copy of
// the journal cannot be read is not restored from its context file alone when that file may be
// behind the journal (it was restored with exit 0, the changes only the journal held gone).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { setEntity } from '../../electron/core/knowledgeGraph.ts';
import { createBackup, findBackup } from '../../electron/core/backups.ts';
import { objectPath } from '../../electron/core/backupObjects.ts';
import { cliOk, runCli } from '../helpers/runCli.ts';
import { seededRandom } from '../helpers/seededRandom.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

function newData(): string {
  const data = path.join(tempDir(), '.coaia');
  fs.mkdirSync(data, { recursive: true });
  return data;
}

const names = (data: string) => (JSON.parse(cliOk(['graph', '--context', 'work', '--json'], data)) as { entities: { name: string }[] }).entities.map((e) => e.name).sort();

const set = (data: string, name: string) => cliOk(['entity', 'set', '--context', 'work', '--name', name, '--type', 'x', '--obs', name], data);

/** The backup's journal copy of context work made unreadable: its pieces removed from the store (`which`: all, or the first). */
async function loseJournalPieces(data: string, id: string, which: 'all' | 'first'): Promise<void> {
  const engine = await Engine.open({ layout: resolveLayout({ data }), readOnly: true });
  const journal = findBackup(engine, id).files.find((f) => f.context === 'work' && f.role === 'journal');
  await engine.close();
  const pieces = journal?.chunks ?? [];
  expect(pieces.length).toBeGreaterThan(which === 'first' ? 1 : 0);
  for (const piece of which === 'all' ? pieces : pieces.slice(0, 1)) fs.rmSync(objectPath(path.join(data, '.backup'), piece.sha256));
}

describe('a context a backup holds only as its journal', () => {
  it('is listed, previewed and restored (and the restore undone)', () => {
    const data = newData();
    set(data, 'a');
    set(data, 'b');
    fs.rmSync(path.join(data, 'charts-work.jsonl'));
    const held = JSON.parse(cliOk(['backup', 'create', '--json'], data)) as { id: string; files: { path: string }[] };
    expect(held.files.map((f) => f.path)).toEqual([path.join('.history', 'charts-work.journal.jsonl')]);
    set(data, 'c');

    const listed = JSON.parse(cliOk(['backup', 'list', '--json'], data)) as { backups: { id: string; contexts: string[] }[] };
    expect(listed.backups.find((b) => b.id === held.id)?.contexts).toEqual(['work']);
    const preview = runCli(['backup', 'preview', held.id, '--context', 'work', '--data', data, '--json']);
    expect(preview.status, preview.stderr).toBe(0);
    expect(preview.json()).toMatchObject({ records: { removed: 1 } });

    const restored = JSON.parse(cliOk(['backup', 'restore', held.id, '--context', 'work', '--json'], data)) as { safetyBackup: string };
    expect(names(data)).toEqual(['a', 'b']);
    cliOk(['backup', 'restore', restored.safetyBackup, '--context', 'work'], data);
    expect(names(data)).toEqual(['a', 'b', 'c']);
    // A whole restore (no --context) counts it too.
    cliOk(['backup', 'restore', held.id], data);
    expect(names(data)).toEqual(['a', 'b']);
  });
});

describe('a backup whose journal copy cannot be read', () => {
  it('is not restored or previewed from a context file behind the journal: refused, naming the backup and the journal, nothing changed', async () => {
    const data = newData();
    set(data, 'a');
    // The file behind its journal when backed up (a rewrite that failed; a before-recovery backup is made without one).
    const engine = await Engine.open({ layout: resolveLayout({ data }), origin: 'cli', rewriteDelayMs: -1 });
    await engine.transact('work', (s) => setEntity(s, { name: 'only_in_journal', entityType: 'x', observations: ['committed after the last rewrite'] }));
    const id = (await createBackup(engine, 'manual', { flush: false })).id;
    await engine.close();
    set(data, 'later');
    await loseJournalPieces(data, id, 'all');

    for (const args of [['backup', 'restore', id, '--context', 'work'], ['backup', 'restore', id], ['backup', 'preview', id, '--context', 'work']]) {
      const run = runCli([...args, '--data', data]);
      expect(run.status, `${args.join(' ')}: ${run.stdout}`).not.toBe(0);
      expect(run.stderr).toContain(id);
      expect(run.stderr).toMatch(/journal/);
      expect(run.stderr).toMatch(/[Nn]othing was (restored or )?changed/);
    }
    expect(names(data)).toEqual(['a', 'later', 'only_in_journal']);
  });

  it('is restored from its context file when the journal copy\'s readable end shows the file is its last rewrite', async () => {
    const data = newData();
    // A journal of several pieces: the first lost, the last (with the rewrite's snapshot line) kept.
    const engine = await Engine.open({ layout: resolveLayout({ data }), origin: 'cli' });
    const random = seededRandom(7);
    for (let i = 0; i < 6; i += 1) {
      const observations = Array.from({ length: 200 }, () => Array.from({ length: 600 }, () => Math.floor(random() * 36).toString(36)).join(''));
      await engine.transact('work', (s) => setEntity(s, { name: `big${i}`, entityType: 'x', observations }));
    }
    await engine.close();
    const id = (JSON.parse(cliOk(['backup', 'create', '--json'], data)) as { id: string }).id;
    set(data, 'later');
    await loseJournalPieces(data, id, 'first');
    cliOk(['backup', 'restore', id, '--context', 'work'], data);
    expect(names(data)).toEqual(['big0', 'big1', 'big2', 'big3', 'big4', 'big5']);
  });
});
