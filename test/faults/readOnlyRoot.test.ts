// A data folder that cannot be written (a read-only mount, a folder owned by someone else) opens
// read-only and says why; the graph can still be read; every write is refused with READ_ONLY
// and nothing on disk changes. As root, file modes do not stop us, so the refusal comes from
// the file-system seam. Also: a journal from a newer version (format 99) opens read-only with a
// clear message, and a format-0 journal (no header line) is upgraded on open, after a backup.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine.ts';
import { EngineError } from '../../electron/core/errors.ts';
import { contextPaths, type DataLayout } from '../../electron/core/dataRoot.ts';
import { readGraph, setEntity } from '../../electron/core/knowledgeGraph.ts';
import { createBackup, listBackups } from '../../electron/core/backups.ts';
import { readBackupFile, verifyBackup } from '../../electron/core/backupChecking.ts';
import { restoreBackup } from '../../electron/core/backupRestoring.ts';
import { pruneBackups } from '../../electron/core/backupRemoval.ts';
import { recoverAll } from '../../electron/core/recover.ts';
import { verifyAll } from '../../electron/core/verify.ts';
import { JOURNAL_FORMAT, decodeJournalLine, encodeHeader, sealLine } from '../../electron/core/journalFormat.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { FaultyFileSystem, opensForWriting, type InjectedErrno } from './faultyFileSystem.ts';
import { copyRoot, diffTrees, failureOf, graphsOnDisk, removeScratchDirs, snapshotTree, viewOf } from './support.ts';
import { buildUnflushedRoot, writeChart } from './scenarios.ts';

afterAll(() => {
  removeScratchDirs();
  removeTempDirs();
});

/** The seam of a folder we may not write to: creating folders and opening files for writing fail. */
function unwritable(errno: InjectedErrno): FaultyFileSystem {
  return new FaultyFileSystem().arm({
    nth: 1,
    mode: 'persist',
    ops: ['mkdirSync', 'openSync'],
    when: (call) => call.op === 'mkdirSync' || opensForWriting(call.flags),
    effect: { kind: 'errno', errno },
  });
}

/** Everything a user can ask that writes, each expected to be refused. */
function writeAttempts(engine: Engine, backupId: string): [string, () => Promise<unknown>][] {
  const note = { name: 'written_while_read_only', entityType: 'note', observations: ['must not be saved'] };
  return [
    ['saving a change', () => engine.transact('default', (state) => setEntity(state, note))],
    ['saving a change to another context', () => engine.transact('work', (state) => setEntity(state, note))],
    ['starting a new context', () => engine.transact('brand-new', (state) => setEntity(state, note))],
    ['moving a chart between contexts', () => engine.transactAcross([
        ['default', (state) => setEntity(state, note)],
        ['work', (state) => setEntity(state, note)],
      ])],
    ['creating a backup', () => createBackup(engine, 'read-only test')],
    ['restoring a backup', () => restoreBackup(engine, backupId)],
    ['recovering', () => recoverAll(engine)],
    ['pruning backups', () => pruneBackups(engine, { maxAgeDays: 0, keepAtLeast: 0, now: new Date(Date.now() + 86_400_000) })],
  ];
}

