// What the recovery wizard shows before anything is done to a damaged context: each damaged line
// (where in which file, its bytes as escaped text, the records it held), where each affected
// record can come from (the journal, a named backup, nowhere), what can still be read of the
// lines nothing else holds ("found in damaged lines"), and a preview of the repaired context
// made by the same plan the repair carries out (recover.ts, planContextRepair), so it never
// offers what the repair cannot deliver. Nothing is changed here.
import path from 'node:path';
import type { Engine } from './engine.ts';
import { validateContextName } from './dataRoot.ts';
import { contextsOf, listBackups, type BackupKind } from './backups.ts';
import { describeKey, planContextRepair, type LinePlan } from './recover.ts';
import { escapeBytes } from './escapedText.ts';
import { salvageLine, type SalvagedRecord } from './damagedLineSalvage.ts';
import { entityKey } from './records.ts';
import type { RecordSet } from './recordSet.ts';
import { summarizeCharts } from './charts/chartSummaries.ts';
import type { ChartSummary } from '../../shared/domain.ts';

/** Where a record can come from: the journal, the context file (for a damaged journal entry), a named backup, or nowhere. */
export type RecordSource =
  | { readonly from: 'journal' }
  | { readonly from: 'context-file' }
  | { readonly from: 'backup'; readonly backup: string; readonly created: string }
  | { readonly from: 'nowhere' };

export interface AffectedRecord {
  /** The engine's key of the record, when it can be told. */
  readonly key?: string;
  /** The record as a person reads it: an entity's name, `from -[type]-> to` for a relation. */
  readonly label: string;
  readonly source: RecordSource;
}

export interface DamagedSpot {
  readonly where: 'context-file' | 'journal';
  readonly file: string;
  readonly offset: number;
  readonly length: number;
  readonly reason: string;
  /** The bytes as text: UTF-8 as it is, control characters and bytes that are not UTF-8 escaped. */
  readonly text: string;
  readonly truncated: boolean;
  /** A last line cut short (a write interrupted), rather than damage in the middle. */
  readonly torn: boolean;
  readonly affected: readonly AffectedRecord[];
  /** What can still be read in it. */
  readonly salvaged?: SalvagedRecord;
}

export interface RepairPreview {
  readonly records: number;
  readonly entities: number;
  readonly relations: number;
  readonly charts: readonly ChartSummary[];
  /** Damaged lines whose records the journal holds. */
  readonly fromJournal: number;
  /** Records the repair takes from backups, each from the newest backup holding it. */
  readonly fromBackups: readonly { readonly label: string; readonly backup: string; readonly created: string }[];
  /** Damaged lines nothing holds: their bytes go to .recovery/, what can be read to the found list. */
  readonly lost: number;
  /** The repaired context file's first lines, and how many more there are. */
  readonly lines: readonly string[];
  readonly moreLines: number;
}

export interface BackupChoice {
  readonly id: string;
  readonly created: string;
  readonly kind: BackupKind;
  readonly verified: boolean | null;
}

export interface RecoveryAnalysis {
  readonly context: string;
  readonly file: string;
  readonly journal: string;
  /** Nothing wrong was found. */
  readonly ok: boolean;
  /** Something a repair would change: damaged lines or journal entries, a torn tail, a missing file, a file behind its journal. */
  readonly needsRepair: boolean;
  readonly damagedLines: readonly DamagedSpot[];
  readonly damagedJournalEntries: readonly DamagedSpot[];
  /** An interrupted last journal entry (never acknowledged): trimmed on its own. */
  readonly journalTornTail?: { readonly offset: number; readonly bytes: number };
  readonly missingFile: boolean;
  /** Other things found: relations to missing entities, another program's change, a rewrite that failed. */
  readonly problems: readonly { readonly severity: string; readonly kind: string; readonly message: string }[];
  readonly foundInDamagedLines: readonly (SalvagedRecord & { readonly file: string; readonly offset: number })[];
  readonly preview: RepairPreview;
  /**
   * False when repairing takes nothing from a backup and loses nothing (a torn tail, records the
   * journal holds): such a repair can be made at once, and shown afterwards.
   */
  readonly needsChoice: boolean;
  /** Backups holding this context, newest first: the "restore from a backup" choice. */
  readonly backups: readonly BackupChoice[];
}


function spotOfLine(line: LinePlan, file: string): DamagedSpot {
  const shown = escapeBytes(line.bad.bytes);
  const salvaged = salvageLine(line.bad.bytes);
  const source: RecordSource = line.source.from === 'backup' ? { from: 'backup', backup: line.source.backup, created: line.source.created } : { from: line.source.from };
  return {
    where: 'context-file',
    file,
    offset: line.bad.start,
    length: line.bad.bytes.length,
    reason: line.bad.reason,
    text: shown.text,
    truncated: shown.truncated,
    torn: line.bad.torn,
    // A line whose name cannot be read still held one record: which one is not known.
    // A record the journal removed since stays removed: the line was its stale copy.
    affected: [line.key ? { key: line.key, label: `${describeKey(line.key)}${line.source.from === 'journal' && line.source.deleted ? ' (deleted since; stays deleted)' : ''}`, source } : { label: 'a record whose name cannot be read', source }],
    ...(salvaged ? { salvaged } : {}),
  };
}

