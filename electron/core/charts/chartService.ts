// The chart service: structural tension charts on the storage engine. Every operation is one
// transaction (or, between contexts, one intent-logged transaction); reads are fresh.
// Used by the IPC handlers (desktop app) and the CLI alike.
import path from 'node:path';
import type { Engine } from '../engine.ts';
import { EngineError } from '../errors.ts';
import { ARCHIVE_CONTEXT, validateContextName } from '../dataRoot.ts';
import { historyOf, recordsAsOf, withPendingChanges, type HistoryPage, type RecordVersion } from '../history.ts';
import { earlierVersions } from '../contexts/historyAcrossMoves.ts';
import { moveNote, moveOperationId } from '../contexts/moveOperation.ts';
import { refuseRetiredDestination, whereItWent } from '../contexts/retiredTargets.ts';
import { makeRecord, classifyLine, parseValue, type StoredRecord } from '../records.ts';
import { RecordSet } from '../recordSet.ts';
import type { CommitResult, PendingChanges } from '../contextStore.ts';
import { type Chart, type ChartHistoryEntry, type ChartSummary, type ChartTree, type NewChart } from '../../../shared/domain.ts';
import type { ChartListDelta } from '../../../shared/contract.ts';
import { buildSearchIndexInSlices } from '../searchWarmUp.ts';
import { searchChartsIn, type ChartSearchHit } from './chartSearch.ts';
import { chartIndexOf, chartParts, readChart, readTree, keyBelongsToChart, resolveChartId } from './chartModel.ts';
import { chartListChangesSince, listCharts, type ListPosition } from './chartSummaries.ts';
import * as edits from './chartEdits.ts';
import { chartPart, chartVersionAfter, outcomePart, realityPart, requireVersion, stepPart, treeWithVersions, versionAfter, withVersions, type VersionedPart } from './chartVersions.ts';
import { appendAll } from '../../../shared/appendAll.ts';

/** A commit, and the version of the edited part after it (absent for a retried operation). */
export type Edited = CommitResult & { readonly version?: string };

interface Guard {
  readonly op?: string | undefined;
  /** The version the person saw: the edit is refused (CONFLICT) if `part` is no longer at it. */
  readonly ifVersion?: string | undefined;
  readonly part?: (state: RecordSet) => VersionedPart;
  /** The version to report after the edit, when it is not `part`'s (a new step, a new chart). */
  readonly after?: (state: RecordSet, changes: PendingChanges) => string;
}

const opt = (op: string | undefined): { op?: string } => (op === undefined ? {} : { op });

export type { ChartSearchHit } from './chartSearch.ts';

export interface ChartSearchResult {
  readonly hits: ChartSearchHit[];
  /** How many charts match in all (the hits are the best of them). */
  readonly total: number;
}

/**
 * A retried operation whose first run wrote nothing of what this one makes: its id was used for
 * another change. Answered as a success, it printed an empty chart id or step name.
 */
function opUsedElsewhere(op: string | undefined, made: string): never {
  throw new EngineError('CONFLICT', `The operation id ${JSON.stringify(op ?? '')} was used for another change, which made ${made}: give this change an id of its own. Nothing was changed.`, { kept: 'Nothing was changed.' });
}

export class ChartService {
  constructor(
    private readonly engine: Engine,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * One edit as one transaction. With `ifVersion`, the edit is refused (CONFLICT, nothing
   * written) unless `part` is still at that version; the check runs in the same builder as the
   * write, under the lock. The result carries the part's version after the edit (what an undo
   * names), except for a retried operation, whose change was not built again.
   */
  private async change(context: string, build: (state: RecordSet) => PendingChanges, guard: Guard = {}): Promise<Edited> {
    let version: string | undefined;
    const result = await this.engine.transact(
      context,
      (state) => {
        const changes = build(state); // a part that does not exist is NOT_FOUND, not a conflict
        const part = guard.part?.(state);
        if (part) requireVersion(state, part, guard.ifVersion);
        version = guard.after ? guard.after(state, changes) : part ? versionAfter(state, changes, part) : undefined;
        return changes;
      },
      guard.op === undefined ? {} : { op: guard.op },
    );
    return result.duplicate || version === undefined ? result : { ...result, version };
  }

