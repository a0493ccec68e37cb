// Merging one context into another: previewed first (which charts arrive, which are already
// there, which collide), collisions resolved by the person (a new id, or skip: the chart stays
// in the source, which then stays listed), then one crash-safe move through the intent log.
// The emptied source is retired (its journal kept for history, its file taken away). Undo:
// the source as it was before the merge and the target as it was (undoMerge).
import type { Engine } from '../engine.ts';
import { EngineError } from '../errors.ts';
import { ARCHIVE_CONTEXT, DEFAULT_CONTEXT, validateContextName } from '../dataRoot.ts';
import { randomUUID } from 'node:crypto';
import { moveCharts, previewMove, type MovePreview, type MoveResult } from './moveCharts.ts';
import type { CollisionChoice, MovePlan } from './movePlan.ts';
import { chartIndexOf, resolveChartId } from '../charts/chartModel.ts';
import { entityKey, parseValue, type StoredRecord } from '../records.ts';
import type { RecordSet } from '../recordSet.ts';
import { replayWanted } from '../history.ts';
import { forEachJournalEntry } from '../journalFile.ts';
import { contextMoveWhat, moveNote, moveOperationId, movePartOf } from './moveOperation.ts';
import { retarget } from './recordRetarget.ts';
import { answerRetry, moveAllAndRetire, requireContext, type ContextChangeResult } from './contextRename.ts';
import { clearRetiredNote, readRetiredNote, writeRetiredNote, type RetiredNote } from './retiredContexts.ts';
import { refuseRetiredTarget } from './retiredTargets.ts';
import { moveAnswered } from './contextRetry.ts';

export interface MergeChoices {
  readonly resolutions?: Readonly<Record<string, CollisionChoice>>;
  readonly onCollision?: CollisionChoice;
  readonly op?: string | undefined;
}

function checkMerge(engine: Engine, from: string, into: string): void {
  validateContextName(from);
  validateContextName(into);
  if (from === into) throw new EngineError('BAD_INPUT', `A context cannot be merged into itself (${from}). Nothing was changed.`, { kept: 'Nothing was changed.' });
  requireContext(engine, from);
  requireContext(engine, into);
}

export async function previewMerge(engine: Engine, from: string, into: string): Promise<MovePreview> {
  checkMerge(engine, from, into);
  return previewMove(engine, from, into, { charts: 'all' });
}

/** The note says the context was merged (or is being merged) into `into`. */
const mergedInto = (note: RetiredNote | undefined, into: string) => note?.reason === 'merged' && note.into === into;

export async function mergeContext(engine: Engine, from: string, into: string, choices: MergeChoices = {}): Promise<ContextChangeResult> {
  validateContextName(from);
  validateContextName(into);
  // The default context and the archive are emptied, never retired: peers read charts.jsonl first.
  const retire = from !== DEFAULT_CONTEXT && from !== ARCHIVE_CONTEXT;
  const what = contextMoveWhat(from, into, 'merged');
  // The pending note this run wrote: the final note replaces only that one.
  let pendingNote: RetiredNote | undefined;
  const note = (pending: boolean) => engine.withLock(() => {
    // Checked where the note is written (one lock): another process may have retired the target since checkMerge.
    if (pending) refuseRetiredTarget(engine, from, into, 'merged');
    // Gone or another since the move (a rename into `from` took the emptied name up): the
    // name is that context's now, and a note "merged into" over it made a loop of notes.
    else if (pendingNote && JSON.stringify(readRetiredNote(engine.fs, engine.layout, from)) !== JSON.stringify(pendingNote)) return;
    // A retry's (no pending note of this run): only over this merge's own note, still there.
    else if (!pendingNote && !mergedInto(readRetiredNote(engine.fs, engine.layout, from), into)) return;
    const written: RetiredNote = { format: 1, context: from, reason: 'merged', into, ts: new Date().toISOString(), ...(pending ? { pending: true as const } : {}) };
    writeRetiredNote(engine.fs, engine.layout, written);
    if (pending) pendingNote = written;
  });
  const done = async () => {
    if (retire) await note(false);
  };
  // A retry of a merge done (the same --op) is answered as done, before the names are looked for
  // (the source is gone by then): the move answers from its journal, the rest is finished.
  if (from !== into && choices.op !== undefined && (await moveAnswered(engine, from, into, choices.op))) return answerRetry(engine, from, into, what, choices.op, done);
  checkMerge(engine, from, into);
  // Pending first: a crash after the move's intent is durable still ends with the source retired.
  if (retire) await note(true);
  else await engine.withLock(() => refuseRetiredTarget(engine, from, into, 'merged'));
  // The default context and the archive leave no note for a merge the other way to find (the
  // opposite merge of an ordinary context finds the source's pending note and is refused), so
  // they look again under the move's own lock: a merge of `into` into them asked for since
  // (its pending note written) is found there, and this one is refused, nothing moved. Both
  // were done, and the second undid the first.
  const beforeMove = retire ? undefined : () => refuseRetiredTarget(engine, from, into, 'merged');
  try {
    return await moveAllAndRetire(engine, from, into, what, choices.op, {
      selection: { charts: 'all', ...(choices.resolutions ? { resolutions: choices.resolutions } : {}), ...(choices.onCollision ? { onCollision: choices.onCollision } : {}) },
      beforeRetiring: done,
      ...(beforeMove ? { beforeMove } : {}),
    });
  } catch (error) {
    // Refused before anything moved (a collision left unresolved, a bad name): the note goes.
    if (retire && error instanceof EngineError && ['CONFLICT', 'BAD_INPUT', 'NOT_FOUND'].includes(error.code)) await engine.withLock(() => clearRetiredNote(engine.fs, engine.layout, from));
    throw error;
  }
}

