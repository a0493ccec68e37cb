// Recently deleted: every chart, step, observation and other entity removed in the last N days
// (30 by default), by whom and when, with the chart as it was just before, read from the
// journal, which keeps every version. Restoring one puts it back (a chart or a step with the
// charts telescoped from it) as a new change, journaled like any other. A thing that exists
// again (restored, re-created, or a chart moved to another context) is not listed.
//
// The journal is read twice, in bounded memory (history.ts): first only the keys of what was
// deleted or edited in the window, then the versions of those records and of the charts they
// belong to; nothing else is held.
import type { Engine } from './engine.ts';
import { EngineError } from './errors.ts';
import { validateContextName } from './dataRoot.ts';
import { forEachJournalEntry } from './journalFile.ts';
import { RecordSet } from './recordSet.ts';
import { keyOfChange } from './journalChanges.ts';
import { replayWanted } from './history.ts';
import { classifyLine, entityKey, identityOfKey, makeRecord, parseValue, type StoredRecord } from './records.ts';
import { parseExact, stringifyExact } from './exactNumbers.ts';
import type { JournalCommit, Origin } from './journalFormat.ts';
import { chartIndexOf, readTree } from './charts/chartModel.ts';
import { restoreRecords } from './charts/chartEdits.ts';
import type { ChartTree } from '../../shared/domain.ts';
import { appendAll } from '../../shared/appendAll.ts';
import { movePartOf } from './contexts/moveOperation.ts';

export type DeletedKind = 'chart' | 'step' | 'observation' | 'entity';

export interface DeletedItem {
  /** `<context>@<journal entry>.<n>`: what restoreDeleted takes. */
  readonly id: string;
  readonly context: string;
  readonly kind: DeletedKind;
  /** The chart id (a chart), the entity's name (a step, an observation's entity, an entity). */
  readonly name: string;
  /** What a person recognizes it by: the desired outcome, the step's title, the observation, the entity's first observation. */
  readonly title: string;
  readonly deletedAt: string;
  readonly origin: Origin;
  /** Who, in words: "this app", "the tension command", "an AI assistant (MCP)", "another program", … */
  readonly by: string;
  readonly note?: string;
  /** The chart it belonged to (for a chart, itself). */
  readonly chartId?: string;
  /** Charts telescoped from it, removed with it (and restored with it). */
  readonly subCharts: readonly string[];
  /** For an observation: the text removed. */
  readonly observation?: string;
  /** The chart as it was just before the deletion (with its sub-charts). */
  readonly chart?: ChartTree;
  /** How many records restoring puts back. */
  readonly records: number;
}

export interface DeletedOptions {
  /** How far back to look, in days (default 30). */
  readonly days?: number;
  readonly now?: Date;
  /** Contexts to look in (default: every one). */
  readonly contexts?: readonly string[];
}

export const DEFAULT_DELETED_DAYS = 30;
const DAY = 86_400_000;

const BY: Record<Origin, string> = {
  app: 'this app',
  cli: 'the tension command',
  mcp: 'an AI assistant (MCP)',
  external: 'another program',
  import: 'an import',
  recover: 'a recovery',
  restore: 'a restore from a backup',
  upgrade: 'a format upgrade',
};

const PART = /^(.*)_(chart|desired_outcome|current_reality|action_?\d+)$/;
const STEP = /_action_?\d+$/;

/** The chart an entity name is a part of, by the COAIA naming (`<id>_chart`, `<id>_action_3`, …). */
function chartOfName(name: string | undefined): string | undefined {
  return name === undefined ? undefined : PART.exec(name)?.[1];
}

/** An item with what restoring it needs (kept inside this module). */
interface Found extends DeletedItem {
  /** The records to put back (for an observation: none; the entity is edited instead). */
  readonly restore: readonly StoredRecord[];
  /** Entity names that must not exist now for the restore to go ahead. */
  readonly mustBeAbsent: readonly string[];
  /** An entity that must exist now (a step's chart outcome, an observation's entity). */
  readonly mustExist?: string;
}

