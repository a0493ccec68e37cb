// Recovery wizard, steps 3 to 5: the repaired context as the repair will leave it (made by the
// repair's own plan), the choice (repair, restore from a chosen backup, or leave it as it is,
// after a backup of the current state unless the person says not to), and the result, checked
// afterwards, with the log entry and the files set aside in .recovery/, each openable.
import { useStore } from 'zustand';
import type { RecoveryAnalysisView } from '../../shared/backupTypes.ts';
import { useStores } from './StoresProvider.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { RestorePreviewView } from './RestorePreviewView.tsx';
import { formatTime } from '../model/dates.ts';
import { byteSize } from '../../shared/byteSize.ts';

export function PreviewStep({ analysis }: { analysis: RecoveryAnalysisView }) {
  const p = analysis.preview;
  return (
    <section aria-label="Preview of the repaired context">
      <p>
        After the repair, {analysis.context} holds {p.records} records ({p.entities} entities, {p.relations} relations) in {p.charts.length} charts.
        {p.fromJournal > 0 ? ` ${p.fromJournal} damaged ${p.fromJournal === 1 ? 'line comes' : 'lines come'} back from the journal.` : ''}
        {p.fromBackups.length > 0 ? ` ${p.fromBackups.length} ${p.fromBackups.length === 1 ? 'record comes' : 'records come'} from backups.` : ''}
        {p.lost > 0 ? ` ${p.lost} damaged ${p.lost === 1 ? 'line holds' : 'lines hold'} nothing that can be restored: ${p.lost === 1 ? 'it is' : 'they are'} kept in .recovery/.` : ''}
      </p>
      {p.fromBackups.length > 0 && (
        <ul>
          {p.fromBackups.map((b, i) => (
            <li key={i}>
              {b.label}: from the backup of {formatTime(b.created)}
            </li>
          ))}
        </ul>
      )}
      <ul aria-label="Charts after the repair">
        {p.charts.map((c) => (
          <li key={c.id} className={c.desiredOutcome ? undefined : 'warn-text'}>
            {c.desiredOutcome || `A chart whose desired outcome would be missing (${c.id})`}
          </li>
        ))}
      </ul>
      {p.charts.some((c) => !c.desiredOutcome) && analysis.backups.length > 0 && (
        <p className="warn-text">Part of a chart cannot be repaired from the journal. Restoring the context from a backup (the next step) may bring it back whole: its preview shows what it holds.</p>
      )}
      <details>
        <summary>The repaired file's first lines</summary>
        <pre className="damaged-bytes">
          {p.lines.join('\n')}
          {p.moreLines > 0 ? `\n… and ${p.moreLines} more lines` : ''}
        </pre>
      </details>
    </section>
  );
}