/**
 * Takes a merge back: the source as it was before the merge, the target as it was. The charts
 * that arrived go back with their sub-charts as they are now (edits made since go with them),
 * under their own ids when the merge gave them new ones; what else the merge took (records of
 * no chart: another program's "Alice") goes back with them, and what it dropped from the source
 * as already in the target exactly comes back to the source (the target keeps its own). Read
 * from the two journals (the merge's commits, named by its operation id and note). One commit:
 * a failure leaves the merge as it was, and the same undo sent again does it (or, done, is
 * answered); a refusal changes nothing, the retired note included.
 */
export async function undoMerge(engine: Engine, merged: { from: string; into: string; charts: readonly string[] }, op?: string): Promise<MoveResult> {
  validateContextName(merged.from);
  requireContext(engine, merged.into);
  const base = op ?? randomUUID();
  const moveOp = moveOperationId(merged.into, merged.from, base);
  const what = `Undo of the merge of ${merged.from} into ${merged.into}`;
  // A retry of an undo already done: answered as done (the charts are no longer in the target).
  const done = await engine.read(merged.from, (_state, store) => store.hasOperation(`${moveOp}:${merged.from}`) !== undefined);
  if (done) return moveCharts(engine, merged.into, merged.from, { charts: merged.charts }, { op: base, what, ownMove: true });
  // Only back to a context that is there, or that this merge retired (never a new one by mistake).
  const note = readRetiredNote(engine.fs, engine.layout, merged.from);
  const retiredByThisMerge = note?.reason === 'merged' && note.into === merged.into;
  if (!retiredByThisMerge) requireContext(engine, merged.from);
  if (merged.charts.length === 0) throw new EngineError('BAD_INPUT', 'Name the charts the merge moved. Nothing was changed.', { kept: 'Nothing was changed.' });
  const missing = await engine.read(merged.into, (state) => merged.charts.filter((id) => resolveChartId(state, id) === undefined));
  if (missing.length > 0) throw new EngineError('NOT_FOUND', `No chart ${missing.slice(0, 5).join(', ')} in context ${merged.into}; nothing was moved back.`, { kept: 'Nothing was changed.' });
  const merge = await readMerge(engine, merged.from, merged.into);
  // Charts this merge gave a new id take their own back; a previousChartId left by an older
  // move (a chart that arrived in the source under a new id) is not the merge's to undo.
  const takeBack = merge === undefined ? [] : await engine.read(merged.into, (state) => {
    const index = chartIndexOf(state);
    return merged.charts.flatMap((id) => index.subtree(resolveChartId(state, id) ?? id)).filter((id) => {
      const previous = merge.renamed.get(id);
      return previous !== undefined && previousChartId(state, id) === previous;
    });
  });
  let cleared = false;
  try {
    return await moveCharts(engine, merged.into, merged.from, { charts: merged.charts, ...(takeBack.length > 0 ? { takeBack } : {}) }, {
      op: base,
      what,
      ownMove: true,
      ...(merge === undefined ? {} : { besides: (plan: MovePlan, target: RecordSet, source: RecordSet) => theRest(merged.into, merged.from, merge, plan, target, source) }),
      // The note goes with the commit, once the undo is not refused: left behind, it would have
      // the charts merged away again by adoptLeftovers.
      beforeCommit: () => {
        if (!note) return;
        clearRetiredNote(engine.fs, engine.layout, merged.from);
        cleared = true;
      },
    });
  } catch (error) {
    // Not committed (the intent could not be written): the source stays retired as it was.
    if (cleared && note) {
      await engine.withLock(() => {
        if (engine.storeForLockedWork(merged.from).hasOperation(`${moveOp}:${merged.from}`) === undefined) writeRetiredNote(engine.fs, engine.layout, note);
      });
    }
    throw error;
  }
}