interface Effect {
  readonly key: string;
  readonly record: StoredRecord | undefined;
  readonly before: StoredRecord | undefined;
}

/** Every deletion in one context's journal since `since`, oldest first (including things that exist again). */
function scanContext(journal: string, engine: Engine, context: string, since: number): Found[] {
  // Pass 1: keys only.
  const touched = new Set<string>();
  const charts = new Set<string>();
  forEachJournalEntry(engine.fs, journal, (entry) => {
    if (entry.kind !== 'commit' || Date.parse(entry.ts) < since) return;
    for (const change of entry.changes) {
      const key = keyOfChange(change);
      const identity = identityOfKey(key);
      if (identity[0] !== 'entity') continue;
      touched.add(key);
      const chart = chartOfName(identity[1]);
      if (chart !== undefined) charts.add(chart);
    }
  });
  if (touched.size === 0) return [];
  const wanted = (key: string) => {
    if (touched.has(key)) return true;
    const identity = identityOfKey(key);
    if (identity[0] === 'entity') return charts.has(chartOfName(identity[1]) ?? '\u0000');
    if (identity[0] === 'relation') {
      const [, from, to] = identity;
      // A relation of a touched entity goes (and comes back) with it.
      return touched.has(entityKey(from)) || touched.has(entityKey(to)) || charts.has(chartOfName(from) ?? '\u0000') || charts.has(chartOfName(to) ?? '\u0000');
    }
    return false;
  };

  // Pass 2: the versions of those records, a commit at a time.
  const current = new Map<string, StoredRecord>();
  const found: Found[] = [];
  let group: { entry: JournalCommit; effects: Effect[] } | undefined;
  const finish = () => {
    if (!group) return;
    if (Date.parse(group.entry.ts) >= since) appendAll(found, itemsOf(group.entry, group.effects, current, context));
    for (const effect of group.effects) {
      if (effect.record) current.set(effect.key, effect.record);
      else current.delete(effect.key);
    }
    group = undefined;
  };
  replayWanted(engine.fs, journal, wanted, (key, entry, record, before) => {
    if (group && group.entry.tx !== entry.tx) finish();
    group ??= { entry, effects: [] };
    group.effects.push({ key, record, before });
  });
  finish();
  return found;
}

/** The records of these charts in a state (their parts and the relations from and to them). */
function chartRecords(state: ReadonlyMap<string, StoredRecord>, ids: ReadonlySet<string>): RecordSet {
  const set = new RecordSet();
  for (const [key, record] of state) {
    const identity = identityOfKey(key);
    const belongs =
      identity[0] === 'entity'
        ? ids.has(record.chartId ?? chartOfName(identity[1]) ?? '\u0000')
        : identity[0] === 'relation' && (ids.has(chartOfName(identity[1]) ?? '\u0000') || ids.has(chartOfName(identity[2]) ?? '\u0000'));
    if (belongs) set.set(record);
  }
  return set;
}

function titleOf(record: StoredRecord | undefined): string {
  if (!record || record.kind !== 'entity') return '';
  const value = parseValue(record);
  return Array.isArray(value.observations) && typeof value.observations[0] === 'string' ? value.observations[0] : '';
}

function observationsOf(record: StoredRecord): string[] {
  const value = parseValue(record);
  return Array.isArray(value.observations) ? value.observations.map((o) => (typeof o === 'string' ? o : JSON.stringify(o))) : [];
}

