// verify: a full check of every context, reading everything (unlike open, which reads only
// what changed). Reports parse errors, checksum mismatches, relations to missing entities,
// times out of order and duplicate names; changes nothing.
import path from 'node:path';
import type { Engine } from './engine.ts';
import { readJournalSteps } from './journalFile.ts';
import { readLineRecords, statIdentity, type BadLine } from './contextFile.ts';
import { readFileInSteps } from './readInSteps.ts';
import { lineChunks } from './lineSplitter.ts';
import { entityKey, parseValue, type StoredRecord } from './records.ts';
import type { ContextStore } from './contextStore.ts';
import { EngineError } from './errors.ts';
import { nextTurn, runInSlices, type Steps } from './steppedWork.ts';
import { listBackups, unreadableBackupChecks } from './backups.ts';
import { verifyBackup } from './backupChecking.ts';

export interface VerifyFinding {
  readonly severity: 'error' | 'warning' | 'info';
  readonly kind: string;
  readonly file: string;
  readonly message: string;
  readonly offset?: number;
}

export interface ContextVerification {
  readonly context: string;
  readonly ok: boolean;
  readonly records: number;
  readonly journalEntries: number;
  readonly findings: readonly VerifyFinding[];
}

export interface Verification {
  readonly ok: boolean;
  readonly root: string;
  readonly contexts: readonly ContextVerification[];
  readonly backups: { readonly id: string; readonly ok: boolean; readonly problems: readonly string[] }[];
}

/** Allowed slack before two journal times count as out of order (clocks step back a little). */
const CLOCK_SLACK_MS = 2_000;

/** `contexts`: only these (the app's check after another program changed one); default every one. */
export async function verifyAll(engine: Engine, options: { backups?: boolean; contexts?: readonly string[] } = {}): Promise<Verification> {
  const contexts: ContextVerification[] = [];
  const names = engine.listContextNames();
  for (const context of options.contexts ? names.filter((name) => options.contexts?.includes(name)) : names) {
    contexts.push(await verifyContext(engine, context));
  }
  const backups = options.backups === false ? [] : [
    ...listBackups(engine).map((b) => verifyBackup(engine, b.id)),
    ...unreadableBackupChecks(engine),
  ];
  return { ok: contexts.every((c) => c.ok) && backups.every((b) => b.ok), root: engine.layout.root, contexts, backups };
}

/**
 * How long each slice of a context's check runs before the engine's thread answers what waits.
 * The check reads and parses the whole file and journal: at 100k charts 13 s, which the app's
 * check after start (and after every change another program made) held in one piece, every
 * window's request waiting behind it (the first chart list came 17 s after the open).
 */
const SLICE_MS = 15;

/**
 * One context's check, a slice at a time: the context is brought up to date with its file (as
 * any read does), its key map built, then its journal, file and records are read in steps
 * between which the engine answers other requests and commits. What is found in the records is
 * checked again against them as they are at the end (a commit between two steps may have made
 * or removed what a relation names).
 */
async function verifyContext(engine: Engine, context: string): Promise<ContextVerification> {
  const paths = await engine.read(context, (_state, store) => store.paths);
  while (!(await engine.read(context, (state) => state.keyMapFor(SLICE_MS)))) await nextTurn();
  const slicing = { sliceMs: SLICE_MS, pause: nextTurn, current: () => !engine.stopping };
  const stopped = () => new EngineError('BAD_INPUT', 'The storage engine is closing; the check of the data was not finished. Nothing was changed.', { kept: 'Nothing was changed.' });
  const read = await runInSlices(checkSteps(engine, context, paths), slicing, stopped);
  return engine.read(context, (state, store) => {
    const findings = read.findings;
    for (const missing of read.missingEnds) {
      // Still so now: the relation is there, and nothing of that name.
      if (state.has(missing.relation) && !state.has(entityKey(missing.end)) && !read.namedLines.has(missing.end)) findings.push(missing.finding);
    }
    const fileName = path.basename(paths.file);
    const pending = store.pendingCount();
    if (pending > 0) findings.push({ severity: 'info', kind: 'file-behind-journal', file: paths.file, message: `${fileName} is ${pending} records behind the journal (rewritten shortly; nothing is lost)` });
    for (const finding of store.findings) {
      if (finding.kind === 'external-change' || finding.kind === 'newer-format' || finding.kind === 'rewrite-failed' || finding.kind === 'file-missing' || finding.kind === 'journal-edit-mismatch' || finding.kind === 'linked-file') {
        findings.push({ ...finding });
      }
    }
    const ok = findings.every((f) => f.severity === 'info');
    return { context, ok, records: state.size, journalEntries: read.journalEntries, findings };
  });
}

interface CheckRead {
  readonly findings: VerifyFinding[];
  /** Relations whose end names no entity, when their step was read (checked again at the end). */
  readonly missingEnds: { relation: string; end: string; finding: VerifyFinding }[];
  /** Names of lines of another type (a legacy narrative_beat): a relation may end at one. */
  readonly namedLines: ReadonlySet<string>;
  readonly journalEntries: number;
}

/** Records read between two looks at the clock. */
const RECORDS_PER_STEP = 2048;