  // ------------------------------------------------------------------ reading

  contexts(): string[] {
    return this.engine.listContextNames();
  }

  list(context?: string): Promise<ChartSummary[]> {
    return listCharts(this.engine, context);
  }

  /**
   * The chart list as a difference since `since` (the token of an earlier answer): what the app
   * asks when a context changed, so that an outside change to 100k charts sends a few summaries.
   */
  async listChanges(context: string | undefined, since: string | undefined): Promise<ChartListDelta> {
    const contexts = context === undefined ? this.contexts() : [validateContextName(context)];
    const held = since === undefined ? undefined : parseListToken(since);
    const positions: Record<string, ListPosition> = {};
    const replaced: string[] = [];
    const changed: ChartSummary[] = [];
    const removed: { context: string; id: string }[] = [];
    for (const name of contexts) {
      const delta = await this.engine.read(name, (state) => chartListChangesSince(state, name, held?.get(name)));
      positions[name] = delta.at;
      if (delta.whole) {
        replaced.push(name);
        appendAll(changed, delta.summaries);
      } else {
        appendAll(changed, delta.changed);
        for (const id of delta.removed) removed.push({ context: name, id });
      }
    }
    // A context the app holds charts of that is gone from the list (deleted, renamed): drop them.
    if (held) for (const name of held.keys()) if (!Object.hasOwn(positions, name)) replaced.push(name);
    return { token: JSON.stringify(positions), whole: held === undefined, replaced, changed, removed };
  }

  async show(context: string, id: string): Promise<Chart> {
    return this.engine.read(context, (state) => {
      const resolved = resolveChartId(state, id);
      const chart = resolved ? readChart(state, resolved, context) : undefined;
      if (!chart) throw new EngineError('NOT_FOUND', `No chart ${JSON.stringify(id)} in context ${context}.`);
      return withVersions(state, chart);
    });
  }

  async tree(context: string, id: string): Promise<ChartTree> {
    return this.engine.read(context, (state) => {
      const resolved = resolveChartId(state, id);
      const tree = resolved ? readTree(state, resolved, context) : undefined;
      if (!tree) throw new EngineError('NOT_FOUND', `No chart ${JSON.stringify(id)} in context ${context}.`);
      return treeWithVersions(state, tree);
    });
  }

  /**
   * The versions of the chart's parts, oldest first, from the journal: the newest `page.limit`
   * (default 1,000) older than journal entry `page.before`; `page.more` says whether there are
   * older ones. The journal is read in bounded memory (history.ts).
   */
  async history(context: string, id: string, page: HistoryPage = { limit: 1_000 }): Promise<ChartHistoryEntry[]> {
    const wanted = (key: string) => keyBelongsToChart(id, key);
    // A change another program made that this (read-only) process could not journal shows as pending.
    const versions = await this.engine.read(context, (_state, store) => {
      const journaled = historyOf(this.engine.fs, store.paths.journal, wanted, page);
      return page.before === undefined ? withPendingChanges(journaled, store, wanted) : journaled;
    });
    const entries: ChartHistoryEntry[] = [];
    const entryOf = (key: string, v: RecordVersion, seq = v.seq, from?: string): ChartHistoryEntry => ({ seq, ts: v.ts, origin: v.origin, tx: v.tx, ...(v.note ? { note: v.note } : {}), part: partLabel(key), action: v.action, ...(v.value ? { value: v.value } : {}), ...(v.changed ? { changed: v.changed } : {}), ...(v.pending ? { pending: true as const } : {}), ...(from ? { context: from } : {}) });
    for (const [key, list] of versions) for (const v of list) entries.push(entryOf(key, v));
    // Once the page reaches the chart's first version here, its versions from before a move follow (contexts/historyAcrossMoves.ts).
    if (!page.more) {
      const earlier = await this.engine.withLock(() => earlierVersions(this.engine, context, id, versions));
      earlier.forEach((e, i) => entries.push(entryOf(e.key, e.version, i - earlier.length + 1, e.context)));
    }
    if (entries.length === 0) throw new EngineError('NOT_FOUND', `No history for chart ${JSON.stringify(id)} in context ${context}.`);
    return entries.sort((a, b) => a.seq - b.seq);
  }

