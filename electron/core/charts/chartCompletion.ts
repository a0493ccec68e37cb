// Completing and reopening steps and desired outcomes, with the "Completed: …" notes they keep
// in a current reality: one idea across steps, sub-charts and their parents, kept together so
// that a completion and its undoing are read (and changed) side by side.
import { entityKey, parseValue } from '../records.ts';
import type { RecordSet } from '../recordSet.ts';
import type { PendingChanges } from '../contextStore.ts';
import { CURRENT_REALITY, DESIRED_OUTCOME, completedNote } from '../../../shared/domain.ts';
import { chartEntityName, chartIndexOf, chartParts, entityOf, isChartId, outcomeName, realityName, resolveChartId, type Entity } from './chartModel.ts';
import { ChangeSet, requireChart, requireStep, requireText, touch, type Json } from './chartChangeSet.ts';

/**
 * Appends `note` to the chart's current reality, unless it is there already. True when it was
 * added: a line already there is left alone and nothing is written, so the edit answers
 * `changed: 0` and its undo (or a reopen) does not take away a line that was there before.
 */
export function addRealityNote(changes: ChangeSet, chartId: string, note: string, now: string): boolean {
  const name = realityName(chartId);
  const reality = changes.entity(name);
  if (!reality) {
    changes.put({ type: 'entity', name, entityType: CURRENT_REALITY, observations: [note], metadata: { chartId, createdAt: now } });
    changes.relate(chartEntityName(chartId), name, 'contains', now);
    return true;
  }
  if (reality.observations.includes(note)) return false;
  changes.modify(name, (value) => {
    const observations = Array.isArray(value.observations) ? (value.observations as unknown[]) : [];
    value.observations = [...observations, note];
  });
  return true;
}

/** Whether another step of the chart than `step` is complete under this title: the note stands for it too. */
function noteSharedByAnother(changes: ChangeSet, chartId: string, step: string, title: string): boolean {
  return changes.stepsOf(chartId).some((other) => other.name !== step && other.metadata.completionStatus === true && (other.observations[0] ?? other.name) === title);
}

/**
 * Takes a step's "Completed: <title>" note out of its chart's current reality (every copy of it),
 * unless another completed step of the chart has the same title; with `retitled`, the note
 * follows the step's new title. True when the reality changed.
 */
export function moveCompletedNote(changes: ChangeSet, chartId: string, step: string, title: string, retitled?: string): boolean {
  const record = changes.current(entityKey(realityName(chartId)));
  if (!record) return false;
  // As written (an observation that is not a string is kept too).
  const value = parseValue(record);
  const observations = Array.isArray(value.observations) ? (value.observations as unknown[]) : [];
  const note = completedNote(title);
  const shared = noteSharedByAnother(changes, chartId, step, title);
  const renamed = retitled === undefined ? undefined : completedNote(retitled);
  let placed = renamed === undefined || observations.includes(renamed);
  const next: unknown[] = [];
  for (const observation of observations) {
    if (observation !== note || shared) next.push(observation);
    else if (!placed) {
      next.push(renamed as string); // in the old note's place
      placed = true;
    }
  }
  if (!placed) next.push(renamed as string);
  if (next.length === observations.length && next.every((observation, i) => observation === observations[i])) return false;
  changes.modify(realityName(chartId), (value) => (value.observations = next));
  return true;
}

/**
 * Completes a step: its completionStatus, and "Completed: <title>" once in its chart's current
 * reality. The chart itself is complete only when every step is (PEERS.md bug 5: one step
 * completing the whole chart), so nothing is written on the chart entity but updatedAt.
 */
function completeStepInto(state: RecordSet, changes: ChangeSet, stepName: string, chartId: string, now: string): void {
  const step = changes.entity(stepName);
  if (!step) return;
  const wasComplete = step.metadata.completionStatus === true;
  const title = step.observations[0] ?? stepName;
  // A note standing for another completed step of this title is not one found: it goes when both are reopened.
  const added = addRealityNote(changes, chartId, completedNote(title), now);
  // Complete already, with its note: nothing to change (and nothing written: changed 0).
  if (wasComplete && !added) return;
  const noteWasThere = !added && !noteSharedByAnother(changes, chartId, stepName, title);
  changes.modify(stepName, (_value, metadata) => {
    metadata.completionStatus = true;
    metadata.updatedAt = now;
    // Completed again: what the first completion found stays what a reopen leaves.
    if (!wasComplete) keepFoundDone(metadata, state, stepName, noteWasThere);
  });
  touch(changes, chartId, now);
}