export function ChoiceStep({ analysis }: { analysis: RecoveryAnalysisView }) {
  const { recovery } = useStores();
  const choice = useStore(recovery, (s) => s.choice);
  const backupFirst = useStore(recovery, (s) => s.backupFirst);
  const restorePreview = useStore(recovery, (s) => s.restorePreview);
  const usable = analysis.backups.filter((b) => b.verified !== false);
  const store = recovery.getState();
  return (
    <section aria-label="Choose what to do">
      <fieldset className="choice-list">
        <legend>What should be done with {analysis.context}?</legend>
        <label>
          <input type="radio" name="recovery-choice" checked={choice.action === 'repair'} onChange={() => void store.choose({ action: 'repair' })} />
          <span>
            <strong>Repair it</strong> (recommended): as the preview shows; damaged bytes are kept in .recovery/.
          </span>
        </label>
        <label>
          <input type="radio" name="recovery-choice" checked={choice.action === 'restore'} disabled={usable.length === 0} onChange={() => usable[0] && void store.choose({ action: 'restore', backup: usable[0].id })} />
          <span>
            <strong>Restore it from a backup</strong>
            {usable.length === 0 ? ' (no backup holds this context)' : ': everything in the context becomes as it was then.'}
          </span>
        </label>
        {choice.action === 'restore' && (
          <label className="inline">
            Backup{' '}
            <select aria-label="Backup to restore from" value={choice.backup} onChange={(e) => void store.choose({ action: 'restore', backup: e.target.value })}>
              {usable.map((b) => (
                <option key={b.id} value={b.id}>
                  {formatTime(b.created)} ({b.kind}){b.verified ? ', verified' : ''}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          <input type="radio" name="recovery-choice" checked={choice.action === 'leave'} onChange={() => void store.choose({ action: 'leave' })} />
          <span>
            <strong>Leave it as it is</strong>: nothing is changed; the damage stays and is noted in the recovery log.
          </span>
        </label>
      </fieldset>
      {choice.action === 'repair' && (
        <label className="inline">
          <input type="checkbox" checked={backupFirst} onChange={(e) => store.setBackupFirst(e.target.checked)} /> Back up the current state first, damaged lines included (recommended)
        </label>
      )}
      {choice.action === 'restore' && <p className="muted">What is there now is backed up first, so the restore can be undone from the backups panel.</p>}
      {choice.action === 'restore' && restorePreview && <RestorePreviewView preview={restorePreview} />}
    </section>
  );
}

export function ResultStep() {
  const { recovery } = useStores();
  const outcome = useStore(recovery, (s) => s.outcome);
  const automatic = useStore(recovery, (s) => s.automatic);
  const files = useStore(recovery, (s) => s.files);
  const opened = useStore(recovery, (s) => s.opened);
  if (!outcome) return null;
  const done = outcome.action === 'repair' ? 'Repaired' : outcome.action === 'restore' ? 'Restored from the backup' : 'Left as it is';
  return (
    <section aria-label="The result">
      {automatic && <p>This was repaired on its own at {formatTime(automatic.at)}: everything damaged was still in the journal, so nothing could be lost and there was nothing to choose.</p>}
      <p className={outcome.verified.ok ? 'ok-text' : 'bad-text'} role="status">
        {done}. {outcome.verified.ok ? `Checked afterwards: ${outcome.context} is sound.` : `Checked afterwards: ${outcome.verified.findings.map((f) => f.message).join('; ')}`}
        {outcome.matchesPreview === false ? ' The result differs from the preview.' : ''}
      </p>
      {outcome.actions.length > 0 && (
        <ul>
          {outcome.actions.map((a, i) => (
            <li key={i}>{a.action}</li>
          ))}
        </ul>
      )}
      {outcome.safetyBackup && <p>The state before is kept in the backup {outcome.safetyBackup}.</p>}
      {outcome.unrecovered.length > 0 && <p className="warn-text">Not restorable from anywhere (kept in .recovery/): {outcome.unrecovered.join('; ')}</p>}
      <p className="muted">Written to the recovery log: {outcome.logFile}</p>
      <h3>Kept in .recovery/</h3>
      {files.length === 0 ? (
        <p className="muted">Nothing.</p>
      ) : (
        <ul aria-label="Files in .recovery">
          {files.map((f) => (
            <li key={f.name}>
              <button type="button" className="link" onClick={() => void recovery.getState().openFile(f.name)}>
                {f.name}
              </button>{' '}
              <span className="muted">
                {byteSize(f.bytes)}
                {f.sourceFile ? `, from ${f.sourceFile} at byte ${f.offset ?? 0}` : ''}
                {f.reason ? ` (${f.reason})` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
      {opened && (
        <section aria-label={`Contents of ${opened.name}`}>
          <h4>
            {opened.name} ({byteSize(opened.bytes)})
          </h4>
          <pre className="damaged-bytes">
            {opened.text}
            {opened.truncated ? '\n…' : ''}
          </pre>
        </section>
      )}
    </section>
  );
}

export function WizardError() {
  const { recovery } = useStores();
  const error = useStore(recovery, (s) => s.error);
  return error ? <ErrorMessage error={error} /> : null;
}