  /** The chart as it was at `time` (every part at its last version no later than then). */
  async asOf(context: string, id: string, time: string): Promise<Chart> {
    const at = Date.parse(time);
    if (Number.isNaN(at)) throw new EngineError('BAD_INPUT', `Not a time: ${JSON.stringify(time)} (use e.g. 2026-11-26T10:00:00Z).`);
    const journal = await this.engine.read(context, (_state, store) => store.paths.journal);
    const state = new RecordSet();
    for (const record of recordsAsOf(this.engine.fs, journal, (key) => keyBelongsToChart(id, key), at).values()) state.set(record);
    const chart = readChart(state, id, context);
    if (!chart) throw new EngineError('NOT_FOUND', `Chart ${id} did not exist in context ${context} at ${time}.`);
    return chart;
  }

  /** Charts whose parts contain words starting with every query word, best first, across contexts or in one. */
  async search(query: string, options: { context?: string; limit?: number } = {}): Promise<ChartSearchHit[]> {
    return (await this.searchCounted(query, options)).hits;
  }

  /**
   * The best `limit` charts for a query, and how many charts match in all. A chart ranks by its
   * best matching record, and a match in its desired outcome above any match in a step or an
   * observation (the outcome is what a person remembers a chart by).
   */
  async searchCounted(query: string, options: { context?: string; limit?: number } = {}): Promise<ChartSearchResult> {
    const limit = options.limit ?? 50;
    const contexts = options.context === undefined ? this.contexts() : [validateContextName(options.context)];
    const hits: ChartSearchHit[] = [];
    let total = 0;
    for (const context of contexts) {
      // An index not built yet is built a slice at a time: other requests go on meanwhile.
      await buildSearchIndexInSlices(this.engine, context);
      const found = await this.engine.read(context, (state, store) => searchChartsIn(state, store.searchIndex(), context, query, limit));
      hits.push(...found.hits);
      total += found.total;
    }
    return { hits: hits.sort((a, b) => b.score - a.score).slice(0, limit), total };
  }

  // ------------------------------------------------------------------ writing

  /** For a retried operation (its change not built again): the entity names its commit wrote. */
  private async namesWritten(context: string, result: CommitResult): Promise<string[]> {
    const keys = await this.engine.read(context, (_state, store) => store.changedKeysOf(result.tx));
    return keys.filter((key) => key.startsWith('e\u0000')).map((key) => key.slice(2));
  }

  private async chartIdOf(context: string, built: string, result: CommitResult, op: string | undefined, parentHint?: string): Promise<string> {
    if (!result.duplicate) return built;
    const charts = (await this.namesWritten(context, result)).filter((name) => name.endsWith('_chart') && name !== `${parentHint}_chart`);
    return charts[0]?.slice(0, -'_chart'.length) ?? opUsedElsewhere(op, 'no chart');
  }

  async create(context: string, input: NewChart, op?: string): Promise<{ id: string; result: Edited }> {
    let id = '';
    const result = await this.change(context, (state) => {
      // Under a name renamed or merged away, the chart would be moved on by the next context command.
      refuseRetiredDestination(this.engine, context, 'create');
      const built = edits.createChart(state, input, this.clock());
      id = built.id;
      return built.changes;
    }, { ...opt(op), after: (state, changes) => chartVersionAfter(state, changes, id) });
    return { id: await this.chartIdOf(context, id, result, op), result };
  }