/** What one commit deleted, as items a person recognizes. `before` is the state just before it. */
function itemsOf(entry: JournalCommit, effects: readonly Effect[], before: ReadonlyMap<string, StoredRecord>, context: string): Found[] {
  // What a move (of charts, or a merge or rename of the context) took out of its source went
  // to another context: it was not deleted.
  if (movePartOf(entry.op)?.from === context) return [];
  const head = {
    context,
    deletedAt: entry.ts,
    origin: entry.origin,
    by: BY[entry.origin] ?? entry.origin,
    ...(entry.note === undefined ? {} : { note: entry.note }),
  };
  const deleted = effects.flatMap((e) => (!e.record && e.before ? [e.before] : []));
  const deletedEntities = deleted.filter((r) => r.kind === 'entity');
  const chartOf = (r: StoredRecord) => r.chartId ?? chartOfName(r.name);
  /** The entities of this commit's deletions that pass, and the deleted relations touching them: what restoring brings back. */
  const restoreSet = (take: (entity: StoredRecord) => boolean): StoredRecord[] => {
    const entities = deletedEntities.filter(take);
    const names = new Set(entities.map((r) => r.name as string));
    return [...entities, ...deleted.filter((r) => r.kind === 'relation' && (names.has(r.from as string) || names.has(r.to as string)))];
  };
  const pre = new RecordSet();
  for (const record of before.values()) pre.set(record);
  const index = chartIndexOf(pre);
  const treeOf = (chart: string | undefined, ids: readonly string[] = []) => (chart === undefined ? undefined : readTree(chartRecords(before, new Set([chart, ...ids])), chart, context));
  // Charts whose chart entity or desired outcome went in this commit.
  const gone = new Set<string>();
  for (const record of deletedEntities) {
    const chart = chartOf(record);
    if (chart !== undefined && (record.name === `${chart}_chart` || record.name === `${chart}_desired_outcome`)) gone.add(chart);
  }
  const descendants = (id: string) => index.subtree(id).filter((sub) => sub !== id && gone.has(sub));
  const covered = new Set<string>();
  const items: Omit<Found, 'id'>[] = [];
  const add = (item: Omit<Found, 'id' | 'records' | 'mustBeAbsent'> & { mustBeAbsent?: readonly string[] }) => {
    for (const r of item.restore) if (r.kind === 'entity') covered.add(r.name as string);
    items.push({ ...item, records: item.restore.length || 1, mustBeAbsent: item.mustBeAbsent ?? item.restore.filter((r) => r.kind === 'entity').map((r) => r.name as string) });
  };
  // A removed step first: the charts telescoped from it went with it.
  for (const record of deletedEntities) {
    const name = record.name as string;
    const chart = chartOf(record);
    if (!STEP.test(name) || chart === undefined || gone.has(chart)) continue;
    const subCharts = index.subChartsOfStep(name).filter((sub) => gone.has(sub)).flatMap((sub) => [sub, ...descendants(sub)]);
    const tree = treeOf(chart, subCharts);
    add({
      ...head,
      kind: 'step',
      name,
      title: titleOf(record),
      chartId: chart,
      subCharts,
      ...(tree ? { chart: tree } : {}),
      restore: restoreSet((r) => r.name === name || subCharts.includes(chartOf(r) ?? '')),
      mustExist: `${chart}_desired_outcome`,
    });
  }
  // Charts removed whole, each with the charts telescoped from it that went too.
  const nested = new Set([...gone].flatMap((id) => descendants(id)));
  for (const id of gone) {
    if (nested.has(id) || covered.has(`${id}_chart`) || covered.has(`${id}_desired_outcome`)) continue;
    const subCharts = descendants(id);
    const ids = new Set([id, ...subCharts]);
    const tree = treeOf(id, subCharts);
    add({
      ...head,
      kind: 'chart',
      name: id,
      title: tree?.chart.desiredOutcome ?? titleOf(before.get(entityKey(`${id}_desired_outcome`))),
      chartId: id,
      subCharts,
      ...(tree ? { chart: tree } : {}),
      restore: restoreSet((r) => ids.has(chartOf(r) ?? '')),
    });
  }
  // Any other entity removed on its own.
  for (const record of deletedEntities) {
    const name = record.name as string;
    if (covered.has(name)) continue;
    const chart = chartOf(record);
    const tree = treeOf(chart);
    add({ ...head, kind: 'entity', name, title: titleOf(record), ...(chart === undefined ? {} : { chartId: chart }), subCharts: [], ...(tree ? { chart: tree } : {}), restore: restoreSet((r) => r.name === name) });
  }
  // Observations removed from an entity that stayed (an edit that only took text away).
  for (const effect of effects) {
    if (!effect.record || effect.record.kind !== 'entity' || effect.before?.kind !== 'entity') continue;
    const left = new Map<string, number>();
    for (const o of observationsOf(effect.record)) left.set(o, (left.get(o) ?? 0) + 1);
    const removed: string[] = [];
    for (const o of observationsOf(effect.before)) {
      const n = left.get(o) ?? 0;
      if (n > 0) left.set(o, n - 1);
      else removed.push(o);
    }
    if (removed.length === 0 || [...left.values()].some((n) => n > 0)) continue;
    const name = effect.record.name as string;
    const chart = chartOf(effect.before);
    const tree = treeOf(chart);
    for (const observation of removed) {
      add({ ...head, kind: 'observation', name, title: observation, observation, ...(chart === undefined ? {} : { chartId: chart }), subCharts: [], ...(tree ? { chart: tree } : {}), restore: [], mustBeAbsent: [], mustExist: name });
    }
  }
  return items.map((item, n) => ({ ...item, id: `${context}@${entry.seq}.${n + 1}` }));
}

