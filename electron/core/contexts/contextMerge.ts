// Merging one context into another: previewed first (which charts arrive, which are already
// there, which collide), collisions resolved by the person (a new id, or skip: the chart stays
// in the source, which then stays listed), then one crash-safe move through the intent log.
// The emptied source is retired (its journal kept for history, its file taken away). Undo:
// the charts that arrived are moved back (undoMerge).
import type { Engine } from '../engine.ts';
import { EngineError } from '../errors.ts';
import { ARCHIVE_CONTEXT, DEFAULT_CONTEXT, validateContextName } from '../dataRoot.ts';
import { moveCharts, previewMove, type MovePreview, type MoveResult } from './moveCharts.ts';
import type { CollisionChoice } from './movePlan.ts';
import { resolveChartId } from '../charts/chartModel.ts';
import { moveAllAndRetire, requireContext, type ContextChangeResult } from './contextRename.ts';
import { clearRetiredNote, readRetiredNote, writeRetiredNote } from './retiredContexts.ts';

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

export async function mergeContext(engine: Engine, from: string, into: string, choices: MergeChoices = {}): Promise<ContextChangeResult> {
  checkMerge(engine, from, into);
  // The default context and the archive are emptied, never retired: peers read charts.jsonl first.
  const retire = from !== DEFAULT_CONTEXT && from !== ARCHIVE_CONTEXT;
  const note = (pending: boolean) => engine.withLock(() => writeRetiredNote(engine.fs, engine.layout, { format: 1, context: from, reason: 'merged', into, ts: new Date().toISOString(), ...(pending ? { pending: true as const } : {}) }));
  // Pending first: a crash after the move's intent is durable still ends with the source retired.
  if (retire) await note(true);
  try {
    return await moveAllAndRetire(
      engine,
      from,
      into,
      `Context ${from} (merged into ${into})`,
      choices.op,
      { charts: 'all', ...(choices.resolutions ? { resolutions: choices.resolutions } : {}), ...(choices.onCollision ? { onCollision: choices.onCollision } : {}) },
      async () => {
        if (retire) await note(false);
      },
    );
  } catch (error) {
    // Refused before anything moved (a collision left unresolved, a bad name): the note goes.
    if (retire && error instanceof EngineError && ['CONFLICT', 'BAD_INPUT', 'NOT_FOUND'].includes(error.code)) await engine.withLock(() => clearRetiredNote(engine.fs, engine.layout, from));
    throw error;
  }
}

/** Takes a merge back: the charts that arrived go back to the context they came from, which shows again. */
export async function undoMerge(engine: Engine, merged: { from: string; into: string; charts: readonly string[] }, op?: string): Promise<MoveResult> {
  validateContextName(merged.from);
  requireContext(engine, merged.into);
  // Only back to a context that is there, or that this merge retired (never a new one by mistake).
  const note = readRetiredNote(engine.fs, engine.layout, merged.from);
  const retiredByThisMerge = note?.reason === 'merged' && note.into === merged.into;
  if (!retiredByThisMerge) requireContext(engine, merged.from);
  if (merged.charts.length === 0) throw new EngineError('BAD_INPUT', 'Name the charts the merge moved. Nothing was changed.', { kept: 'Nothing was changed.' });
  const missing = await engine.read(merged.into, (state) => merged.charts.filter((id) => resolveChartId(state, id) === undefined));
  if (missing.length > 0) throw new EngineError('NOT_FOUND', `No chart ${missing.slice(0, 5).join(', ')} in context ${merged.into}; nothing was moved back.`, { kept: 'Nothing was changed.' });
  // The note goes first: left behind, it would have the charts merged away again by adoptLeftovers.
  if (note) await engine.withLock(() => clearRetiredNote(engine.fs, engine.layout, merged.from));
  return moveCharts(engine, merged.into, merged.from, { charts: merged.charts }, { op, what: `Undo of the merge of ${merged.from} into ${merged.into}` });
}
