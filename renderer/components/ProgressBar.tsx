// Long work shows a progress bar once it has taken longer than a moment: a measured bar when
// the task reports done/total (backups, recovery, a long read of a context file), shown before
// the others; an indeterminate one otherwise.
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { useStores } from './StoresProvider.tsx';

export const PROGRESS_AFTER_MS = 300;

export function ProgressBar() {
  const { notifications } = useStores();
  const tasks = useStore(notifications, (s) => s.tasks);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (tasks.length === 0) return;
    const timer = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(timer);
  }, [tasks.length]);
  const slow = tasks.filter((t) => now - t.startedAt >= PROGRESS_AFTER_MS);
  // A measured task first: at a first open of a large file every request of the window waits
  // for its read ("Reading the backups", …), and the bar of that read says why and how far.
  const task = slow.find(isMeasured) ?? slow[0];
  if (!task) return <div className="progress-slot" />;
  const measured = isMeasured(task);
  return (
    <div className="progress-slot" aria-live="polite">
      <label className="progress-label">
        {task.label}
        {slow.length > 1 ? ` (+${slow.length - 1} more)` : ''}
        {measured ? (
          <progress value={task.done} max={task.total} aria-label={task.label} />
        ) : (
          <progress aria-label={task.label} />
        )}
      </label>
    </div>
  );
}

/** A task that tells how far it has gone (done of total), not only that it runs. */
function isMeasured(task: { readonly done?: number; readonly total?: number }): boolean {
  return task.total !== undefined && task.total > 0 && task.done !== undefined;
}