/** True when the thing is there again (restored, re-created, or the chart moved to another context). */
function existsAgain(item: Found, now: RecordSet, chartsNow: ReadonlySet<string>): boolean {
  switch (item.kind) {
    case 'chart':
      return chartsNow.has(item.name);
    case 'step':
    case 'entity': {
      // A record of that name made after the deletion (a new step given the number of a removed
      // one) is another thing: the deleted one is still listed (and restoring it is refused).
      const record = now.get(entityKey(item.name));
      return record !== undefined && !(createdAt(record) > item.deletedAt);
    }
    default: {
      const record = now.get(entityKey(item.name));
      return !record || observationsOf(record).includes(item.observation as string);
    }
  }
}

/** metadata.createdAt, or '' when it has none. */
function createdAt(record: StoredRecord): string {
  const metadata = parseValue(record).metadata as { createdAt?: unknown } | undefined;
  return typeof metadata?.createdAt === 'string' ? metadata.createdAt : '';
}

function publicItem(item: Found): DeletedItem {
  const { restore: _restore, mustBeAbsent: _absent, mustExist: _exist, ...rest } = item;
  return rest;
}

async function scanAll(engine: Engine, options: DeletedOptions): Promise<Found[]> {
  const days = options.days ?? DEFAULT_DELETED_DAYS;
  if (!Number.isFinite(days) || days < 0) throw new EngineError('BAD_INPUT', `The number of days must be 0 or more, got ${days}.`);
  const since = (options.now ?? new Date()).getTime() - days * DAY;
  const contexts = options.contexts ? options.contexts.map(validateContextName) : engine.listContextNames();
  // Charts anywhere now: a chart moved (or archived) to another context is not deleted.
  const chartsNow = new Set<string>();
  for (const context of engine.listContextNames()) await engine.read(context, (state) => chartIndexOf(state).ids.forEach((id) => chartsNow.add(id)));
  const found: Found[] = [];
  for (const context of contexts) {
    found.push(
      ...(await engine.read(context, (state, store) => scanContext(store.paths.journal, engine, context, since).filter((item) => !existsAgain(item, state, chartsNow)))),
    );
  }
  return found.sort((a, b) => (a.deletedAt < b.deletedAt ? 1 : a.deletedAt > b.deletedAt ? -1 : a.id < b.id ? 1 : -1));
}

/** What was removed in the last `days` days and is not there again, newest first. */
export async function listRecentlyDeleted(engine: Engine, options: DeletedOptions = {}): Promise<DeletedItem[]> {
  return (await scanAll(engine, options)).map(publicItem);
}

export interface RestoredDeleted {
  readonly item: DeletedItem;
  readonly changed: number;
  /** The context it came back in: the item's, or where its chart is now. */
  readonly into: string;
}

/**
 * Puts a deleted thing back as a new change: a chart or a step with the charts telescoped from
 * it, an entity with its relations, an observation at the end of its entity's list. Refused,
 * with nothing changed, when something of the same name exists now or what it belongs in is gone.
 */
