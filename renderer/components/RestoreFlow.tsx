// Restoring from one backup: pick the context (a backup holds several), see what restoring it
// would do, restore it whole, or pick one chart and see that backup's version beside today's
// before restoring only that chart. Nothing is changed until Restore is pressed.
import { useStore } from 'zustand';
import { useStores } from './StoresProvider.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { RestorePreviewView } from './RestorePreviewView.tsx';
import { formatTime } from '../model/dates.ts';

export function RestoreFlow() {
  const { backups } = useStores();
  const restore = useStore(backups, (s) => s.restore);
  const overview = useStore(backups, (s) => s.overview);
  if (!restore) return null;
  const { target, preview, error } = restore;
  const backup = overview?.backups.find((b) => b.id === target.id);
  const store = backups.getState();
  return (
    <section aria-label="Restore from a backup" className="restore-flow">
      <h3>Restore from the backup of {backup ? formatTime(backup.created) : target.id}</h3>
      <div className="panel-row">
        <label>
          Context{' '}
          <select value={target.context} onChange={(e) => void store.previewRestore({ id: target.id, context: e.target.value })}>
            {(backup?.contexts ?? [target.context]).map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        {target.chartId && (
          <button type="button" onClick={() => void store.previewRestore({ id: target.id, context: target.context })}>
            Back to the whole context
          </button>
        )}
      </div>
      {error && <ErrorMessage error={error} />}
      {!preview && !error && <p className="muted">Reading the backup…</p>}
      {preview && <RestorePreviewView preview={preview} onPickChart={target.chartId ? undefined : (chartId) => void store.previewRestore({ ...target, chartId })} />}
      <p className="muted">Before anything is replaced, everything as it is now is backed up; the restore can be undone.</p>
      <div className="panel-row">
        <button type="button" className="primary" disabled={!preview} onClick={() => void store.confirmRestore()}>
          {target.chartId ? 'Restore this chart' : `Restore all of ${target.context}`}
        </button>
        <button type="button" onClick={() => store.cancelRestore()}>
          Cancel
        </button>
      </div>
    </section>
  );
}
