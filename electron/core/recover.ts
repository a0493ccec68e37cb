// recover: repairs what verify reports. Damaged bytes are copied to .recovery/ (never deleted);
// their records come back from the journal, or, where the journal does not hold them, from the
// newest good backup; every action is one line in .recovery/recovery-YYYY-MM-DD.log.
import path from 'node:path';
import type { Engine } from './engine.ts';
import { EngineError } from './errors.ts';
import { readJournal } from './journalFile.ts';
import { replaceFileAtomically } from './atomicFile.ts';
import { readFileIfExists } from './fileSystem.ts';
import { contextPaths } from './dataRoot.ts';
import { entityKey, relationKey, type StoredRecord } from './records.ts';
import { listBackups, readBackupContext } from './backups.ts';
import type { BadLine } from './contextFile.ts';

export interface RecoveryAction {
  readonly context: string;
  readonly action: string;
}

export interface RecoveryReport {
  readonly actions: readonly RecoveryAction[];
  /** Damage that neither the journal nor a backup could make good (its bytes are in .recovery/). */
  readonly unrecovered: readonly string[];
}

export function recoverAll(engine: Engine, contexts?: string[]): Promise<RecoveryReport> {
  if (engine.readOnly) return Promise.reject(new EngineError('READ_ONLY', `Cannot recover: ${engine.readOnlyReason}. Nothing was changed.`, { kept: 'Nothing was changed.' }));
  return engine.withLock(() => {
    const actions: RecoveryAction[] = [];
    const unrecovered: string[] = [];
    for (const context of contexts ?? engine.listContextNames()) {
      recoverContext(engine, context, actions, unrecovered);
    }
    return { actions, unrecovered };
  });
}

function recoverContext(engine: Engine, context: string, actions: RecoveryAction[], unrecovered: string[]): void {
  const say = (action: string) => {
    actions.push({ context, action });
    engine.recovery.log(`[${context}] ${action}`);
  };
  // 1. Load: the journal's state is authoritative; differences in the file are absorbed.
  engine.forget(context);
  // Without the checkpoint the whole journal is read, so damage anywhere in it is seen.
  engine.fs.rmSync(contextPaths(engine.layout, context).checkpoint, { recursive: false, force: true });
  const store = engine.storeForLockedWork(context);
  const paths = store.paths;

  // 2. The journal: damaged entries are copied out and the journal rewritten without them.
  //    The load above already recorded, as a 'recover' commit, what the context file shows of them.
  const journal = readJournal(engine.fs, paths.journal, 0);
  if (journal.bad.length > 0 || journal.tornTail) {
    const bytes = readFileIfExists(engine.fs, paths.journal) ?? Buffer.alloc(0);
    for (const bad of journal.bad) engine.recovery.saveBytes(paths.journal, bad.start, bad.bytes, bad.reason);
    if (journal.tornTail) engine.recovery.saveBytes(paths.journal, journal.tornTail.start, journal.tornTail.bytes, 'interrupted last entry');
    const keep: Buffer[] = [];
    let at = 0;
    for (const bad of journal.bad) {
      keep.push(bytes.subarray(at, bad.start));
      at = bad.end;
    }
    keep.push(bytes.subarray(at, journal.endOffset));
    replaceFileAtomically(engine.fs, paths.journal, Buffer.concat(keep));
    engine.fs.rmSync(paths.checkpoint, { recursive: false, force: true });
    say(`removed ${journal.bad.length} damaged journal entries${journal.tornTail ? ' and an interrupted last entry' : ''} from ${path.basename(paths.journal)} (bytes kept in .recovery/)`);
  }

  // 3. The context file: unreadable lines whose records the journal does not hold come from a backup.
  const damaged = store.damagedLines();
  if (damaged.length > 0) {
    // Records the journal holds that the file lacks are what the damaged lines held (restored
    // from the journal). A damaged line whose name can still be read is matched by it; any other
    // (its name damaged too, or unreadable) is accounted for by one of the remaining records.
    // Only a line left over, whose record is in neither, is looked for in the backups.
    const fromJournal = new Set(store.keysMissingFromFile());
    const unmatched: { bad: BadLine; key: string | undefined }[] = [];
    for (const guess of damaged.map((bad) => ({ bad, key: guessKey(bad) }))) {
      if (guess.key !== undefined && fromJournal.delete(guess.key)) continue;
      if (guess.key !== undefined && store.state.has(guess.key)) continue;
      unmatched.push(guess);
    }
    let spare = fromJournal.size;
    const missing = unmatched.filter(() => {
      if (spare === 0) return true;
      spare -= 1;
      return false;
    });
    const restored: StoredRecord[] = [];
    for (const { bad, key } of missing) {
      const fromBackup = key ? findInBackups(engine, context, key) : undefined;
      if (fromBackup) restored.push(fromBackup.record);
      else unrecovered.push(`${path.basename(paths.file)} byte ${bad.start}: ${bad.reason}; no journal entry or backup holds this line (its bytes are in .recovery/)`);
    }
    if (restored.length > 0) {
      store.commit({ puts: restored, deletes: [] }, { origin: 'recover', note: `restored ${restored.length} records from backups` });
      say(`restored ${restored.length} records of unreadable lines from the newest backup holding them`);
    }
    say(`${damaged.length} unreadable lines in ${path.basename(paths.file)} copied to .recovery/; their records ${missing.length === 0 ? 'were restored from the journal' : 'restored where a journal or backup holds them'}`);
  }

  // 4. Rewrite the context file from the journal's state (this copies damaged bytes first).
  if (store.needsRewrite || damaged.length > 0) {
    store.materialize();
    say(`rewrote ${path.basename(paths.file)} from the journal`);
  }
  engine.forget(context);
  engine.storeForLockedWork(context);
}

/** Which record a damaged line held, when its name (or relation ends) can still be read in it. */
function guessKey(bad: BadLine): string | undefined {
  const text = bad.bytes.toString('utf8');
  const field = (name: string) => new RegExp(`"${name}"\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)"`).exec(text)?.[1];
  const decode = (s: string | undefined) => {
    if (s === undefined) return undefined;
    try {
      return JSON.parse(`"${s}"`) as string;
    } catch {
      return undefined;
    }
  };
  const from = decode(field('from'));
  const to = decode(field('to'));
  const relationType = decode(field('relationType'));
  if (from !== undefined && to !== undefined && relationType !== undefined) return relationKey(from, to, relationType);
  const name = decode(field('name'));
  return name === undefined ? undefined : entityKey(name);
}

function findInBackups(engine: Engine, context: string, key: string): { record: StoredRecord; backup: string } | undefined {
  for (const info of listBackups(engine)) {
    const parsed = readBackupContext(engine, info, context);
    const record = parsed?.records.find((r) => r.key === key);
    if (record) return { record, backup: info.id };
  }
  return undefined;
}
