// Live: another process (an MCP server, the CLI) or this app changed a context. Changes come
// in bursts, so they are gathered for a moment and each context is refreshed once; views keep
// what they show (and forms what is typed) until the fresh data arrives.
import type { AppStores } from './appStores.ts';
import { noticeOfExternalChange } from '../../shared/externalChangeNotes.ts';

// Main gathers a burst of file events already (the watcher's own debounce); this only joins
// the events of one moment into one refresh per context. Short: a refresh is a difference
// (charts.changes), and an outside change should be on screen within 150 ms.
export const LIVE_DEBOUNCE_MS = 30;

export function startLiveUpdates(stores: AppStores): () => void {
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const progressTasks = new Map<string, number>();

  function flush() {
    timer = undefined;
    const contexts = [...pending];
    pending.clear();
    for (const context of contexts) void stores.refreshContext(context);
  }

  const offs = [
    stores.transport.on('data.changed', ({ context, external }) => {
      for (const finding of external) {
        const notice = noticeOfExternalChange(context, finding);
        if (notice !== undefined) stores.notifications.getState().notify('info', notice);
      }
      pending.add(context);
      timer ??= setTimeout(flush, LIVE_DEBOUNCE_MS);
    }),
    stores.transport.on('health.changed', () => void stores.contexts.getState().load()),
    // data.loading: a long load of a context file (its chart list waits for it).
    ...(['backup.progress', 'recovery.progress', 'data.loading'] as const).map((event) =>
      stores.transport.on(event, ({ task, done, total }) => {
        const notifications = stores.notifications.getState();
        const id = progressTasks.get(task) ?? notifications.startTask(task, total);
        progressTasks.set(task, id);
        if (done >= total) {
          notifications.endTask(id);
          progressTasks.delete(task);
        } else notifications.updateTask(id, done, total);
      }),
    ),
  ];
  return () => {
    if (timer) clearTimeout(timer);
    for (const off of offs) off();
  };
}