/**
 * What completing a step found done already, kept on the step (metadata.completionFound) so
 * that reopening it, which is how a completion is undone, takes back only what the completion
 * did: a "Completed: …" line that was in current reality before, and a sub-chart whose outcome
 * was achieved before, stay as they were. A completion that found nothing done keeps nothing.
 */
function keepFoundDone(metadata: Json, state: RecordSet, stepName: string, noteWasThere: boolean): void {
  const subCharts = chartIndexOf(state).subChartsOfStep(stepName).filter((sub) => entityOf(state.get(entityKey(outcomeName(sub))))?.metadata.completionStatus === true);
  if (!noteWasThere && subCharts.length === 0) delete metadata.completionFound;
  else metadata.completionFound = { ...(noteWasThere ? { note: true } : {}), ...(subCharts.length > 0 ? { subCharts } : {}) };
}

/** A completed step retitled: its note, found or not, now follows the new title and is ours to take back. */
export function forgetFoundNote(metadata: Json): void {
  const found = metadata.completionFound as { note?: unknown; subCharts?: unknown } | undefined;
  if (found?.note === undefined) return;
  if (found.subCharts === undefined) delete metadata.completionFound;
  else metadata.completionFound = { subCharts: found.subCharts };
}

/** What the step's completion found done already (keepFoundDone); a reopen then forgets it. */
function foundDone(step: Entity): { note: boolean; subCharts: readonly string[] } {
  const found = step.metadata.completionFound as { note?: unknown; subCharts?: unknown } | undefined;
  const subCharts = Array.isArray(found?.subCharts) ? found.subCharts.filter((sub): sub is string => typeof sub === 'string') : [];
  return { note: found?.note === true, subCharts };
}

export function completeStep(state: RecordSet, name: string, now: Date): PendingChanges {
  const part = entityOf(state.get(entityKey(requireText(name, 'the step name'))));
  // Completing a sub-chart's desired outcome completes the step it was telescoped from.
  if (part?.entityType === DESIRED_OUTCOME) return completeOutcome(state, part.name, now);
  const { step, chartId } = requireStep(state, name);
  const changes = new ChangeSet(state);
  completeStepInto(state, changes, step.name, chartId, now.toISOString());
  // A telescoped step is done when its sub-chart is: its desired outcome is marked complete too
  // (as the MCP tool always did), so the step and its sub-chart never disagree.
  setSubChartOutcome(state, changes, step.name, true, now.toISOString());
  return changes.done();
}

/**
 * Marks the desired outcome of every chart telescoped from `step` (the COAIA server may make two)
 * complete or open, where it is not so already; but those in `leave` (found achieved by the
 * step's completion, which a reopen takes back).
 */
function setSubChartOutcome(state: RecordSet, changes: ChangeSet, step: string, complete: boolean, now: string, leave: readonly string[] = []): void {
  for (const sub of chartIndexOf(state).subChartsOfStep(step)) {
    const outcome = leave.includes(sub) ? undefined : changes.entity(outcomeName(sub));
    if (!outcome || (outcome.metadata.completionStatus === true) === complete) continue;
    changes.modify(outcome.name, (_value, metadata) => (metadata.completionStatus = complete));
    touch(changes, sub, now);
    markChartEntity(changes, sub, complete);
  }
}

/**
 * The chart entity's completionStatus, which the COAIA servers' views read (a sub-chart listed
 * done or pending, counted overdue): set with the desired outcome, cleared when it is reopened.
 * Our reading never takes a chart for complete by it: the servers set it after one step (PEERS.md bug 5).
 */
function markChartEntity(changes: ChangeSet, chartId: string, done: boolean): void {
  const chart = changes.entity(chartEntityName(chartId));
  if (!chart || (chart.metadata.completionStatus === true) === done) return;
  changes.modify(chart.name, (_value, metadata) => (metadata.completionStatus = done));
}

