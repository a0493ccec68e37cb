// The contexts: each with its chart count and a health badge, "All contexts" on top, and a
// small form to create one. The badge follows the engine's verdict every time the contexts are
// read (after any change, a repair, or another program's fix); it is a button that says what
// is wrong and offers the repair, so hovering is not the only way to learn it. Contexts whose
// names differ only in case are flagged (on macOS and Windows they would be one file).
import { useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import type { ContextInfo, IpcError } from '../../shared/contract.ts';
import { useStores } from './StoresProvider.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { ContextDropTarget } from './ContextDropTarget.tsx';
import { ContextActions } from './ContextActions.tsx';
import { ImportButton } from './ImportPanel.tsx';

const BADGE: Record<ContextInfo['health'], string> = { ok: '●', damaged: '▲ damaged', 'read-only': '■ read-only' };

export function Sidebar() {
  const { backupPanels, recovery } = useStores();
  const { contexts, charts, insights } = useStores();
  const listed = useStore(contexts, (s) => s.list);
  // Until the contexts are read (a first open of a large file takes seconds), no count: a 0
  // there would say the charts are gone.
  const counted = useStore(contexts, (s) => s.loaded);
  // The app's own check may find damage the last read did not (a damaged journal entry): the badge says so too.
  const checked = useStore(recovery, (s) => s.damaged);
  const list = listed.map((c): ContextInfo => (checked[c.context] && c.health === 'ok' ? { ...c, health: 'damaged', findings: [...(checked[c.context] ?? [])] } : c));
  const scope = useStore(charts, (s) => s.scope);
  const view = useStore(insights, (s) => s.view);
  const unseen = useStore(insights, (s) => s.unseen);
  const total = list.reduce((sum, c) => sum + c.charts, 0);
  const [name, setName] = useState('');
  const [error, setError] = useState<IpcError | null>(null);
  const [details, setDetails] = useState<string | null>(null);

  async function create(event: FormEvent) {
    event.preventDefault();
    const result = await contexts.getState().create(name.trim());
    if (result.ok) {
      setName('');
      setError(null);
      void charts.getState().load(name.trim());
    } else setError(result.error);
  }

  return (
    <nav className="sidebar" aria-label="Contexts" id="contexts-sidebar">
      <h2>Contexts</h2>
      <ul>
        <li>
          <button type="button" className="context" aria-current={scope === null ? 'page' : undefined} onClick={() => void charts.getState().load(null)}>
            <span>All contexts</span>
            {counted ? <span className="count">{total}</span> : <span className="count" aria-label="not counted yet">…</span>}
          </button>
        </li>
        {list.map((c) => (
          <li key={c.context} className="context-row">
            <ContextDropTarget context={c.context}>
            <span className="context-line">
              <button type="button" className="context" aria-current={scope === c.context ? 'page' : undefined} onClick={() => void charts.getState().load(c.context)}>
                <span className="context-name">{c.context}</span>
                <span className="count" aria-label={`${c.charts} charts`}>
                  {c.charts}
                </span>
              </button>
              <button
                type="button"
                className={`health health-${c.health}`}
                aria-label={`health: ${c.health}${c.sameNameAs ? ', shares its name with another context' : ''}`}
                aria-expanded={details === c.context}
                title={[...c.findings, ...(c.sameNameAs ? [sameNameNote(c)] : [])].join('\n') || 'No problems found'}
                onClick={() => setDetails(details === c.context ? null : c.context)}
              >
                {BADGE[c.health]}
                {c.sameNameAs ? ' ⚠' : ''}
              </button>
              <ContextActions context={c.context} />
            </span>
            </ContextDropTarget>
            {details === c.context && <HealthDetails info={c} onClose={() => setDetails(null)} />}
          </li>
        ))}
      </ul>
      <div className="view-switch" role="group" aria-label="Views">
        {(['charts', 'health', 'insights'] as const).map((v) => (
          <button
            key={v}
            type="button"
            className="context"
            aria-current={view === v ? 'page' : undefined}
            onClick={() => void insights.getState().show(v, scope)}
            {...(v === 'health' && unseen.length > 0 ? { title: unseen.map((n) => n.title).join('\n') } : {})}
          >
            {v === 'charts' ? 'Charts' : v === 'health' ? 'Health' : 'Insights'}
            {v === 'health' && unseen.length > 0 && <span className={`count health-${unseen.some((n) => n.severity === 'error') ? 'damaged' : 'read-only'}`} aria-label={`${unseen.length} new`}>▲ {unseen.length}</span>}
          </button>
        ))}
      </div>
      <button type="button" className="link" onClick={() => backupPanels.getState().show('deleted')}>
        Recently deleted…
      </button>
      <ImportButton />
      <form onSubmit={(e) => void create(e)} className="new-context">
        <label>
          New context
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. work" />
        </label>
        <button type="submit" disabled={name.trim() === ''}>
          Create
        </button>
        {error && <ErrorMessage error={error} />}
      </form>
    </nav>
  );
}

const sameNameNote = (c: ContextInfo) =>
  `Same name as ${c.sameNameAs?.join(', ')} apart from upper and lower case: on macOS and Windows they would be one file. Move the charts of one into the other.`;

/** What the badge means, in words, with the repair for a damaged context. */
function HealthDetails({ info, onClose }: { info: ContextInfo; onClose: () => void }) {
  const { contexts, recovery } = useStores();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function repair() {
    setBusy(true);
    const result = await contexts.getState().repair(info.context);
    setBusy(false);
    if (!result.ok) return setError(result.error);
    setError(null);
    setDone(result.value.actions.length > 0 ? `Repaired: ${result.value.actions.map((a) => a.action).join('; ')}` : 'Nothing was left to repair: the damaged bytes had already been set aside in .recovery/.');
  }

  return (
    <div className="health-details" role="region" aria-label={`Health of ${info.context}`}>
      {info.health === 'ok' && !info.sameNameAs && <p>No problems found in {info.context}.</p>}
      {info.health === 'damaged' && <p>Some of {info.context} is damaged. The damaged bytes are kept aside and what they held is restored from the journal or a backup.</p>}
      {info.health === 'read-only' && <p>{info.context} can be read but not changed.</p>}
      {info.findings.length > 0 && (
        <ul className="findings">
          {info.findings.map((finding, i) => (
            <li key={i}>{finding}</li>
          ))}
        </ul>
      )}
      {info.sameNameAs && <p className="warning">{sameNameNote(info)}</p>}
      {done && <p role="status">{done}</p>}
      {error && <ErrorMessage error={error} />}
      <span className="conflict-choices">
        {info.health === 'damaged' && (
          <button type="button" className="primary" onClick={() => void recovery.getState().open(info.context)}>
            Open the recovery wizard
          </button>
        )}
        {info.health === 'damaged' && (
          <button type="button" disabled={busy} onClick={() => void repair()}>
            {busy ? 'Repairing…' : `Repair ${info.context}`}
          </button>
        )}
        <button type="button" onClick={onClose}>
          Close
        </button>
      </span>
    </div>
  );
}