describe('a data folder that cannot be written', () => {
  let base: DataLayout;
  let backupId: string;

  beforeAll(async () => {
    base = await buildUnflushedRoot();
    const engine = await openEngine(base);
    backupId = (await createBackup(engine, 'kept for the restore attempt')).id;
    await engine.transact('default', (state) => setEntity(state, { name: 'after_the_backup', entityType: 'note' }));
    // Not closed: the context files stay behind their journals, so a rewrite is pending.
    fs.writeFileSync(contextPaths(base, 'peer').file, '{"type":"entity","name":"peer_note","entityType":"note","observations":[]}\n');
  });

  const cases: { name: string; open: (layout: DataLayout) => Promise<{ engine: Engine; fs?: FaultyFileSystem }> }[] = [
    { name: 'EACCES (a folder owned by someone else)', open: async (layout) => openWith(layout, unwritable('EACCES')) },
    { name: 'EROFS (a read-only mount)', open: async (layout) => openWith(layout, unwritable('EROFS')) },
    { name: 'opened read-only on purpose (the real file system underneath)', open: async (layout) => ({ engine: await Engine.open({ layout, readOnly: true, rewriteDelayMs: -1 }) }) },
  ];

  async function openWith(layout: DataLayout, fsys: FaultyFileSystem): Promise<{ engine: Engine; fs: FaultyFileSystem }> {
    return { engine: await Engine.open({ layout, fs: fsys, rewriteDelayMs: -1 }), fs: fsys };
  }

  it.each(cases)('$name: opens read-only and says why', async ({ name, open }) => {
    const layout = copyRoot(base);
    const { engine } = await open(layout);
    try {
      expect(engine.readOnly).toBe(true);
      expect(engine.readOnlyReason).toBeDefined();
      if (name.startsWith('EACCES')) expect(engine.readOnlyReason).toMatch(/permission denied/);
      if (name.startsWith('EROFS')) expect(engine.readOnlyReason).toMatch(/read-only/);
      if (!name.startsWith('opened')) expect(engine.readOnlyReason).toContain(layout.root);
    } finally {
      await engine.close();
    }
  });

  it.each(cases)('$name: the graph, the context list and verify all work', async ({ name, open }) => {
    const layout = copyRoot(base);
    const expected = await graphsOnDisk(layout);
    const { engine } = await open(layout);
    try {
      for (const context of ['default', 'work', 'peer']) {
        expect(viewOf(await engine.read(context, (state) => readGraph(state))), context).toEqual(expected[context]);
      }
      const summaries = await engine.listContexts();
      expect(summaries.map((s) => s.context)).toEqual(['default', 'peer', 'work']);
      // A folder we cannot write shows as read-only; one opened read-only on purpose is healthy.
      const health = name.startsWith('opened') ? 'ok' : 'read-only';
      for (const summary of summaries) expect(summary.health, summary.context).toBe(health);
      const verification = await verifyAll(engine);
      expect(verification.contexts.length).toBe(3);
    } finally {
      await engine.close();
    }
  });

  it.each(cases)('$name: every write is refused with READ_ONLY and nothing on disk changes', async ({ open }) => {
    const layout = copyRoot(base);
    const parent = path.dirname(layout.root);
    const before = snapshotTree(parent);
    const graphBefore = await graphsOnDisk(layout);
    const { engine } = await open(layout);
    const problems: string[] = [];
    try {
      await engine.read('default', (state) => readGraph(state));
      for (const [what, attempt] of writeAttempts(engine, backupId)) {
        const beforeAttempt = snapshotTree(parent);
        const error = await failureOf(attempt);
        if (error === undefined) problems.push(`${what}: succeeded on a read-only data folder`);
        else if (!(error instanceof EngineError)) problems.push(`${what}: not an EngineError: ${String((error as Error).message)}`);
        else if (error.code !== 'READ_ONLY') problems.push(`${what}: ${error.code} instead of READ_ONLY (${error.message})`);
        const changed = diffTrees(beforeAttempt, snapshotTree(parent));
        if (changed.length > 0) problems.push(`${what}: changed the disk: ${changed.join(', ')}`);
      }
      const flushError = await failureOf(() => engine.flush());
      if (flushError !== undefined && (flushError as EngineError).code !== 'READ_ONLY') problems.push(`flush: ${String((flushError as Error).message)}`);
    } finally {
      await engine.close().catch((error: unknown) => problems.push(`close: ${String((error as Error).message)}`));
    }
    const changed = diffTrees(before, snapshotTree(parent));
    if (changed.length > 0) problems.push(`after close: the disk changed: ${changed.join(', ')}`);
    expect(problems).toEqual([]);
    expect(await graphsOnDisk(layout)).toEqual(graphBefore);
  });

  it.each(cases)('$name: a change refused as READ_ONLY is never carried out later by a writable engine', async ({ open }) => {
    const layout = copyRoot(base);
    const graphBefore = await graphsOnDisk(layout);
    const { engine } = await open(layout);
    try {
      for (const [, attempt] of writeAttempts(engine, backupId)) await failureOf(attempt);
    } finally {
      await engine.close().catch(() => undefined);
    }
    const writable = await openEngine(layout);
    try {
      for (const context of ['default', 'work']) {
        const seen = viewOf(await writable.read(context, (state) => readGraph(state)));
        expect(seen.entities.written_while_read_only, `a change refused as READ_ONLY was applied later to ${context}`).toBeUndefined();
      }
    } finally {
      await writable.close();
    }
    const after = await graphsOnDisk(layout);
    expect(after.default).toEqual(graphBefore.default);
    expect(after.work).toEqual(graphBefore.work);
  });

  it('when the folder becomes writable again, a new engine writes normally', async () => {
    const layout = copyRoot(base);
    const readOnly = await Engine.open({ layout, fs: unwritable('EROFS'), rewriteDelayMs: -1 });
    expect(readOnly.readOnly).toBe(true);
    await readOnly.close();
    const engine = await openEngine(layout);
    try {
      expect(engine.readOnly).toBe(false);
      await engine.transact('default', (state) => setEntity(state, { name: 'after_remount', entityType: 'note' }));
    } finally {
      await engine.close();
    }
    expect((await graphsOnDisk(layout)).default!.entities.after_remount).toBeDefined();
  });
});

