// A journal that lost entries our own rewrite of the context file holds: cut short after the
// rewrite (a journal restored from an older copy, a truncating tool, a disk that lost its end),
// or with a damaged entry before the rewrite's snapshot line. The file is the state as of the
// rewrite and the journal's commits after it are newer: each record is the file's except those
// the journal changed after the rewrite. Before, the file was merged three ways against the
// journal's view of it: a change the journal lost read as the file's change against ours, so a
// step deleted came back and an observation removed came back beside the new one (found by
// test/torture/truncation.test.ts's long round, 2044 cuts).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteEntity, readGraph, recordFromObject } from '../../electron/core/knowledgeGraph.ts';
import type { PendingChanges } from '../../electron/core/contextStore.ts';
import { contextPaths, resolveLayout } from '../../electron/core/dataRoot.ts';
import { readJournal } from '../../electron/core/journalFile.ts';
import { readCheckpoint } from '../../electron/core/checkpointFile.ts';
import { realFileSystem } from '../../electron/core/fileSystem.ts';
import { recoverAll } from '../../electron/core/recover.ts';
import { openEngine, removeTempDirs, tempDir, tempLayout } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

const CONTEXT = 'work';
/** Long enough that a small change to it is journaled as a splice of its line. */
const LONG = 'a long observation '.repeat(20);

/** Puts these entities whole, with these observations (setEntity would add them to the ones there). */
const entities = (names: readonly string[], observations: readonly string[]): PendingChanges => ({
  puts: names.map((name) => recordFromObject({ type: 'entity', name, entityType: 't', observations: [...observations] })),
  deletes: [],
});
const namesAndObservations = (graph: ReturnType<typeof readGraph>) => Object.fromEntries(graph.entities.map((e) => [e.name, e.observations]));

