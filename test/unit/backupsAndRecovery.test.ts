import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readGraph, setEntity } from '../../electron/core/knowledgeGraph.ts';
import { createBackup, listBackups } from '../../electron/core/backups.ts';
import { readBackupFile, verifyBackup } from '../../electron/core/backupChecking.ts';
import { restoreBackup } from '../../electron/core/backupRestoring.ts';
import { pruneBackups } from '../../electron/core/backupRemoval.ts';
import { objectPath } from '../../electron/core/backupObjects.ts';
import { verifyAll } from '../../electron/core/verify.ts';
import { recoverAll } from '../../electron/core/recover.ts';
import { addRelation, recordFromObject } from '../../electron/core/knowledgeGraph.ts';
import { IntentLog } from '../../electron/core/intentLog.ts';
import { rootPaths } from '../../electron/core/dataRoot.ts';
import { entityKey } from '../../electron/core/records.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

const names = (graph: { entities: { name: string }[] }) => graph.entities.map((e) => e.name).sort();

describe('backups', () => {
  it('a backup holds every context with checksums, verifies, and a restore first backs up what it replaces', async () => {
    const layout = tempLayout();
    const engine = await openEngine(layout);
    await engine.transact('work', (s) => setEntity(s, { name: 'A', entityType: 't' }));
    await engine.transact('personal', (s) => setEntity(s, { name: 'P', entityType: 't' }));
    const backup = await createBackup(engine, 'test');
    expect(backup.files.map((f) => f.path).sort()).toEqual(['.history/charts-personal.journal.jsonl', '.history/charts-work.journal.jsonl', 'charts-personal.jsonl', 'charts-work.jsonl']);
    expect(verifyBackup(engine, backup.id)).toEqual({ id: backup.id, ok: true, problems: [] });

    await engine.transact('work', (s) => setEntity(s, { name: 'B', entityType: 't' }));
    const restored = await restoreBackup(engine, backup.id, ['work']);
    expect(names(await engine.read('work', readGraph))).toEqual(['A']);
    expect(listBackups(engine).map((b) => b.id)).toContain(restored.safetyBackup);
    // The state that was replaced is in the safety backup, and in history.
    const safety = listBackups(engine).find((b) => b.id === restored.safetyBackup)!;
    const read = readBackupFile(engine, safety, safety.files.find((f) => f.path === 'charts-work.jsonl')!);
    expect('bytes' in read && read.bytes.toString('utf8')).toContain('"name":"B"');
    await engine.close();
  });

  it('a damaged backup is reported by verify and refused by restore', async () => {
    const layout = tempLayout();
    const engine = await openEngine(layout);
    await engine.transact('work', (s) => setEntity(s, { name: 'A', entityType: 't' }));
    const backup = await createBackup(engine);
    // One byte of the stored piece of charts-work.jsonl changed on the disk.
    const piece = objectPath(path.join(layout.root, '.backup'), backup.files.find((f) => f.path === 'charts-work.jsonl')!.chunks![0]!.sha256);
    const bytes = fs.readFileSync(piece);
    bytes[0] = (bytes[0] as number) ^ 1;
    fs.writeFileSync(piece, bytes);
    expect(verifyBackup(engine, backup.id).ok).toBe(false);
    await expect(restoreBackup(engine, backup.id)).rejects.toMatchObject({ code: 'CORRUPT' });
    await engine.close();
  });

  it('rotation removes old backups but always keeps the newest ones', async () => {
    const engine = await openEngine(tempLayout());
    await engine.transact('work', (s) => setEntity(s, { name: 'A', entityType: 't' }));
    for (let i = 0; i < 4; i += 1) await createBackup(engine);
    const inTenDays = new Date(Date.now() + 10 * 86_400_000);
    const removed = await pruneBackups(engine, { maxAgeDays: 7, keepAtLeast: 2, now: inTenDays });
    expect(removed).toHaveLength(2);
    expect(listBackups(engine)).toHaveLength(2);
    await engine.close();
  });
});