// ------------------------------------------------------------------ journal formats

/** A root whose `work` journal is replaced (a new file renamed over it) by `rewrite` of its lines. */
async function rootWithJournal(rewrite: (lines: string[]) => string[], keepCheckpoint = true): Promise<{ layout: DataLayout; before: Awaited<ReturnType<typeof graphsOnDisk>> }> {
  const layout = tempLayout();
  const engine = await openEngine(layout);
  await writeChart(engine, 'default', 'chart_alpha');
  await writeChart(engine, 'work', 'chart_beta');
  await engine.close();
  const before = await graphsOnDisk(layout);
  const paths = contextPaths(layout, 'work');
  const lines = fs.readFileSync(paths.journal, 'utf8').split('\n').filter((l) => l !== '');
  const tmp = `${paths.journal}.new`;
  fs.writeFileSync(tmp, `${rewrite(lines).join('\n')}\n`);
  fs.renameSync(tmp, paths.journal);
  if (!keepCheckpoint) fs.rmSync(paths.checkpoint, { force: true });
  return { layout, before };
}

const header99 = (lines: string[]) => [encodeHeader('work', '2030-01-01T00:00:00.000Z', 99).trimEnd(), ...lines.slice(1)];

describe('a journal written by a newer version (format 99)', () => {
  it.each([true, false])('opens read-only with a clear message, still shows its graph, and refuses writes without touching it (checkpoint kept: %s)', async (keepCheckpoint) => {
    const { layout, before } = await rootWithJournal(header99, keepCheckpoint);
    const journal = contextPaths(layout, 'work').journal;
    const journalBytes = fs.readFileSync(journal);
    const engine = await openEngine(layout);
    try {
      expect(viewOf(await engine.read('work', (state) => readGraph(state)))).toEqual(before.work);
      const summary = (await engine.listContexts()).find((s) => s.context === 'work')!;
      const finding = summary.findings.find((f) => f.kind === 'newer-format');
      expect(finding, 'no newer-format finding on the context').toBeDefined();
      expect(finding!.message).toMatch(/format 99/);
      expect(finding!.message).toMatch(/read-only/);

      const error = await failureOf(() => engine.transact('work', (state) => setEntity(state, { name: 'x', entityType: 'note' })));
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).code).toBe('READ_ONLY');
      expect((error as EngineError).message).toMatch(/format 99/);
      expect((error as EngineError).message).toContain(path.basename(contextPaths(layout, 'work').file));

      // The other contexts are not held back by it.
      await engine.transact('default', (state) => setEntity(state, { name: 'still_writable', entityType: 'note' }));
      await engine.flush();
    } finally {
      await engine.close();
    }
    expect(fs.readFileSync(journal).equals(journalBytes), 'the newer journal was modified').toBe(true);
  });

  it('a chart moved into it is refused with READ_ONLY up front, nothing half-done, and other work goes on', async () => {
    const { layout, before } = await rootWithJournal(header99, false);
    const engine = await openEngine(layout);
    try {
      const note = { name: 'moving_note', entityType: 'note', observations: ['from default to work'] };
      const error = await failureOf(() =>
        engine.transactAcross([
          ['default', (state) => setEntity(state, note)],
          ['work', (state) => setEntity(state, note)],
        ]),
      );
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).code).toBe('READ_ONLY');
      // Neither half of the move happened, and the engine still serves the other contexts.
      const next = await failureOf(() => engine.transact('default', (state) => setEntity(state, { name: 'after_refused_move', entityType: 'note' })));
      expect(next, `the next commit failed: ${String((next as Error)?.message)}`).toBeUndefined();
    } finally {
      await engine.close().catch(() => undefined);
    }
    const after = await graphsOnDisk(layout);
    expect(after.default!.entities.moving_note, 'half of a refused move was applied').toBeUndefined();
    expect(after.work).toEqual(before.work);
  });

  it('its health badge says read-only, not damaged (nothing in it is damaged)', async () => {
    const { layout } = await rootWithJournal(header99, false);
    const engine = await openEngine(layout);
    try {
      const summary = (await engine.listContexts()).find((s) => s.context === 'work')!;
      expect(summary.health).toBe('read-only');
    } finally {
      await engine.close();
    }
  });

  it('still opens read-only when it holds entries of a kind this version does not know', async () => {
    const future = sealLine(
      JSON.stringify({ kind: 'commit', seq: 1000, ts: '2030-01-02T00:00:00.000Z', tx: 'future-tx', origin: 'app', changes: [{ rename: { from: 'chart_beta_chart', to: 'chart_beta_renamed' } }] }),
    ).trimEnd();
    const { layout, before } = await rootWithJournal((lines) => [...header99(lines), future], false);
    const engine = await openEngine(layout);
    try {
      const graph = await failureOf(() => engine.read('work', (state) => readGraph(state)));
      expect(graph, `reading the context threw: ${String((graph as Error)?.message)}`).toBeUndefined();
      const summaries = await engine.listContexts();
      expect(summaries.find((s) => s.context === 'work')?.findings.some((f) => f.kind === 'newer-format')).toBe(true);
      expect((await graphsOnDisk(layout)).default).toEqual(before.default);
    } finally {
      await engine.close().catch(() => undefined);
    }
  });
});