  async addStep(context: string, chartId: string, input: { title: string; dueDate?: string }, op?: string, ifVersion?: string): Promise<{ name: string; result: Edited }> {
    let name = '';
    const result = await this.change(context, (state) => {
      const built = edits.addStep(state, chartId, input, this.clock());
      name = built.name;
      return built.changes;
    }, { ...opt(op), ifVersion, part: (state) => chartPart(state, resolveChartId(state, chartId) ?? chartId), after: (state, changes) => versionAfter(state, changes, stepPart(name)) });
    if (result.duplicate) name = (await this.namesWritten(context, result)).find((n) => /_action_?\d+$/.test(n)) ?? opUsedElsewhere(op, 'no step');
    return { name, result };
  }

  editStep(context: string, stepName: string, edit: { title?: string; dueDate?: string | null }, op?: string, ifVersion?: string) {
    return this.change(context, (state) => edits.editStep(state, stepName, edit, this.clock()), { ...opt(op), ifVersion, part: () => stepPart(stepName) });
  }

  moveStep(context: string, stepName: string, to: number, op?: string, ifVersion?: string) {
    return this.change(context, (state) => edits.moveStep(state, stepName, to, this.clock()), { ...opt(op), ifVersion, part: () => stepPart(stepName) });
  }

  completeStep(context: string, name: string, op?: string, ifVersion?: string) {
    return this.change(context, (state) => edits.completeStep(state, name, this.clock()), { ...opt(op), ifVersion, part: () => stepPart(name) });
  }

  reopenStep(context: string, name: string, op?: string, ifVersion?: string) {
    return this.change(context, (state) => edits.reopenStep(state, name, this.clock()), { ...opt(op), ifVersion, part: () => stepPart(name) });
  }

  completeOutcome(context: string, chartId: string, op?: string, ifVersion?: string) {
    return this.change(context, (state) => edits.completeOutcome(state, chartId, this.clock()), { ...opt(op), ifVersion, part: (state) => outcomePart(resolveChartId(state, chartId) ?? chartId) });
  }

  /** Takes back "outcome achieved": the outcome is open again, and so is the step it completed. */
  reopenOutcome(context: string, chartId: string, op?: string, ifVersion?: string) {
    return this.change(context, (state) => edits.reopenOutcome(state, chartId, this.clock()), { ...opt(op), ifVersion, part: (state) => outcomePart(resolveChartId(state, chartId) ?? chartId) });
  }

  /**
   * Removes a step with its whole telescoped subtree. `removed` holds the lines of every record
   * removed, exactly as they were: what restoreRecords puts back (undo).
   */
  async removeStep(context: string, stepName: string, op?: string, ifVersion?: string): Promise<Edited & { removed: string[] }> {
    let removed: string[] = [];
    const result = await this.change(context, (state) => {
      const changes = edits.removeStep(state, stepName, this.clock());
      removed = changes.deletes.flatMap((key) => state.get(key)?.raw ?? []);
      return changes;
    }, { ...opt(op), ifVersion, part: () => stepPart(stepName) });
    return { ...result, removed: result.duplicate ? [] : removed };
  }

  /** Removes a chart and the charts telescoped from it (undoing its creation or its telescope); the journal keeps their history. */
  async removeChart(context: string, chartId: string, op?: string, ifVersion?: string): Promise<Edited & { removed: string[] }> {
    let removed: string[] = [];
    const result = await this.change(context, (state) => {
      const changes = edits.removeChart(state, chartId, this.clock());
      removed = changes.deletes.flatMap((key) => state.get(key)?.raw ?? []);
      return changes;
    }, { ...opt(op), ifVersion, part: (state) => chartPart(state, resolveChartId(state, chartId) ?? chartId) });
    return { ...result, removed: result.duplicate ? [] : removed };
  }

