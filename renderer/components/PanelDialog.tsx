// A window-sized panel over the app (the backups panel, Recently deleted, the recovery wizard):
// focus moves into it when it opens and back where it was when it closes; Escape closes it; it
// fits an 800×600 window (the body scrolls, the header with Close stays).
import { useEffect, useRef, type ReactNode } from 'react';
import '../styles/backups.css';

export function PanelDialog({ label, title, onClose, children, footer }: { label: string; title: ReactNode; onClose: () => void; children: ReactNode; footer?: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    ref.current?.querySelector<HTMLElement>('h2')?.focus();
    return () => before?.focus?.();
  }, []);
  return (
    <div className="dialog-backdrop panel-backdrop">
      <div
        ref={ref}
        className="dialog panel-dialog"
        role="dialog"
        aria-modal="true"
        aria-label={label}
        onKeyDown={(e) => {
          if (e.key !== 'Escape') return;
          e.stopPropagation();
          onClose();
        }}
      >
        <div className="panel-head">
          <h2 tabIndex={-1}>{title}</h2>
          <button type="button" onClick={onClose} aria-label={`Close ${label}`}>
            Close
          </button>
        </div>
        <div className="panel-body">{children}</div>
        {footer && <div className="panel-foot">{footer}</div>}
      </div>
    </div>
  );
}