export function reopenStep(state: RecordSet, name: string, now: Date): PendingChanges {
  const part = entityOf(state.get(entityKey(requireText(name, 'the step name'))));
  // Reopening a sub-chart's desired outcome reopens the step it completed, like completing it did.
  if (part?.entityType === DESIRED_OUTCOME) return reopenOutcome(state, part.name, now);
  const changes = new ChangeSet(state);
  const { step, chartId } = requireStep(state, name);
  const found = foundDone(step);
  // An open step is not marked again (nothing written when nothing else changes: changed 0);
  // a "Completed:" note another program wrote without marking it still goes.
  const wasComplete = step.metadata.completionStatus === true;
  if (wasComplete) {
    changes.modify(step.name, (_value, metadata) => {
      metadata.completionStatus = false;
      metadata.updatedAt = now.toISOString();
      delete metadata.completionFound;
    });
  }
  const noteTaken = !found.note && moveCompletedNote(changes, chartId, step.name, step.observations[0] ?? step.name);
  if (wasComplete || noteTaken) touch(changes, chartId, now.toISOString());
  setSubChartOutcome(state, changes, step.name, false, now.toISOString(), found.subCharts);
  return changes.done();
}

/**
 * Marks a chart's desired outcome complete; for a sub-chart, this completes the step it was
 * telescoped from (which notes it in the parent's current reality). The chain stops there: a
 * parent whose last step that was is complete by the all-steps rule, without more writes.
 * A sub-chart that is itself the step (coaia-narrative's add_action_step: a parent chart, no
 * parent step) is noted in its parent's current reality by its desired outcome, as that server does.
 */
export function completeOutcome(state: RecordSet, chartIdOrName: string, now: Date): PendingChanges {
  const stamp = now.toISOString();
  const { changes, parts, link } = markOutcome(state, chartIdOrName, true, stamp);
  if (link?.step) completeStepInto(state, changes, link.step.name, link.chart, stamp);
  else if (link && parts.outcome) {
    addRealityNote(changes, link.chart, completedNote(parts.outcome.observations[0] ?? parts.outcome.name), stamp);
    touch(changes, link.chart, stamp);
  }
  return changes.done();
}

/**
 * The inverse of completeOutcome: the outcome open again, the step it was telescoped from
 * reopened, and the "Completed: …" note taken out of the parent's current reality (also when a
 * peer wrote the note without marking the step).
 */
export function reopenOutcome(state: RecordSet, chartIdOrName: string, now: Date): PendingChanges {
  const stamp = now.toISOString();
  const { changes, parts, link } = markOutcome(state, chartIdOrName, false, stamp);
  if (link?.step) {
    const step = link.step;
    const wasComplete = step.metadata.completionStatus === true;
    const found = foundDone(step);
    if (wasComplete) {
      changes.modify(step.name, (_value, metadata) => {
        metadata.completionStatus = false;
        metadata.updatedAt = stamp;
        delete metadata.completionFound;
      });
    }
    // A note that was there before the step was completed stays (its completion added none).
    const noteTaken = !found.note && moveCompletedNote(changes, link.chart, step.name, step.observations[0] ?? step.name);
    if (noteTaken || wasComplete) touch(changes, link.chart, stamp);
  } else if (link && parts.outcome) {
    if (moveCompletedNote(changes, link.chart, parts.outcome.name, parts.outcome.observations[0] ?? parts.outcome.name)) touch(changes, link.chart, stamp);
  }
  return changes.done();
}

/** A chart's desired outcome (and its chart entity's flag) marked complete or open: the part completeOutcome and reopenOutcome share. */
function markOutcome(state: RecordSet, chartIdOrName: string, complete: boolean, stamp: string) {
  const chartId = requireChart(state, chartIdOrName);
  const changes = new ChangeSet(state);
  const parts = chartParts(state, chartId);
  if (parts.outcome) changes.modify(parts.outcome.name, (_v, m) => (m.completionStatus = complete));
  touch(changes, chartId, stamp);
  markChartEntity(changes, chartId, complete);
  return { changes, parts, link: parentLink(state, parts) };
}

/**
 * The chart a sub-chart hangs from, with the step it was telescoped from when it has one here;
 * undefined for a top chart, or one whose parent is not in this context.
 */
export function parentLink(state: RecordSet, parts: ReturnType<typeof chartParts>): { chart: string; step?: Entity } | undefined {
  const meta = parts.chart?.metadata ?? {};
  const stepName = typeof meta.parentActionStep === 'string' ? meta.parentActionStep : undefined;
  const step = stepName === undefined ? undefined : entityOf(state.get(entityKey(stepName)));
  if (step) {
    const chart = resolveChartId(state, step.name);
    return chart === undefined ? undefined : { chart, step };
  }
  if (stepName !== undefined || typeof meta.parentChart !== 'string' || !isChartId(state, meta.parentChart)) return undefined;
  return { chart: meta.parentChart };
}
