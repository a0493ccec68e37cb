// Recovery wizard, steps 1 and 2: what was found (each damaged line with where it is in which
// file, its bytes as text with the unreadable ones escaped, and the records it held), and where
// each affected record can come from (the journal, a named backup, or nowhere), with what could
// still be read of lines nothing holds ("found in damaged lines").
import type { DamagedSpot, RecordSource, RecoveryAnalysisView } from '../../shared/backupTypes.ts';
import { formatTime } from '../model/dates.ts';

const fileName = (file: string) => file.split(/[\\/]/).pop() ?? file;

export function sourceText(source: RecordSource): string {
  switch (source.from) {
    case 'journal':
      return 'the journal (the history Tension Desk keeps of every change)';
    case 'context-file':
      return 'the context file (still intact there)';
    case 'backup':
      return `the backup of ${formatTime(source.created)}`;
    case 'nowhere':
      return 'nowhere: its bytes are kept in .recovery/, and what can be read of them is listed below';
  }
}

function Spot({ spot }: { spot: DamagedSpot }) {
  return (
    <li>
      <div>
        {fileName(spot.file)}, at byte {spot.offset.toLocaleString()} ({spot.length} bytes): {spot.torn ? 'the last line was cut short' : spot.reason}
      </div>
      <pre className="damaged-bytes" aria-label={`The damaged bytes at byte ${spot.offset}`}>
        {spot.text}
        {spot.truncated ? ' …' : ''}
      </pre>
      <div className="muted">Records affected: {spot.affected.map((a) => a.label).join(', ') || 'none that can be told'}</div>
    </li>
  );
}

export function FoundStep({ analysis }: { analysis: RecoveryAnalysisView }) {
  const spots = [...analysis.damagedLines, ...analysis.damagedJournalEntries];
  return (
    <section aria-label="What was found">
      {analysis.ok && !analysis.needsRepair && <p className="ok-text">No damage found in {analysis.context}.</p>}
      {analysis.missingFile && <p className="bad-text">The file {fileName(analysis.file)} is missing (deleted or moved away). Its records are in the journal.</p>}
      {spots.length > 0 && (
        <>
          <p>
            {spots.length} damaged {spots.length === 1 ? 'line' : 'lines'} in {[...new Set(spots.map((s) => fileName(s.file)))].join(' and ')}:
          </p>
          <ol className="damaged-spots">
            {spots.map((s) => (
              <Spot key={`${s.file}:${s.offset}`} spot={s} />
            ))}
          </ol>
        </>
      )}
      {analysis.journalTornTail && <p className="muted">The journal's last entry was cut short ({analysis.journalTornTail.bytes} bytes, never confirmed as saved): it is trimmed.</p>}
      {analysis.problems.length > 0 && (
        <>
          <p>Also found:</p>
          <ul>
            {analysis.problems.map((p, i) => (
              <li key={i}>{p.message}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export function SourcesStep({ analysis }: { analysis: RecoveryAnalysisView }) {
  const affected = [...analysis.damagedLines, ...analysis.damagedJournalEntries].flatMap((s) => s.affected.map((a) => ({ ...a, at: s.offset })));
  return (
    <section aria-label="Where each record can come from">
      {affected.length === 0 && analysis.missingFile && <p>Every record of the missing file comes back from the journal.</p>}
      {affected.length === 0 && !analysis.missingFile && <p>No record was damaged.</p>}
      {affected.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Record</th>
              <th>Can come back from</th>
            </tr>
          </thead>
          <tbody>
            {affected.map((a, i) => (
              <tr key={`${a.at}:${i}`}>
                <td>{a.label}</td>
                <td className={a.source.from === 'nowhere' ? 'warn-text' : undefined}>{sourceText(a.source)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {analysis.foundInDamagedLines.length > 0 && (
        <>
          <h3>Found in damaged lines</h3>
          <p className="muted">What could still be read of lines nothing else holds. It is kept in .recovery/found-in-damaged-lines.jsonl.</p>
          <ul aria-label="Found in damaged lines">
            {analysis.foundInDamagedLines.map((f) => (
              <li key={`${f.file}:${f.offset}`}>
                {f.name ?? (f.from ? `${f.from} → ${f.to}` : 'a record whose name cannot be read')}
                {f.entityType ? ` (${f.entityType})` : ''}
                {f.observations.length > 0 ? `: ${f.observations.join(' · ')}` : ''}
                {f.cutObservation ? ` · “${f.cutObservation}…”` : ''}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
