// The health and insights views' store on the real handlers (in-memory transport): the figures
// each view shows, read again when main says they moved, and a problem main tells of kept for
// the sidebar until the health view is opened.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { removeTempDirs } from '../helpers/tempRoot.ts';
import { startInsightUpdates } from '../../renderer/stores/insightsStore.ts';
import { realHarness } from './realTransport.ts';

afterEach(removeTempDirs);

describe('the health and insights store', () => {
  it('shows a context\'s insights, and reads them again when main says they moved', async () => {
    const h = await realHarness();
    const { id } = await h.charts.create('work', { outcome: 'Ship billing', reality: 'Pilot only', steps: ['Automate invoices', 'Migrate'] });
    const stop = startInsightUpdates(h.transport, h.stores.insights, h.stores.client);
    await h.stores.insights.getState().show('insights', 'work');
    expect(h.stores.insights.getState().insights?.steps).toEqual({ open: 2, done: 0 });
    await h.charts.completeStep('work', `${id}_action_1`);
    h.transport.emit('insights.changed', { context: 'work' });
    await vi.waitFor(() => expect(h.stores.insights.getState().insights?.steps).toEqual({ open: 1, done: 1 }));
    await h.stores.insights.getState().showProgress(id, 'work');
    expect(h.stores.insights.getState().progress?.progress.done.at(-1)?.value).toBe(1);
    stop();
    await h.engine.close();
  });

  it('keeps a problem told while the charts are shown, until the health view is opened', async () => {
    const h = await realHarness();
    await h.charts.create('work', { outcome: 'Ship billing', reality: 'Pilot only' });
    const stop = startInsightUpdates(h.transport, h.stores.insights, h.stores.client);
    const notice = { id: 'backup-stale:none', severity: 'warning' as const, title: 'No backup yet', message: 'Nothing has been backed up.', action: { label: 'Back up now', command: 'tension backup create' } };
    h.transport.emit('health.notice', notice);
    h.transport.emit('health.notice', notice); // the same problem again: still one
    expect(h.stores.insights.getState().unseen).toEqual([notice]);
    await h.stores.insights.getState().show('health');
    expect(h.stores.insights.getState().unseen).toEqual([]);
    expect(h.stores.insights.getState().health?.contexts.map((c) => c.context)).toEqual(['work']);
    stop();
    await h.engine.close();
  });
});
