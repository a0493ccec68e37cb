// verify: a full check of every context, reading everything (unlike open, which reads only
// what changed). Reports parse errors, checksum mismatches, relations to missing entities,
// times out of order and duplicate names; changes nothing.
import path from 'node:path';
import type { Engine } from './engine.ts';
import { readJournal } from './journalFile.ts';
import { parseContextBytes, statIdentity } from './contextFile.ts';
import { readFileIfExists } from './fileSystem.ts';
import { entityKey, parseValue } from './records.ts';
import type { Finding } from './contextStore.ts';
import { listBackups, unreadableBackupChecks, verifyBackup } from './backups.ts';

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
    contexts.push(await engine.read(context, (_state, store) => verifyStoreFiles(engine, context, store.findings, store.pendingCount())));
  }
  const backups = options.backups === false ? [] : [
    ...listBackups(engine).map((b) => verifyBackup(engine, b.id)),
    ...unreadableBackupChecks(engine),
  ];
  return { ok: contexts.every((c) => c.ok) && backups.every((b) => b.ok), root: engine.layout.root, contexts, backups };
}

function verifyStoreFiles(engine: Engine, context: string, storeFindings: readonly Finding[], pending: number): ContextVerification {
  const store = engine.loadedStore(context);
  const paths = store!.paths;
  const findings: VerifyFinding[] = [];
  const fileName = path.basename(paths.file);

  const journal = readJournal(engine.fs, paths.journal, 0);
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

  // A context file that is a link is not read through (the store's finding says so).
  const bytes = statIdentity(engine.fs, paths.file)?.link ? undefined : readFileIfExists(engine.fs, paths.file);
  if (bytes) {
    const parsed = parseContextBytes(bytes);
    for (const bad of parsed.bad) {
      findings.push({ severity: 'error', kind: bad.torn ? 'torn-line' : 'parse-error', file: paths.file, offset: bad.start, message: `${fileName}: ${bad.reason} at byte ${bad.start}` });
    }
    const names = new Map<string, number>();
    for (const record of parsed.records) {
      if (record.kind === 'entity') names.set(record.name as string, (names.get(record.name as string) ?? 0) + 1);
      else if (record.kind === 'line') {
        try {
          const value = JSON.parse(record.raw) as { type?: unknown; name?: unknown };
          if (value.type === 'entity' && typeof value.name === 'string') names.set(value.name, (names.get(value.name) ?? 0) + 1);
        } catch {
          // comments and other opaque lines
        }
      }
    }
    for (const [name, count] of names) {
      if (count > 1) findings.push({ severity: 'warning', kind: 'duplicate-name', file: paths.file, message: `${fileName}: entity ${JSON.stringify(name)} appears ${count} times (the first is used)` });
    }
  }

  const state = store!.state;
  // A relation may end at a line of another type that has a name (a legacy narrative_beat,
  // which the COAIA server relates to its chart with `documents`): that end is not missing.
  const namedLines = new Set<string>();
  for (const record of state.values()) {
    if (record.kind !== 'line' || !record.raw.includes('"name"')) continue;
    try {
      const name = (JSON.parse(record.raw) as { name?: unknown } | null)?.name;
      if (typeof name === 'string') namedLines.add(name);
    } catch {
      // a comment
    }
  }
  for (const record of state.values()) {
    if (record.kind === 'relation') {
      for (const end of [record.from as string, record.to as string]) {
        if (!state.has(entityKey(end)) && !namedLines.has(end)) {
          findings.push({ severity: 'warning', kind: 'missing-entity', file: paths.file, message: `relation ${record.from} -[${record.relationType}]-> ${record.to} refers to a missing entity ${JSON.stringify(end)}` });
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
  if (pending > 0) findings.push({ severity: 'info', kind: 'file-behind-journal', file: paths.file, message: `${fileName} is ${pending} records behind the journal (rewritten shortly; nothing is lost)` });
  for (const finding of storeFindings) {
    if (finding.kind === 'external-change' || finding.kind === 'newer-format' || finding.kind === 'rewrite-failed' || finding.kind === 'file-missing' || finding.kind === 'journal-edit-mismatch' || finding.kind === 'linked-file') {
      findings.push({ ...finding });
    }
  }
  const ok = findings.every((f) => f.severity === 'info');
  return { context, ok, records: state.size, journalEntries: journal.entries.length, findings };
}