  /** Puts back what a removal took away, exactly as it was (the lines removeStep reported); only what a removal gives. */
  restoreRecords(context: string, lines: readonly string[], op?: string) {
    return this.change(context, (state) => edits.restoreRemovedLines(state, lines, this.clock()), opt(op));
  }

  async telescope(context: string, stepName: string, input: { reality?: string; steps?: string[] } = {}, op?: string, ifVersion?: string): Promise<{ id: string; result: Edited }> {
    let id = '';
    let parent = '';
    const result = await this.change(context, (state) => {
      const built = edits.telescope(state, stepName, input, this.clock());
      id = built.id;
      parent = resolveChartId(state, stepName) ?? '';
      return built.changes;
    }, { ...opt(op), ifVersion, part: () => stepPart(stepName), after: (state, changes) => chartVersionAfter(state, changes, id) });
    if (result.duplicate) parent = (await this.engine.read(context, (state) => resolveChartId(state, stepName))) ?? '';
    return { id: await this.chartIdOf(context, id, result, op, parent), result };
  }

  addReality(context: string, chartId: string, text: string, op?: string, ifVersion?: string) {
    return this.change(context, (state) => edits.addReality(state, chartId, text, this.clock()), { ...opt(op), ifVersion, part: (state) => realityPart(resolveChartId(state, chartId) ?? chartId) });
  }

  editReality(context: string, chartId: string, from: string, to: string | undefined, op?: string, ifVersion?: string) {
    return this.change(context, (state) => edits.editReality(state, chartId, from, to, this.clock()), { ...opt(op), ifVersion, part: (state) => realityPart(resolveChartId(state, chartId) ?? chartId) });
  }

  setOutcome(context: string, chartId: string, text: string, op?: string, ifVersion?: string) {
    return this.change(context, (state) => edits.setOutcome(state, chartId, text, this.clock()), { ...opt(op), ifVersion, part: (state) => outcomePart(resolveChartId(state, chartId) ?? chartId) });
  }

  setDue(context: string, chartId: string, date: string | null, op?: string, ifVersion?: string) {
    let resolved = chartId;
    return this.change(context, (state) => {
      resolved = resolveChartId(state, chartId) ?? chartId;
      return edits.setDue(state, chartId, date, this.clock());
    }, { ...opt(op), ifVersion, part: (state) => chartPart(state, resolved), after: (state, changes) => chartVersionAfter(state, changes, resolved) });
  }

