// Undoing a merge is all or nothing: a write failing at any point of it (the SQLite-style walk:
// the 1st, 2nd, 3rd… call that changes the disk fails with ENOSPC) leaves the merge as it was
// or the undo done, and the same undo sent again finishes it; a refusal changes nothing, not
// even which contexts are listed. The real handler table and engine on real files, with the
// fs seam failing on purpose.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandlerTable, type SenderInfo } from '../../electron/ipc/handlerTable.ts';
import { retiredNotePath } from '../../electron/core/contexts/retiredContexts.ts';
import { FaultyFileSystem } from '../faults/faultyFileSystem.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { recordsOf } from '../helpers/ownWindowTable.ts';
import { smallChartRecords, writeContextFile } from '../helpers/contextFiles.ts';

afterEach(removeTempDirs);

const own: SenderInfo = { id: 1, url: 'app://tension/index.html' };

/**
 * misc (a chart of its own, one work has a different version of, and another program's entity
 * Alice) merged into work: the undo has charts to move back, one to take its id back, and a
 * record of no chart to return.
 */
async function merged() {
  const layout = tempLayout();
  writeContextFile(layout, 'misc', [...smallChartRecords('chart_m', 'misc', 'Misc chart'), ...smallChartRecords('chart_c', 'misc', 'Misc version'), { type: 'entity', name: 'Alice', entityType: 'person', observations: ['Works on billing'] }]);
  writeContextFile(layout, 'work', [...smallChartRecords('chart_w', 'work', 'Work chart'), ...smallChartRecords('chart_c', 'work', 'Work version')]);
  const faulty = new FaultyFileSystem();
  faulty.logging = false;
  const engine = await openEngine(layout, { fs: faulty });
  const table = createHandlerTable({ engine, isOwnSender: (s) => s.id === own.id });
  const call = (channel: string, input: unknown) => table.handle(channel, input, own);
  const value = async <T,>(channel: string, input: unknown): Promise<T> => {
    const result = await call(channel, input);
    if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
    return result.value as T;
  };
  const state = async () => ({ misc: (await recordsOf(engine, 'misc')).sort(), work: (await recordsOf(engine, 'work')).sort(), listed: (await value<{ context: string }[]>('contexts.list', {})).map((c) => c.context) });
  const before = await state();
  const merge = await value<{ move: { moved: string[]; renamed: Record<string, string> } }>('contexts.merge', { from: 'misc', into: 'work', onCollision: 'new-id', op: 'm1' });
  expect(merge.move.renamed).toEqual({ chart_c: 'chart_c_2' });
  return { layout, engine, faulty, call, value, state, before, undo: { from: 'misc', into: 'work', charts: merge.move.moved } };
}

describe('undoing a merge, all or nothing', () => {
  it('a write failing at any point of the undo: the same undo sent again finishes it', async () => {
    let failedAt = 0;
    for (let n = 1; n < 200; n += 1) {
      const { engine, faulty, call, state, before, undo } = await merged();
      faulty.arm({ nth: n, when: (c) => c.mutates, effect: { kind: 'errno', errno: 'ENOSPC' } });
      const first = await call('contexts.undoMerge', { ...undo, op: 'u1' });
      const hit = faulty.hits > 0;
      faulty.disarm();
      if (!first.ok) failedAt += 1;
      const again = await call('contexts.undoMerge', { ...undo, op: 'u1' });
      expect(again.ok ? 'ok' : `${again.error.code} ${again.error.message}`, `the write ${n} failed (${first.ok ? 'answered ok' : first.error.message}); the retry`).toBe('ok');
      expect(await state(), `the write ${n} failed, then the retry`).toEqual(before);
      await engine.close();
      if (!hit) break;
    }
    expect(failedAt).toBeGreaterThan(0);
  }, 120_000);

  it('a refusal changes nothing: the merged context stays retired, not listed', async () => {
    const { layout, engine, call, state } = await merged();
    const after = await state();
    const note = fs.readFileSync(retiredNotePath(layout, 'misc'), 'utf8');
    // Work's own chart_c named with the one the merge renamed: both would be chart_c in misc.
    const refused = await call('contexts.undoMerge', { from: 'misc', into: 'work', charts: ['chart_c', 'chart_c_2'], op: 'u1' });
    expect(refused.ok ? 'ok' : refused.error.code).toBe('CONFLICT');
    expect(await state()).toEqual(after);
    expect(after.listed).toEqual(['work']);
    expect(fs.readFileSync(retiredNotePath(layout, 'misc'), 'utf8')).toBe(note);
    await engine.close();
  });
});