interface MergeRecord {
  /** The source's records just before the merge. */
  readonly before: ReadonlyMap<string, StoredRecord>;
  /** What the merge took out of the source. */
  readonly deleted: ReadonlySet<string>;
  /** What it put into the target (keys there). */
  readonly put: ReadonlySet<string>;
  /** Charts it gave a new id: the new id -> the id the chart had in the source. */
  readonly renamed: ReadonlyMap<string, string>;
}

/** The newest merge of `from` into `into`, from the two journals; undefined if none is found. */
async function readMerge(engine: Engine, from: string, into: string): Promise<MergeRecord | undefined> {
  const [sourceJournal, targetJournal] = await Promise.all([engine.read(from, (_s, store) => store.paths.journal), engine.read(into, (_s, store) => store.paths.journal)]);
  const mergeNote = moveNote(from, into, contextMoveWhat(from, into, 'merged'));
  let last: { tx: string; move: string } | undefined;
  forEachJournalEntry(engine.fs, sourceJournal, (entry) => {
    if (entry.kind !== 'commit' || entry.note !== mergeNote) return;
    const part = movePartOf(entry.op);
    if (part?.from === from && part.to === into && part.context === from) last = { tx: entry.tx, move: part.move };
  });
  if (!last) return undefined;
  const merge = last;
  const before = new Map<string, StoredRecord>();
  const deleted = new Set<string>();
  let reached = false;
  replayWanted(engine.fs, sourceJournal, () => true, (key, entry, record) => {
    if (entry.tx === merge.tx) {
      reached = true;
      if (!record) deleted.add(key);
    }
    if (reached) return;
    if (record) before.set(key, record);
    else before.delete(key);
  });
  const put = new Set<string>();
  const renamed = new Map<string, string>();
  replayWanted(engine.fs, targetJournal, () => true, (key, entry, record) => {
    if (!record || entry.op !== `${merge.move}:${into}`) return;
    put.add(key);
    // A chart entity under a key the source did not have, noting a chart the source did have: renamed by this merge.
    const id = record.kind === 'entity' && record.name?.endsWith('_chart') ? record.name.slice(0, -'_chart'.length) : undefined;
    const previous = id === undefined || before.has(key) ? undefined : previousOf(record);
    if (id !== undefined && previous !== undefined && before.has(entityKey(`${previous}_chart`))) renamed.set(id, previous);
  });
  return { before, deleted, put, renamed };
}

/**
 * What goes back besides the charts, in the same commit: what the merge put into the target
 * that no chart takes back (records of no chart), and what it dropped from the source as already
 * in the target exactly (the source gets its own copy back).
 */
function theRest(into: string, from: string, merge: MergeRecord, plan: MovePlan, target: RecordSet, source: RecordSet): { deletes: string[]; puts: StoredRecord[] } {
  const leaving = new Set(plan.deletes);
  const arriving = new Set(plan.puts.map((record) => record.key));
  const inSource = (key: string) => source.has(key) || arriving.has(key);
  const loose = [...merge.put].filter((key) => target.has(key) && !leaving.has(key) && !inSource(key));
  const dropped = [...merge.deleted].filter((key) => !merge.put.has(key) && !inSource(key) && merge.before.has(key));
  return {
    deletes: loose,
    puts: [...loose.map((key) => retarget(target.get(key) as StoredRecord, into, from)), ...dropped.map((key) => merge.before.get(key) as StoredRecord)],
  };
}

function previousChartId(state: RecordSet, id: string): string | undefined {
  const chart = state.get(entityKey(`${id}_chart`));
  return chart ? previousOf(chart) : undefined;
}

function previousOf(chart: StoredRecord): string | undefined {
  const meta = parseValue(chart).metadata as Record<string, unknown> | undefined;
  return typeof meta?.previousChartId === 'string' ? meta.previousChartId : undefined;
}
