// Said at once, under the top bar: a context found damaged (by opening it, the hourly check, or
// the check after another program's change) with the way into the recovery wizard; and a repair
// made on its own (nothing could be lost), with the way to see what was found and done.
import { useStore } from 'zustand';
import { useStores } from './StoresProvider.tsx';

export function DamageAlert() {
  const { contexts, recovery } = useStores();
  const list = useStore(contexts, (s) => s.list);
  const found = useStore(recovery, (s) => s.damaged);
  // What the last open found (the sidebar's badge) and what the app's own check found since.
  const damaged = [
    ...list.filter((c) => c.health === 'damaged').map((c) => ({ context: c.context, findings: found[c.context] ?? c.findings })),
    ...Object.entries(found)
      .filter(([context]) => !list.some((c) => c.context === context && c.health === 'damaged'))
      .map(([context, findings]) => ({ context, findings })),
  ];
  const repairs = useStore(recovery, (s) => s.repairs);
  const unseen = useStore(recovery, (s) => s.unseen);
  const shown = repairs.filter((r) => unseen.includes(r.id));
  if (damaged.length === 0 && shown.length === 0) return null;
  return (
    <div className="damage-alerts" role="alert">
      {damaged.map((c) => (
        <div key={c.context} className="damage-alert bad">
          <span>
            ▲ Damage found in <strong>{c.context}</strong>: {c.findings[0] ?? 'a file could not be read whole'}
            {c.findings.length > 1 ? ` (and ${c.findings.length - 1} more)` : ''}.
          </span>
          <button type="button" className="primary" onClick={() => void recovery.getState().open(c.context)}>
            Open the recovery wizard for {c.context}
          </button>
        </div>
      ))}
      {shown.map((r) => (
        <div key={r.id} className="damage-alert">
          <span>
            {r.context} was damaged and has been repaired on its own from the journal; nothing was lost.
          </span>
          <button type="button" onClick={() => recovery.getState().openRepair(r)}>
            See what was done in {r.context}
          </button>
        </div>
      ))}
    </div>
  );
}