  /**
   * Moves a chart, its telescoped subtree and their relations to another context, as one
   * crash-safe transaction (intent-logged: wholly done or not at all, even across a crash).
   */
  async move(from: string, id: string, to: string, asked: { requireComplete?: boolean; mark?: 'archive' | 'unarchive'; op?: string; ifVersion?: string } = {}): Promise<{ moved: number }> {
    validateContextName(from);
    validateContextName(to);
    // A move into the archive (completed-charts.jsonl) is an archiving, out of it an unarchiving,
    // however it is asked for (`chart move --to completed`, a drag onto it): an open chart moved
    // there plainly was archived without the archive's check, and without its marks.
    const archive: 'archive' | 'unarchive' | undefined = this.engine.layout.kind === 'coaia' && asked.mark === undefined ? (to === ARCHIVE_CONTEXT ? 'archive' : from === ARCHIVE_CONTEXT ? 'unarchive' : undefined) : undefined;
    const options = archive === 'archive' ? { ...asked, requireComplete: true, mark: archive } : archive === 'unarchive' ? { ...asked, mark: archive } : asked;
    if (from === to) throw new EngineError('BAD_INPUT', `The chart is already in context ${to}.`);
    let records: StoredRecord[] = [];
    let chartId = id;
    const results = await this.engine.transactAcross(
      [
        [from, (state) => {
          // Into a name renamed or merged away, the chart would be moved on by the next context command.
          refuseRetiredDestination(this.engine, to);
          const resolved = edits.requireChart(state, id, from);
          chartId = resolved;
          requireVersion(state, chartPart(state, resolved), options.ifVersion);
          const index = chartIndexOf(state);
          const chart = readChart(state, resolved, from, index);
          if (options.requireComplete && !chart?.complete) {
            throw new EngineError('BAD_INPUT', `Chart ${resolved} is not complete: only a completed chart is archived (complete its desired outcome or every step first).`);
          }
          // A sub-chart hanging from the chart itself, not from one of its steps, is a step the
          // COAIA server added (add_action_step): archived open, it would leave the server's list.
          const openStepChart = options.requireComplete && !chart?.outcomeCompleted ? index.childrenOf(resolved).find((child) => {
            const link = edits.parentLink(state, chartParts(state, child));
            return link !== undefined && link.step === undefined && readChart(state, child, from, index)?.complete === false;
          }) : undefined;
          if (openStepChart !== undefined) {
            throw new EngineError('BAD_INPUT', `Chart ${resolved} still has an open step: its sub-chart ${openStepChart} (a step added as a chart) is not complete. Complete it, or the chart's desired outcome, first. Nothing was changed.`);
          }
          // Moved alone, a sub-chart would keep its link to a parent left behind (whose step
          // would no longer know it), and its relation to the parent's outcome would dangle.
          const parent = chart?.parentChart !== undefined && chart.parentChart !== resolved && index.has(chart.parentChart) ? chart.parentChart : undefined;
          if (parent !== undefined) {
            const verb = options.mark === 'archive' ? 'archive' : 'move';
            throw new EngineError('BAD_INPUT', `Chart ${resolved} is a sub-chart of ${parent}: ${verb} the top chart, and its sub-charts go with it. Nothing was changed.`);
          }
          const keys = edits.subtreeKeys(state, resolved, index, true);
          records = [...keys].flatMap((key) => {
            const record = state.get(key);
            return record ? [retarget(record, from, to, resolved, options.mark)] : [];
          });
          return { puts: [], deletes: [...keys] };
        }],
        [to, (state) => {
          const clash = records.find((record) => state.has(record.key));
          if (clash) throw new EngineError('CONFLICT', `Context ${to} already has ${clash.name ?? 'a record'} (chart ${chartId}); nothing was moved.`);
          return { puts: records, deletes: [], verbatim: true };
        }],
      ],
      // Named as a move, so the chart's history follows it (contexts/moveOperation.ts).
      { op: moveOperationId(from, to, options.op), note: moveNote(from, to, `Chart ${id}`) },
    );
    // A retried move answers as the first time: what it moved into the target.
    return { moved: results[to]?.duplicate ? results[to].changed : records.length };
  }

  /** Archives a completed top-level chart (with its sub-charts) into completed-charts.jsonl. */
  archive(context: string, id: string, op?: string, ifVersion?: string) {
    if (context === ARCHIVE_CONTEXT) throw new EngineError('BAD_INPUT', 'That chart is already archived.');
    return this.move(context, id, ARCHIVE_CONTEXT, { requireComplete: true, mark: 'archive', ...(op ? { op } : {}), ...(ifVersion ? { ifVersion } : {}) });
  }

  /** Brings an archived chart back to the context it was archived from (or `to`). */
  async unarchive(id: string, to?: string, op?: string, ifVersion?: string) {
    const archivedFrom = to
      ? undefined
      : await this.engine.read(ARCHIVE_CONTEXT, (state) => {
          const resolved = resolveChartId(state, id);
          const meta = resolved ? readChartMeta(state, resolved) : undefined;
          return typeof meta?.archivedFrom === 'string' ? meta.archivedFrom : undefined;
        });
    // The context it was archived from may have been renamed or merged away since: the chart
    // goes where that context's charts went (a name the person gave is held to, and refused).
    const target = to ?? (archivedFrom === undefined ? (op === undefined ? undefined : await unarchivedTo(this.engine, op)) : whereItWent(this.engine, archivedFrom));
    if (!target) {
      const archived = await this.engine.read(ARCHIVE_CONTEXT, (state) => resolveChartId(state, id) !== undefined);
      if (!archived) throw new EngineError('NOT_FOUND', `There is no chart ${id} in the archive (${ARCHIVE_CONTEXT}). Nothing was changed.`);
      throw new EngineError('BAD_INPUT', `Say which context to restore chart ${id} to (--to): the archive does not say where it came from.`);
    }
    const { moved } = await this.move(ARCHIVE_CONTEXT, id, target, { mark: 'unarchive', ...(op ? { op } : {}), ...(ifVersion ? { ifVersion } : {}) });
    return { moved, to: target };
  }
}

