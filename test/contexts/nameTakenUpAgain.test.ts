// A context name used again after its context was deleted or renamed away: by a rename into it,
// or by creating a context of that name. The deleted context stays restorable (its deletion is
// in its journal, whatever the retired note says now), and a created one is listed. Run on the
// real handler table, as the window calls it, and across processes with the real CLI.
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { cliOk, runCli } from '../helpers/runCli.ts';
import { ownWindowTable, recordsOf as records } from '../helpers/ownWindowTable.ts';

afterEach(removeTempDirs);

const setUp = ownWindowTable;
type Value = (channel: string, input: unknown) => Promise<unknown>;
const outcomes = async (value: Value) => ((await value('charts.list', {})) as { context: string; desiredOutcome: string }[]).map((c) => `${c.context}: ${c.desiredOutcome}`).sort();
const listed = async (value: Value) => ((await value('contexts.list', {})) as { context: string }[]).map((c) => c.context);

describe('a deleted context whose name is used again', () => {
  it('deleted, then another context renamed to its name and the rename undone: undoing the deletion brings every record back', async () => {
    const { engine, value } = await setUp();
    await value('charts.create', { context: 'misc', outcome: 'Old misc chart', reality: ['r'] });
    await value('charts.create', { context: 'work', outcome: 'Work chart', reality: ['r'] });
    const miscBefore = await records(engine, 'misc');
    await value('contexts.delete', { context: 'misc', op: 'd1' });
    await value('contexts.rename', { from: 'work', to: 'misc', op: 'r1' });
    expect(await outcomes(value)).toEqual(['misc: Work chart']);
    // Undo, newest first, as the window's undo stack runs them.
    await value('contexts.rename', { from: 'misc', to: 'work', op: 'undo-r1' });
    const restored = await value('contexts.restoreDeleted', { context: 'misc', op: 'undo-d1' });
    expect(restored).toMatchObject({ context: 'misc', records: miscBefore.length, keptNewer: [] });
    expect(await records(engine, 'misc')).toEqual(miscBefore);
    expect(await outcomes(value)).toEqual(['misc: Old misc chart', 'work: Work chart']);
    expect(await listed(value)).toEqual(['misc', 'work']);
    // The same request again is answered, not applied; another restore finds nothing to undo.
    expect(await value('contexts.restoreDeleted', { context: 'misc', op: 'undo-d1' })).toMatchObject({ records: 0 });
    expect((await engine.listContexts()).map((c) => c.context)).toEqual(['misc', 'work']);
    await expect(value('contexts.restoreDeleted', { context: 'misc' })).rejects.toThrow(/NOT_FOUND .*was not deleted/);
    await engine.close();
  });

  it('with the name in use when the deletion is undone, the deleted charts come back beside what it holds, which is untouched', async () => {
    const { engine, value } = await setUp();
    await value('charts.create', { context: 'misc', outcome: 'Old misc chart', reality: ['r'] });
    await value('charts.create', { context: 'work', outcome: 'Work chart', reality: ['r'] });
    const workBefore = await records(engine, 'work');
    await value('contexts.delete', { context: 'misc' });
    await value('contexts.rename', { from: 'work', to: 'misc' });
    await value('contexts.restoreDeleted', { context: 'misc' });
    expect(await outcomes(value)).toEqual(['misc: Old misc chart', 'misc: Work chart']);
    const misc = await records(engine, 'misc');
    for (const raw of workBefore) expect(misc).toContain(raw.replaceAll('"context":"work"', '"context":"misc"'));
    await engine.close();
  });

  it('across processes: deleted, renamed over and renamed back by the CLI, restored by the CLI', async () => {
    const { layout, engine, value } = await setUp();
    await value('charts.create', { context: 'misc', outcome: 'Old misc chart', reality: ['r'] });
    await value('charts.create', { context: 'work', outcome: 'Work chart', reality: ['r'] });
    await engine.close();
    const data = layout.root;
    cliOk(['context', 'delete', 'misc'], data);
    cliOk(['context', 'rename', 'work', 'misc'], data);
    cliOk(['context', 'rename', 'misc', 'work'], data);
    expect(cliOk(['context', 'restore', 'misc'], data)).toMatch(/restored context misc/);
    expect(cliOk(['chart', 'list', '--context', 'misc'], data)).toContain('Old misc chart');
    expect(cliOk(['chart', 'list', '--context', 'work'], data)).toContain('Work chart');
    expect(runCli(['context', 'restore', 'misc', '--data', data]).status).not.toBe(0);
  });
});

describe('creating a context under a name used before', () => {
  it('after a deletion: the new context is listed (here and in a fresh process), and the deleted one can still be restored beside it', async () => {
    const { layout, engine, value } = await setUp();
    await value('charts.create', { context: 'misc', outcome: 'Old misc chart', reality: ['r'] });
    await value('contexts.delete', { context: 'misc' });
    await value('contexts.create', { context: 'misc' });
    expect(await listed(value)).toEqual(['misc']);
    await engine.flush();
    expect(cliOk(['contexts'], layout.root)).toMatch(/^misc\b/m);
    await value('charts.create', { context: 'misc', outcome: 'New misc chart', reality: ['r'] });
    await value('contexts.restoreDeleted', { context: 'misc' });
    expect(await outcomes(value)).toEqual(['misc: New misc chart', 'misc: Old misc chart']);
    await engine.close();
  });

  it('after a rename away: the new context is listed, and holds nothing of the renamed one', async () => {
    const { engine, value } = await setUp();
    await value('charts.create', { context: 'work', outcome: 'Work chart', reality: ['r'] });
    await value('contexts.rename', { from: 'work', to: 'job' });
    await value('contexts.create', { context: 'work' });
    expect(await listed(value)).toEqual(['job', 'work']);
    expect(await outcomes(value)).toEqual(['job: Work chart']);
    await engine.close();
  });
});