/** Everything the wizard shows about one context before anything is done (nothing is changed). */
export function analyzeContext(engine: Engine, context: string, options: { previewLines?: number } = {}): Promise<RecoveryAnalysis> {
  validateContextName(context);
  const previewLines = options.previewLines ?? 200;
  return engine.withLock(() => {
    const { store, journal, lines, journalEntries, result } = planContextRepair(engine, context);
    const paths = store.paths;
    const damagedLines = lines.map((line) => spotOfLine(line, paths.file));
    const damagedJournalEntries: DamagedSpot[] = journalEntries.map(({ bad, records }) => {
      const shown = escapeBytes(bad.bytes);
      const affected = records.map(({ key, source }): AffectedRecord => ({ key, label: describeKey(key), source: source.from === 'backup' ? { from: 'backup', backup: source.backup, created: source.created } : { from: source.from } }));
      return { where: 'journal', file: paths.journal, offset: bad.start, length: bad.end - bad.start, reason: bad.reason, text: shown.text, truncated: shown.truncated, torn: false, affected };
    });
    const missingFile = store.findings.some((f) => f.kind === 'file-missing');
    const problems = [
      ...store.findings.filter((f) => f.kind !== 'bad-line' && f.kind !== 'torn-file' && f.kind !== 'journal-bad-line' && f.kind !== 'journal-torn-tail').map((f) => ({ severity: f.severity, kind: f.kind, message: f.message })),
      ...danglingRelations(result),
    ];
    const foundInDamagedLines = lines.flatMap((line) => {
      if (line.source.from !== 'nowhere') return [];
      const salvaged = salvageLine(line.bad.bytes);
      return salvaged ? [{ ...salvaged, file: path.basename(paths.file), offset: line.bad.start }] : [];
    });
    const records = [...result.values()];
    const preview: RepairPreview = {
      records: result.size,
      entities: records.filter((r) => r.kind === 'entity').length,
      relations: records.filter((r) => r.kind === 'relation').length,
      charts: summarizeCharts(result, context),
      fromJournal: lines.filter((l) => l.source.from === 'journal').length,
      // Each record once: a damaged line and a damaged journal entry may name the same one.
      fromBackups: [
        ...new Map([
          ...lines.flatMap((l) => (l.source.from === 'backup' ? [[l.source.record.key, { label: describeKey(l.source.record.key), backup: l.source.backup, created: l.source.created }] as const] : [])),
          ...journalEntries.flatMap((entry) => entry.records.flatMap(({ key, source }) => (source.from === 'backup' ? [[key, { label: describeKey(key), backup: source.backup, created: source.created }] as const] : []))),
        ]).values(),
      ],
      lost: lines.filter((l) => l.source.from === 'nowhere').length,
      lines: records.slice(0, previewLines).map((r) => r.raw),
      moreLines: Math.max(0, records.length - previewLines),
    };
    // A damaged entry loses nothing only where its records' newest versions are in the journal or the context file.
    const journalLoses = damagedJournalEntries.some((spot) => spot.affected.some((a) => a.source.from !== 'context-file' && a.source.from !== 'journal'));
    const needsRepair = damagedLines.length > 0 || damagedJournalEntries.length > 0 || journal.tornTail !== undefined || missingFile || store.needsRewrite;
    return {
      context,
      file: paths.file,
      journal: paths.journal,
      ok: !needsRepair && problems.every((p) => p.severity === 'info'),
      needsRepair,
      damagedLines,
      damagedJournalEntries,
      ...(journal.tornTail ? { journalTornTail: { offset: journal.tornTail.start, bytes: journal.tornTail.bytes.length } } : {}),
      missingFile,
      problems,
      foundInDamagedLines,
      preview,
      needsChoice: lines.some((l) => l.source.from !== 'journal') || journalLoses,
      backups: listBackups(engine)
        .filter((b) => contextsOf(b).includes(context))
        .map((b) => ({ id: b.id, created: b.created, kind: b.kind, verified: b.check ? b.check.ok : null })),
    };
  });
}

/** Relations whose ends are not there: reported, never removed on their own (a peer may add the entity yet). */
function danglingRelations(state: RecordSet): { severity: string; kind: string; message: string }[] {
  const problems: { severity: string; kind: string; message: string }[] = [];
  for (const record of state.values()) {
    if (record.kind !== 'relation') continue;
    for (const end of [record.from as string, record.to as string]) {
      if (!state.has(entityKey(end))) problems.push({ severity: 'warning', kind: 'missing-entity', message: `relation ${describeKey(record.key)} refers to a missing entity ${JSON.stringify(end)}` });
    }
  }
  return problems;
}