/**
 * Where an unarchive sent with the caller's operation id took its chart, read from the archive's
 * journal (its move's id names the target): a retry, the chart no longer in the archive, is
 * answered by the move as done, not refused for want of a target.
 */
async function unarchivedTo(engine: Engine, op: string): Promise<string | undefined> {
  const head = `move:${ARCHIVE_CONTEXT}:`;
  const tail = `:${op}:${ARCHIVE_CONTEXT}`;
  return engine.read(ARCHIVE_CONTEXT, (_state, store) => {
    for (const id of store.operationIds()) {
      if (!id.startsWith(head) || !id.endsWith(tail)) continue;
      const to = id.slice(head.length, id.length - tail.length);
      if (to !== '' && !to.includes(':')) return to;
    }
    return undefined;
  });
}

function readChartMeta(state: RecordSet, id: string): Record<string, unknown> | undefined {
  const chart = state.get(`e\u0000${id}_chart`);
  if (!chart) return undefined;
  const meta = parseValue(chart).metadata;
  return typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>) : undefined;
}

/** A record moving between contexts: metadata.context follows it; the chart notes where it was archived from. */
function retarget(record: StoredRecord, from: string, to: string, chartId: string, mark?: 'archive' | 'unarchive'): StoredRecord {
  if (record.kind !== 'entity' && record.kind !== 'relation') return record;
  const value = parseValue(record);
  const meta = typeof value.metadata === 'object' && value.metadata !== null ? { ...(value.metadata as Record<string, unknown>) } : undefined;
  let changed = false;
  if (meta && meta.context === from) {
    meta.context = to;
    changed = true;
  }
  if (meta && record.name === `${chartId}_chart`) {
    if (mark === 'archive') {
      meta.archivedFrom = from;
      changed = true;
    } else if (mark === 'unarchive' && 'archivedFrom' in meta) {
      delete meta.archivedFrom;
      changed = true;
    }
  }
  if (!changed) return record;
  return recordOfValue({ ...value, metadata: meta }) ?? record;
}

function recordOfValue(value: Record<string, unknown>): StoredRecord | undefined {
  const raw = JSON.stringify(value);
  const verdict = classifyLine(raw);
  return verdict.ok && verdict.kind !== 'blank' ? makeRecord(raw, verdict.fields) : undefined;
}

function partLabel(key: string): string {
  const [kind, ...rest] = key.split('\u0000');
  if (kind === 'e') return rest.join('\u0000');
  if (kind === 'r') return `${rest[0]} -[${rest[2]}]-> ${rest[1]}`;
  return path.basename(rest.join(' '));
}

/** The positions in a token of listChanges; undefined for a token that is not one (the whole list is sent). */
function parseListToken(token: string): Map<string, ListPosition> | undefined {
  try {
    const parsed = JSON.parse(token) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const positions = new Map<string, ListPosition>();
    for (const [context, at] of Object.entries(parsed)) {
      const { epoch, generation } = (at ?? {}) as Partial<ListPosition>;
      if (typeof epoch !== 'string' || typeof generation !== 'number' || !Number.isInteger(generation)) return undefined;
      positions.set(context, { epoch, generation });
    }
    return positions;
  } catch {
    return undefined;
  }
}