describe('a format-0 journal (no header line)', () => {
  it('is upgraded on open after a backup: the backup holds the old journal, the journal then starts with a header, nothing is lost', async () => {
    const { layout, before } = await rootWithJournal((lines) => {
      expect(decodeJournalLine(lines[0]!).ok && (decodeJournalLine(lines[0]!) as { entry: { kind: string } }).entry.kind).toBe('header');
      return lines.slice(1);
    }, true);
    const paths = contextPaths(layout, 'work');
    const oldJournal = fs.readFileSync(paths.journal);
    expect(fs.existsSync(path.join(layout.root, '.backup'))).toBe(false);

    const engine = await openEngine(layout);
    try {
      expect(viewOf(await engine.read('work', (state) => readGraph(state)))).toEqual(before.work);
      const backups = listBackups(engine);
      expect(backups.length, 'no backup was made before the upgrade').toBe(1);
      expect(backups[0]!.reason).toMatch(/upgrading/);
      expect(verifyBackup(engine, backups[0]!.id).ok).toBe(true);
      const entry = backups[0]!.files.find((f) => f.role === 'journal' && f.context === 'work')!;
      const read = readBackupFile(engine, backups[0]!, entry);
      const saved = 'bytes' in read ? read.bytes : Buffer.alloc(0);
      expect(saved.equals(oldJournal), 'the backup does not hold the format-0 journal as it was').toBe(true);

      const upgraded = fs.readFileSync(paths.journal);
      const first = upgraded.toString('utf8').split('\n')[0]!;
      const decoded = decodeJournalLine(first);
      expect(decoded.ok).toBe(true);
      expect(decoded.ok && decoded.entry.kind === 'header' && decoded.entry.format).toBe(JOURNAL_FORMAT);
      expect(decoded.ok && decoded.entry.kind === 'header' && decoded.entry.context).toBe('work');
      expect(upgraded.subarray(upgraded.length - oldJournal.length).equals(oldJournal), 'the old entries were changed by the upgrade').toBe(true);
      expect(fs.readFileSync(path.join(layout.root, '.recovery', fs.readdirSync(path.join(layout.root, '.recovery')).find((n) => n.endsWith('.log'))!), 'utf8')).toMatch(/upgraded/);

      // Writes work after the upgrade; the next open does not upgrade (or back up) again.
      await engine.transact('work', (state) => setEntity(state, { name: 'after_upgrade', entityType: 'note' }));
    } finally {
      await engine.close();
    }
    const again = await openEngine(layout);
    try {
      await again.read('work', (state) => readGraph(state));
      expect(listBackups(again).length).toBe(1);
    } finally {
      await again.close();
    }
    const seen = await graphsOnDisk(layout);
    expect(seen.work!.entities.after_upgrade).toBeDefined();
    expect(seen.default).toEqual(before.default);
  });

  it('is left as it is by a read-only engine, which still reads it', async () => {
    const { layout, before } = await rootWithJournal((lines) => lines.slice(1), false);
    const journalBytes = fs.readFileSync(contextPaths(layout, 'work').journal);
    const engine = await Engine.open({ layout, readOnly: true, rewriteDelayMs: -1 });
    try {
      expect(viewOf(await engine.read('work', (state) => readGraph(state)))).toEqual(before.work);
    } finally {
      await engine.close();
    }
    expect(fs.readFileSync(contextPaths(layout, 'work').journal).equals(journalBytes)).toBe(true);
    expect(fs.existsSync(path.join(layout.root, '.backup'))).toBe(false);
  });
});