describe('verify and recover', () => {
  it('verify reports unreadable lines, relations to missing entities, duplicates and times out of order', async () => {
    const layout = tempLayout();
    const engine = await openEngine(layout);
    await engine.transact('work', (s) => setEntity(s, { name: 'A', entityType: 't', metadata: { createdAt: '2026-02-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' } }));
    await engine.transact('work', (s) => addRelation(s, { from: 'A', to: 'Ghost', relationType: 'r' }));
    await engine.close();
    const file = path.join(layout.root, 'charts-work.jsonl');
    fs.appendFileSync(file, '{"type":"entity","name":"A","entityType":"dup","observations":[]}\n{broken\n');
    const again = await openEngine(layout);
    const result = await verifyAll(again);
    expect(result.ok).toBe(false);
    const kinds = result.contexts[0]!.findings.map((f) => f.kind).sort();
    expect(kinds).toEqual(expect.arrayContaining(['duplicate-name', 'missing-entity', 'parse-error', 'time-out-of-order']));
    await again.close();
  });

  it('recover copies bad bytes to .recovery, restores records from the journal and logs each action', async () => {
    const layout = tempLayout();
    const engine = await openEngine(layout);
    await engine.transact('work', (s) => setEntity(s, { name: 'A', entityType: 't', observations: ['keep me'] }));
    await engine.transact('work', (s) => setEntity(s, { name: 'B', entityType: 't' }));
    await engine.close();
    const file = path.join(layout.root, 'charts-work.jsonl');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace('"keep me"', '"keep me\u0000').replace('{"type":"entity","name":"A"', '{"type":"entity","name":"A"'.slice(0, -3)));

    const damaged = await openEngine(layout);
    expect((await damaged.listContexts())[0]!.health).toBe('damaged');
    expect(names(await damaged.read('work', readGraph))).toEqual(['A', 'B']);
    const report = await recoverAll(damaged);
    expect(report.unrecovered).toEqual([]);
    expect(report.actions.length).toBeGreaterThan(0);
    const recoveryFiles = fs.readdirSync(path.join(layout.root, '.recovery'));
    expect(recoveryFiles.some((f) => f.endsWith('.bad'))).toBe(true);
    const log = recoveryFiles.find((f) => /^recovery-\d{4}-\d{2}-\d{2}\.log$/.test(f));
    expect(log && fs.readFileSync(path.join(layout.root, '.recovery', log), 'utf8').trim().split('\n').length).toBeGreaterThan(0);
    expect((await verifyAll(damaged)).ok).toBe(true);
    expect((await damaged.read('work', readGraph)).entities.find((e) => e.name === 'A')?.observations).toEqual(['keep me']);
    await damaged.close();
  });

  it('a damaged line the journal never held comes back from the newest backup', async () => {
    const layout = tempLayout();
    fs.mkdirSync(layout.root, { recursive: true });
    const file = path.join(layout.root, 'charts-work.jsonl');
    fs.writeFileSync(file, '{"type":"entity","name":"A","entityType":"t","observations":["a"]}\n{"type":"entity","name":"B","entityType":"t","observations":["b"]}\n');
    const engine = await openEngine(layout);
    await createBackup(engine);
    await engine.close();
    // Wipe our history, then damage B's line as a peer might.
    fs.rmSync(path.join(layout.root, '.history'), { recursive: true });
    fs.writeFileSync(file, '{"type":"entity","name":"A","entityType":"t","observations":["a"]}\n{"type":"entity","name":"B","entityType":"t","observ\n');
    const again = await openEngine(layout);
    const report = await recoverAll(again);
    expect(report.unrecovered).toEqual([]);
    expect(names(await again.read('work', readGraph))).toEqual(['A', 'B']);
    await again.close();
  });
});

describe('changes across contexts', () => {
  it('a move is all or nothing, and an interrupted one is finished on the next open', async () => {
    const layout = tempLayout();
    const engine = await openEngine(layout);
    await engine.transact('a', (s) => setEntity(s, { name: 'X', entityType: 't', observations: ['moving'] }));
    await engine.transactAcross([
      ['a', (s) => ({ puts: [], deletes: [[...s.keys()][0]!] })],
      ['b', (s) => ({ puts: [...setEntity(s, { name: 'X', entityType: 't', observations: ['moving'] }).puts], deletes: [] })],
    ]);
    expect(names(await engine.read('a', readGraph))).toEqual([]);
    expect(names(await engine.read('b', readGraph))).toEqual(['X']);
    await engine.close();
  });

  it('a move whose intent was written but whose parts were not (a crash) is finished by the next process, once', async () => {
    const layout = tempLayout();
    const crashed = await openEngine(layout);
    await crashed.transact('a', (s) => setEntity(s, { name: 'X', entityType: 't' }));
    await crashed.withLock(() => {
      const log = new IntentLog(crashed.fs, rootPaths(layout).intents);
      log.begin(
        { a: { puts: [], deletes: [entityKey('X')] }, b: { puts: [recordFromObject({ type: 'entity', name: 'X', entityType: 't', observations: [] })], deletes: [] } },
        { origin: 'app' },
        (context) => crashed.storeForLockedWork(context),
      );
    });
    // The crashed process never finishes; another one opens the folder.
    const next = await openEngine(layout);
    expect(names(await next.read('a', readGraph))).toEqual([]);
    expect(names(await next.read('b', readGraph))).toEqual(['X']);
    expect(fs.statSync(rootPaths(layout).intents).size).toBe(0);
    await next.close();
    const third = await openEngine(layout);
    expect(names(await third.read('b', readGraph))).toEqual(['X']);
    await third.close();
  });
});
