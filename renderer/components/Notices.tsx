// Errors that belong to no form (a list that could not load) and short notes (undo).
import { useStore } from 'zustand';
import { useStores } from './StoresProvider.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';

export function Notices() {
  const { notifications } = useStores();
  const notices = useStore(notifications, (s) => s.notices);
  if (notices.length === 0) return null;
  return (
    <div className="notices" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.kind}`}>
          <span>{n.title}</span>
          {n.error && <ErrorMessage error={n.error} />}
          <button type="button" onClick={() => notifications.getState().dismiss(n.id)} aria-label="Dismiss">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