export async function restoreDeleted(engine: Engine, id: string, options: { days?: number; now?: Date } = {}): Promise<RestoredDeleted> {
  const match = /^(.+)@(\d+)\.(\d+)$/.exec(id);
  if (!match) throw new EngineError('BAD_INPUT', `Not an id of a deleted thing: ${JSON.stringify(id.slice(0, 120))} (see \`tension deleted\`).`);
  const context = validateContextName(match[1]);
  const all = await scanAll(engine, { ...options, contexts: [context], days: options.days ?? 3650 });
  const item = all.find((f) => f.id === id);
  if (!item) throw new EngineError('NOT_FOUND', `Nothing deleted has the id ${id} in context ${context} (it may have been restored already; see \`tension deleted\`).`);
  // A step whose chart went to another context since (moved, or its context renamed or merged)
  // comes back into the chart where it is now.
  const into = item.kind === 'observation' ? context : await whereItLives(engine, context, item.mustExist);
  const result = await engine.transact(
    into,
    (state) => {
      for (const name of item.mustBeAbsent) {
        if (state.has(entityKey(name))) {
          throw new EngineError('CONFLICT', `${name} exists again in context ${into} (made after the deletion), so the deleted ${item.kind} cannot come back under its name. Nothing was changed.`, { kept: 'Nothing was changed.' });
        }
      }
      if (item.mustExist !== undefined && !state.has(entityKey(item.mustExist))) {
        const why = item.kind === 'observation' ? `its entity ${item.mustExist} is gone` : `its chart ${item.chartId} is gone (restore the chart instead)`;
        throw new EngineError('NOT_FOUND', `The deleted ${item.kind} ${item.name} cannot come back: ${why}. Nothing was changed.`, { kept: 'Nothing was changed.' });
      }
      if (item.kind === 'observation') {
        const record = state.get(entityKey(item.name)) as StoredRecord;
        const value = parseExact(record.raw);
        const observations = Array.isArray(value.observations) ? [...value.observations] : [];
        observations.push(item.observation);
        const raw = stringifyExact({ ...value, observations });
        const verdict = classifyLine(raw);
        if (!verdict.ok || verdict.kind === 'blank') throw new EngineError('CORRUPT', `The entity ${item.name} could not be rebuilt with the observation. Nothing was changed.`);
        return { puts: [makeRecord(raw, verdict.fields)], deletes: [] };
      }
      // Relations come back only where both their ends will be there; the rest is put back as
      // the chart service undoes a removal (a completed step's "Completed: …" note included).
      const names = new Set(item.restore.filter((r) => r.kind === 'entity').map((r) => r.name as string));
      const present = (name: string) => names.has(name) || state.has(entityKey(name));
      const lines = item.restore.filter((r) => r.kind !== 'relation' || (present(r.from as string) && present(r.to as string))).map((r) => r.raw);
      return restoreRecords(state, lines, options.now ?? new Date());
    },
    { note: `restored the deleted ${item.kind} ${item.name} (removed ${item.deletedAt} by ${item.by}${into === context ? '' : ` in context ${context}`})` },
  );
  return { item: publicItem(item), changed: result.changed, into };
}

/**
 * The context that holds `chartEntity` now: `context` when it is there (or nothing says where it
 * went), else the one other context holding it (the chart was moved, or its context renamed or
 * merged away, after the deletion). Under another id (a move that renamed a clashing id) it is
 * not found, and the restore says the chart is gone.
 */
async function whereItLives(engine: Engine, context: string, chartEntity: string | undefined): Promise<string> {
  if (chartEntity === undefined || (await engine.read(context, (state) => state.has(entityKey(chartEntity))))) return context;
  const holding: string[] = [];
  for (const other of engine.listContextNames()) {
    if (other !== context && (await engine.read(other, (state) => state.has(entityKey(chartEntity))))) holding.push(other);
  }
  return holding.length === 1 ? (holding[0] as string) : context;
}
