// Long work shows a progress bar once it has taken longer than a moment: a measured bar when
// the task reports done/total (backups, recovery), an indeterminate one otherwise.
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
  const task = slow[0];
  if (!task) return <div className="progress-slot" />;
  const measured = task.total !== undefined && task.total > 0 && task.done !== undefined;
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