function* checkSteps(engine: Engine, context: string, paths: { readonly file: string; readonly journal: string }): Steps<CheckRead> {
  const findings: VerifyFinding[] = [];
  const fileName = path.basename(paths.file);

  const journal = yield* readJournalSteps(engine.fs, paths.journal, 0);
  for (const bad of journal.bad) {
    findings.push({ severity: 'error', kind: bad.reason === 'checksum mismatch' ? 'checksum-mismatch' : 'journal-parse-error', file: paths.journal, offset: bad.start, message: `${path.basename(paths.journal)}: ${bad.reason} at byte ${bad.start}` });
  }
  if (journal.tornTail) {
    findings.push({ severity: 'info', kind: 'journal-torn-tail', file: paths.journal, offset: journal.tornTail.start, message: `${path.basename(paths.journal)}: an interrupted last entry (${journal.tornTail.bytes.length} bytes, never acknowledged) will be trimmed on the next write` });
  }
  let lastSeq = 0;
  let lastTs = '';
  for (const { entry, start } of journal.entries) {
    if (entry.kind === 'header') continue;
    if (entry.seq <= lastSeq) findings.push({ severity: 'warning', kind: 'sequence-out-of-order', file: paths.journal, offset: start, message: `entry ${entry.seq} follows ${lastSeq}` });
    if (lastTs && Date.parse(entry.ts) + CLOCK_SLACK_MS < Date.parse(lastTs)) {
      findings.push({ severity: 'warning', kind: 'time-out-of-order', file: paths.journal, offset: start, message: `entry ${entry.seq} at ${entry.ts} is earlier than the one before it (${lastTs})` });
    }
    lastSeq = entry.seq;
    lastTs = entry.ts;
  }
  yield;

  // A context file that is a link is not read through (the store's finding says so).
  const bytes = statIdentity(engine.fs, paths.file)?.link ? undefined : yield* readFileInSteps(engine.fs, paths.file);
  if (bytes) {
    const bad: BadLine[] = [];
    const names = new Map<string, number>();
    for (const lines of lineChunks(bytes)) {
      for (const line of lines) {
        for (const record of readLineRecords(bytes, line, bad)) {
          const name = entityNameOf(record);
          if (name !== undefined) names.set(name, (names.get(name) ?? 0) + 1);
        }
      }
      yield;
    }
    for (const each of bad) {
      findings.push({ severity: 'error', kind: each.torn ? 'torn-line' : 'parse-error', file: paths.file, offset: each.start, message: `${fileName}: ${each.reason} at byte ${each.start}` });
    }
    for (const [name, count] of names) {
      if (count > 1) findings.push({ severity: 'warning', kind: 'duplicate-name', file: paths.file, message: `${fileName}: entity ${JSON.stringify(name)} appears ${count} times (the first is used)` });
    }
  }

  // The records as they are now, read a step at a time (a change between two steps is read as
  // the map's iterator meets it).
  const state = (engine.loadedStore(context) as ContextStore).state;
  // A relation may end at a line of another type that has a name (a legacy narrative_beat,
  // which the COAIA server relates to its chart with `documents`): that end is not missing.
  const namedLines = new Set<string>();
  let read = 0;
  for (const record of state.values()) {
    if (++read % RECORDS_PER_STEP === 0) yield;
    if (record.kind !== 'line' || !record.raw.includes('"name"')) continue;
    try {
      const name = (JSON.parse(record.raw) as { name?: unknown } | null)?.name;
      if (typeof name === 'string') namedLines.add(name);
    } catch {
      // a comment
    }
  }
  const missingEnds: CheckRead['missingEnds'] = [];
  for (const record of state.values()) {
    if (++read % RECORDS_PER_STEP === 0) yield;
    if (record.kind === 'relation') {
      for (const end of [record.from as string, record.to as string]) {
        if (!state.has(entityKey(end)) && !namedLines.has(end)) {
          missingEnds.push({ relation: record.key, end, finding: { severity: 'warning', kind: 'missing-entity', file: paths.file, message: `relation ${record.from} -[${record.relationType}]-> ${record.to} refers to a missing entity ${JSON.stringify(end)}` } });
        }
      }
    } else if (record.kind === 'entity' && record.raw.includes('"createdAt"') && record.raw.includes('"updatedAt"')) {
      const metadata = parseValue(record).metadata as { createdAt?: unknown; updatedAt?: unknown } | undefined;
      const created = typeof metadata?.createdAt === 'string' ? Date.parse(metadata.createdAt) : NaN;
      const updated = typeof metadata?.updatedAt === 'string' ? Date.parse(metadata.updatedAt) : NaN;
      if (created > updated) {
        findings.push({ severity: 'warning', kind: 'time-out-of-order', file: paths.file, message: `${record.name}: updatedAt ${String(metadata?.updatedAt)} is before createdAt ${String(metadata?.createdAt)}` });
      }
    }
  }
  return { findings, missingEnds, namedLines, journalEntries: journal.entries.length };
}

/** The entity name a line of the file gives: an entity's, or that of an opaque line holding one (a repeat, a name with NUL). */
function entityNameOf(record: StoredRecord): string | undefined {
  if (record.kind === 'entity') return record.name as string;
  if (record.kind !== 'line') return undefined;
  try {
    const value = JSON.parse(record.raw) as { type?: unknown; name?: unknown };
    return value.type === 'entity' && typeof value.name === 'string' ? value.name : undefined;
  } catch {
    return undefined; // comments and other opaque lines
  }
}