describe('a journal that lost entries our rewrite holds', () => {
  it('cut short before the rewrite: the state is the file, and sequence numbers and operation ids go on from the checkpoint', async () => {
    const layout = tempLayout();
    const paths = contextPaths(layout, CONTEXT);
    const engine = await openEngine(layout);
    await engine.transact(CONTEXT, () => ({ puts: [...entities(['keep'], ['first']).puts, ...entities(['gone'], ['made']).puts], deletes: [] }));
    const cutAfter = readJournal(realFileSystem, paths.journal).endOffset;
    await engine.transact(CONTEXT, () => entities(['keep'], ['second']), { op: 'op-second' });
    await engine.transact(CONTEXT, (s) => deleteEntity(s, 'gone'));
    await engine.close(); // rewrites the file and writes the checkpoint
    const fileBefore = fs.readFileSync(paths.file, 'utf8');
    const checkpoint = readCheckpoint(realFileSystem, paths.checkpoint);
    expect(checkpoint?.seq, 'the close wrote a checkpoint').toBeGreaterThan(0);
    fs.truncateSync(paths.journal, cutAfter);

    const reopened = await openEngine(layout);
    expect(namesAndObservations(await reopened.read(CONTEXT, (s) => readGraph(s)))).toEqual({ keep: ['second'] });
    const retry = await reopened.transact(CONTEXT, () => entities(['keep'], ['second', 'twice']), { op: 'op-second' });
    expect(retry.duplicate, 'an operation the file holds is not applied again').toBe(true);
    const next = await reopened.transact(CONTEXT, () => entities(['after'], ['new']));
    expect(next.seq, 'no sequence number the lost entries had is used again').toBeGreaterThan(checkpoint?.seq ?? Infinity);
    await reopened.close();

    const again = await openEngine(layout);
    expect(namesAndObservations(await again.read(CONTEXT, (s) => readGraph(s)))).toEqual({ keep: ['second'], after: ['new'] });
    await again.close();
    expect(fs.readFileSync(paths.file, 'utf8')).toContain(fileBefore.split('\n')[0]);
  });

  it('a damaged entry before the rewrite: the file, with the commits after it; an edit made to what the damaged entry held keeps the file form', async () => {
    const layout = tempLayout();
    const paths = contextPaths(layout, CONTEXT);
    const engine = await openEngine(layout);
    await engine.transact(CONTEXT, () => entities(['spliced', 'changed', 'deleted', 'untouched'], [`${LONG} one`]));
    const damagedAt = readJournal(realFileSystem, paths.journal).endOffset;
    await engine.transact(CONTEXT, () => entities(['spliced', 'changed', 'deleted', 'untouched'], [`${LONG} two`]));
    await engine.flush(); // the rewrite: every record's "two", named by a snapshot line
    await engine.transact(CONTEXT, () => entities(['spliced'], [`${LONG} three`]));
    await engine.transact(CONTEXT, () => entities(['changed'], ['short and new']));
    await engine.transact(CONTEXT, (s) => deleteEntity(s, 'deleted'));
    const journal = readJournal(realFileSystem, paths.journal);
    const spliceEntry = journal.entries.find(({ entry }) => entry.kind === 'commit' && entry.changes.some((c) => c.splice !== undefined && JSON.stringify(c).includes('spliced')));
    expect(spliceEntry, 'the edit after the rewrite is journaled as a splice').toBeDefined();
    // The engine is left as a crash leaves it (close would rewrite): a copy is damaged and opened.
    const copy = resolveLayout({ data: path.join(tempDir(), '.coaia') });
    fs.cpSync(layout.root, copy.root, { recursive: true });
    await engine.close();
    const copyJournal = contextPaths(copy, CONTEXT).journal;
    const bytes = fs.readFileSync(copyJournal);
    bytes[damagedAt + 30] = (bytes[damagedAt + 30] as number) ^ 0x55;
    fs.writeFileSync(copyJournal, bytes);

    const reopened = await openEngine(copy);
    expect(namesAndObservations(await reopened.read(CONTEXT, (s) => readGraph(s)))).toEqual({
      spliced: [`${LONG} two`], // its edit after the rewrite was made to a form only the damaged entry held: the file's stands
      changed: ['short and new'],
      untouched: [`${LONG} two`],
    });
    const findings = await reopened.read(CONTEXT, (_state, store) => store.findings.map((f) => f.kind));
    expect(findings).toEqual(expect.arrayContaining(['journal-bad-line', 'journal-edit-mismatch']));
    await reopened.close();
  });

  it('a damaged deletion and a damaged last snapshot line: the repair keeps the record deleted (the checkpoint still names the file)', async () => {
    const layout = tempLayout();
    const paths = contextPaths(layout, CONTEXT);
    const engine = await openEngine(layout);
    await engine.transact(CONTEXT, () => entities(['kept', 'deleted'], ['made']));
    await engine.flush();
    await engine.transact(CONTEXT, (s) => deleteEntity(s, 'deleted'));
    await engine.transact(CONTEXT, () => entities(['later'], ['made after']));
    await engine.close(); // the rewrite without "deleted", its snapshot line last, the checkpoint naming it
    const entries = readJournal(realFileSystem, paths.journal).entries;
    const deletion = entries.find(({ entry }) => entry.kind === 'commit' && entry.changes.some((c) => c.del !== undefined));
    const lastSnapshot = entries.at(-1);
    expect(deletion, 'the deletion has an entry of its own').toBeDefined();
    expect(lastSnapshot?.entry.kind, 'the journal ends with the rewrite\'s snapshot line').toBe('snapshot');
    const bytes = fs.readFileSync(paths.journal);
    for (const at of [(deletion?.start ?? 0) + 1, (lastSnapshot?.start ?? 0) + 1]) bytes[at] = (bytes[at] as number) ^ 0x55;
    fs.writeFileSync(paths.journal, bytes);

    const reopened = await openEngine(layout);
    const names = async () => Object.keys(namesAndObservations(await reopened.read(CONTEXT, (s) => readGraph(s)))).sort();
    expect(await names()).toEqual(['kept', 'later']);
    await recoverAll(reopened);
    expect(await names(), 'after the repair').toEqual(['kept', 'later']);
    await reopened.close();
    expect(fs.readFileSync(paths.file, 'utf8')).not.toContain('"deleted"');
  });
});
