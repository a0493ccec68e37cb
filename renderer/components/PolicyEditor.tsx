// The retention policy (how many daily, weekly and monthly backups are kept), with what it
// would keep and remove of the backups there now, shown as the numbers change and before it
// is saved. The newest verified backup and safety copies younger than 30 days are kept anyway.
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { IpcError } from '../../shared/contract.ts';
import type { BackupPolicy } from '../../shared/backupTypes.ts';
import { useStores } from './StoresProvider.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { formatTime } from '../model/dates.ts';

const FIELDS: [keyof BackupPolicy, string][] = [
  ['keepDaily', 'Daily backups to keep'],
  ['keepWeekly', 'Weekly backups to keep'],
  ['keepMonthly', 'Monthly backups to keep'],
];

export function PolicyEditor() {
  const { backups } = useStores();
  const view = useStore(backups, (s) => s.policy);
  const [draft, setDraft] = useState<Record<keyof BackupPolicy, string> | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => void backups.getState().loadPolicy(), [backups]);
  useEffect(() => {
    if (view && !draft) setDraft({ keepDaily: String(view.policy.keepDaily), keepWeekly: String(view.policy.keepWeekly), keepMonthly: String(view.policy.keepMonthly) });
  }, [view, draft]);
  if (!view || !draft) return <p className="muted">Reading the policy…</p>;

  const parsed = Object.fromEntries(FIELDS.map(([f]) => [f, Number(draft[f])])) as unknown as BackupPolicy;
  const wrong = FIELDS.filter(([f]) => !/^\d{1,5}$/.test(draft[f].trim()) || Number(draft[f]) > 10_000).map(([, label]) => label);

  async function change(field: keyof BackupPolicy, value: string) {
    const next = { ...draft!, [field]: value };
    setDraft(next);
    setSaved(false);
    const policy = Object.fromEntries(FIELDS.map(([f]) => [f, Number(next[f])])) as unknown as BackupPolicy;
    if (FIELDS.every(([f]) => /^\d{1,5}$/.test(next[f].trim()) && Number(next[f]) <= 10_000)) {
      const result = await backups.getState().previewPolicy(policy);
      setError(result.ok ? null : result.error);
    }
  }

  async function save() {
    const result = await backups.getState().savePolicy(parsed);
    setError(result.ok ? null : result.error);
    setSaved(result.ok);
  }

  const removing = view.verdicts.filter((v) => !v.keep);
  return (
    <section aria-label="Retention policy">
      <h3>How long backups are kept</h3>
      <div className="policy-fields">
        {FIELDS.map(([field, label]) => (
          <label key={field}>
            {label}
            <input inputMode="numeric" value={draft[field]} onChange={(e) => void change(field, e.target.value)} aria-invalid={wrong.includes(label)} />
          </label>
        ))}
      </div>
      {wrong.length > 0 && <p className="bad-text">{wrong.join(', ')}: a whole number from 0 to 10,000.</p>}
      <p>
        Of the {view.verdicts.length === 1 ? 'one backup' : `${view.verdicts.length} backups`} there now, this keeps {view.verdicts.length - removing.length} and removes {removing.length}
        {removing.length > 0 ? ' (at the next scheduled check, within the hour)' : ''}. The newest verified backup, and copies made before a restore or a repair in the last 30 days, are always kept.
      </p>
      {removing.length > 0 && (
        <ul aria-label="Backups the policy removes">
          {removing.map((v) => (
            <li key={v.id}>
              {formatTime(v.created)} ({v.kind})
            </li>
          ))}
        </ul>
      )}
      {view.problem && <p className="warn-text">{view.problem}</p>}
      {error && <ErrorMessage error={error} />}
      <div className="panel-row">
        <button type="button" className="primary" disabled={wrong.length > 0} onClick={() => void save()}>
          Save the policy
        </button>
        {saved && <span role="status">Saved for this data folder.</span>}
      </div>
    </section>
  );
}
