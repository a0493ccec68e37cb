// The window, when another program's change meets a deletion (docs/FORMAT.md, "Other writers"):
// the person deletes a chart while an assistant, through the real coaia-narrative, completes
// one of its steps; the chart comes back with that change, and the window says why, or the
// person would see their deletion undone with no reason. The other way too: the assistant
// deletes a chart while the person retitles one of its steps.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DataRootWatcher } from '../../electron/core/dataRootWatcher.ts';
import { contextPaths } from '../../electron/core/dataRoot.ts';
import { startLiveUpdates } from '../../renderer/stores/liveUpdates.ts';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { peerVersionAfter, type ToolCall } from '../peers/memoryServerClient.ts';
import { peerWriteAndRename } from '../peers/peerFiles.ts';
import { realHarness, type Harness } from './realTransport.ts';

afterEach(removeTempDirs);

/** A chart in `work`, the window hearing of other processes' changes; the peer's calls made on the file as it is now, its version landing after `ours`. */
async function race(calls: (id: string) => ToolCall[], ours: (h: Harness, id: string) => Promise<unknown>) {
  const h = await realHarness();
  // Not most of its file: a file that lost more than half of its records at once reads as one
  // caught mid-write (nothing taken as deleted), not as a deletion.
  for (const outcome of ['Move house', 'Learn the cello', 'Plant the garden']) await h.charts.create('work', { outcome, reality: ['Not yet'], steps: ['Begin'] });
  const { id } = await h.charts.create('work', { outcome: 'Publish the guide', reality: ['A draft exists'], steps: ['Write the outline', 'Edit'] });
  await h.engine.flush();
  const file = contextPaths(h.engine.layout, 'work').file;
  const theirs = (await peerVersionAfter(file, 'coaia-narrative', calls(id))).text;
  const watcher = new DataRootWatcher(h.engine, (c) => h.transport.emit('data.changed', { context: c.context, seq: c.seq, external: c.findings }), () => undefined, { debounceMs: 30, pollMs: 200 });
  await watcher.start();
  const stop = startLiveUpdates(h.stores);
  await ours(h, id);
  peerWriteAndRename(file, theirs);
  const notices = async () => {
    await vi.waitFor(() => expect(h.stores.notifications.getState().notices.length).toBeGreaterThan(0), { timeout: 10_000 });
    return h.stores.notifications.getState().notices.map((n) => [n.kind, n.title]);
  };
  const close = async () => {
    stop();
    await watcher.stop();
    await h.engine.close();
  };
  return { h, id, notices, close };
}

describe('the window when another program meets a deletion', () => {
  it('a chart the person deleted comes back because an assistant completed one of its steps: the window says so', async () => {
    const { h, id, notices, close } = await race((id) => [['mark_action_complete', { actionStepName: `${id}_action_2` }]], (h, id) => h.charts.removeChart('work', id));
    try {
      expect(await notices()).toEqual([['info', 'Something deleted in work is back: another program changed it at the same moment. Its history shows both; delete it again if you still mean to.']]);
      expect((await h.charts.show('work', id)).steps.map((s) => s.completed)).toEqual([false, true]);
    } finally {
      await close();
    }
  });

  it('an assistant deletes a chart while the person retitles one of its steps: the window says the change was kept', async () => {
    const deleteChart = (id: string): ToolCall[] => [['delete_entities', { entityNames: [`${id}_chart`, `${id}_desired_outcome`, `${id}_current_reality`, `${id}_action_1`, `${id}_action_2`] }]];
    const { h, id, notices, close } = await race(deleteChart, (h, id) => h.charts.editStep('work', `${id}_action_2`, { title: 'Edit twice' }));
    try {
      expect(await notices()).toEqual([['info', 'Another program deleted something in work while it was being changed here; the change was kept, with what it belongs to. Its history shows both.']]);
      expect((await h.charts.show('work', id)).steps.map((s) => s.title)).toEqual(['Write the outline', 'Edit twice']);
    } finally {
      await close();
    }
  });
});
