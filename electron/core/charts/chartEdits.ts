// Changes to charts, as change builders for Engine.transact: each reads the current records
// (under the lock, never a stale copy: PEERS.md bug 6) and returns every record to write, so
// each operation is one transaction. Fields and metadata keys we do not know are kept.
// The change set and input checks are in chartChangeSet.ts, completing and reopening in
// chartCompletion.ts; what callers use of them is re-exported here, so callers keep one module.
import { EngineError } from '../errors.ts';
import { classifyLine, entityKey, makeRecord, type StoredRecord } from '../records.ts';
import type { RecordSet } from '../recordSet.ts';
import type { PendingChanges } from '../contextStore.ts';
import {
  ACTION_STEP,
  CURRENT_REALITY,
  DESIRED_OUTCOME,
  STRUCTURAL_TENSION_CHART,
  completedNote,
  type NewChart,
} from '../../../shared/domain.ts';
import { chartIndexOf, chartEntityName, chartParts, entityOf, outcomeName, readChart, realityName, resolveChartId } from './chartModel.ts';
import { ChangeSet, requireChart, requireDate, requireStep, requireText, touch, type Json } from './chartChangeSet.ts';
import { addRealityNote, forgetFoundNote, moveCompletedNote, parentLink } from './chartCompletion.ts';
import { requireRecordsARemovalGave } from './removedRecordChecks.ts';
import { newChartId } from './chartIds.ts';
import { HIGHEST_STEP_NUMBER, nextStepNumber, raiseStepNumberMark, stepNumberOf } from './stepNumbers.ts';

export { requireChart, requireText };
export { completeOutcome, completeStep, parentLink, reopenOutcome, reopenStep } from './chartCompletion.ts';

function stepInput(step: string | { title: string; dueDate?: string }): { title: string; dueDate?: string } {
  return typeof step === 'string' ? { title: step } : step;
}

function writeStep(changes: ChangeSet, chartId: string, number: number, input: { title: string; dueDate?: string }, now: string): string {
  const name = `${chartId}_action_${number}`;
  const title = requireText(input.title, 'the step title');
  const dueDate = input.dueDate === undefined ? undefined : requireDate(input.dueDate);
  changes.put({
    type: 'entity',
    name,
    entityType: ACTION_STEP,
    observations: [title],
    metadata: { chartId, ...(dueDate ? { dueDate } : {}), completionStatus: false, createdAt: now, updatedAt: now },
  });
  changes.relate(chartEntityName(chartId), name, 'contains', now);
  changes.relate(name, outcomeName(chartId), 'advances_toward', now);
  return name;
}

function writeChart(changes: ChangeSet, id: string, input: NewChart, now: string, extra: Json = {}): void {
  const outcome = requireText(input.outcome, 'the desired outcome');
  const reality = (typeof input.reality === 'string' ? [input.reality] : [...input.reality]).map((r) => requireText(r, 'the current reality'));
  if (reality.length === 0) throw new EngineError('BAD_INPUT', 'the current reality is required: say honestly where things stand.');
  const dueDate = input.dueDate === undefined ? undefined : requireDate(input.dueDate);
  const due = dueDate ? { dueDate } : {};
  const steps = input.steps ?? [];
  const numbered = steps.length > 0 ? { [HIGHEST_STEP_NUMBER]: steps.length } : {};
  changes.put({ type: 'entity', name: chartEntityName(id), entityType: STRUCTURAL_TENSION_CHART, observations: [`Chart created on ${now}`], metadata: { chartId: id, ...due, level: 0, createdAt: now, updatedAt: now, ...numbered, ...extra } });
  changes.put({ type: 'entity', name: outcomeName(id), entityType: DESIRED_OUTCOME, observations: [outcome], metadata: { chartId: id, ...due, completionStatus: false, createdAt: now } });
  changes.put({ type: 'entity', name: realityName(id), entityType: CURRENT_REALITY, observations: reality, metadata: { chartId: id, createdAt: now } });
  changes.relate(chartEntityName(id), outcomeName(id), 'contains', now);
  changes.relate(chartEntityName(id), realityName(id), 'contains', now);
  changes.relate(realityName(id), outcomeName(id), 'creates_tension_with', now);
  steps.forEach((step, i) => writeStep(changes, id, i + 1, stepInput(step), now));
}

export function createChart(state: RecordSet, input: NewChart, now: Date): { changes: PendingChanges; id: string } {
  const changes = new ChangeSet(state);
  const id = newChartId(state, now.getTime());
  writeChart(changes, id, input, now.toISOString());
  return { changes: changes.done(), id };
}

/** Remembers on the chart entity (when it has one) that step `number` was given. */
function markStepNumberGiven(changes: ChangeSet, chartId: string, number: number): void {
  if (changes.entity(chartEntityName(chartId))) changes.modify(chartEntityName(chartId), (_v, metadata) => raiseStepNumberMark(metadata, number));
}

export function addStep(state: RecordSet, chartIdOrName: string, input: { title: string; dueDate?: string }, now: Date): { changes: PendingChanges; name: string } {
  const chartId = requireChart(state, chartIdOrName);
  const changes = new ChangeSet(state);
  const number = nextStepNumber(state, chartId);
  const name = writeStep(changes, chartId, number, input, now.toISOString());
  markStepNumberGiven(changes, chartId, number);
  touch(changes, chartId, now.toISOString());
  return { changes: changes.done(), name };
}

/**
 * A new title or due date for a step. The same title and date as now change nothing, and then
 * nothing is written (changed 0): a write would move the step's and the chart's versions, and
 * another window's edit made at the versions it saw would be refused as a conflict for nothing.
 */
export function editStep(state: RecordSet, stepName: string, edit: { title?: string; dueDate?: string | null }, now: Date): PendingChanges {
  if (edit.title === undefined && edit.dueDate === undefined) throw new EngineError('BAD_INPUT', 'A step edit needs a new title or a due date (null to clear it); nothing was changed.');
  const { step, chartId } = requireStep(state, stepName);
  const title = edit.title === undefined ? undefined : requireText(edit.title, 'the step title');
  const dueDate = edit.dueDate === undefined || edit.dueDate === null ? edit.dueDate : requireDate(edit.dueDate);
  const changes = new ChangeSet(state);
  const oldTitle = step.observations[0] ?? '';
  const oldDue = step.metadata.dueDate;
  const sameTitle = title === undefined || title === oldTitle;
  const sameDue = dueDate === undefined || (dueDate === null ? oldDue === undefined : dueDate === oldDue);
  if (sameTitle && sameDue) return changes.done();
  const retitledDone = title !== undefined && title !== oldTitle && step.metadata.completionStatus === true;
  changes.modify(step.name, (value, metadata) => {
    if (title !== undefined) value.observations = [title, ...step.observations.slice(1)];
    if (retitledDone) forgetFoundNote(metadata);
    if (dueDate === null) delete metadata.dueDate;
    else if (dueDate !== undefined) metadata.dueDate = dueDate;
    metadata.updatedAt = now.toISOString();
  });
  // A completed step's note in current reality follows its new title.
  if (retitledDone) moveCompletedNote(changes, chartId, step.name, oldTitle, title);
  touch(changes, chartId, now.toISOString());
  return changes.done();
}

/** Puts the step at position `to` (1-based) among its chart's steps, numbering positions 1..n. */
export function moveStep(state: RecordSet, stepName: string, to: number, now: Date): PendingChanges {
  const { step, chartId } = requireStep(state, stepName);
  const chart = readChart(state, chartId, '');
  if (!chart) throw new EngineError('NOT_FOUND', `No chart ${chartId}.`);
  if (!Number.isInteger(to) || to < 1 || to > chart.steps.length) throw new EngineError('BAD_INPUT', `A step position is a whole number from 1 to ${chart.steps.length}, got ${to}.`);
  const order = chart.steps.map((s) => s.name).filter((n) => n !== step.name);
  order.splice(to - 1, 0, step.name);
  const changes = new ChangeSet(state);
  order.forEach((name, i) => {
    const current = chart.steps.find((s) => s.name === name);
    if (current?.position !== i + 1) changes.modify(name, (_v, m) => (m.position = i + 1));
  });
  touch(changes, chartId, now.toISOString());
  return changes.done();
}

/**
 * A person's edit of one observation of the current reality: its first occurrence becomes `to`
 * (or goes, without `to`; or goes when `to` is there already). Repeated observations elsewhere
 * in the list stay: it is theirs to keep (an edit once removed every repeat of every line).
 * False when it changes nothing (`to` is `from`), so nothing is written.
 */
function editObservation(changes: ChangeSet, chartId: string, from: string, to: string | undefined): boolean {
  if (from === to || !changes.entity(realityName(chartId))) return false;
  changes.modify(realityName(chartId), (value) => {
    const observations = Array.isArray(value.observations) ? [...(value.observations as unknown[])] : [];
    const at = observations.indexOf(from);
    if (at === -1) return;
    if (to === undefined || observations.includes(to)) observations.splice(at, 1);
    else observations[at] = to;
    value.observations = observations;
  });
  return true;
}

/**
 * Every record of the chart and of the charts telescoped from it, at any depth. With
 * `linesNamingIt` (a move), also the lines of other types that name one of them in their
 * metadata.chartId (a legacy narrative_beat): its relation to the chart moves, so must it.
 * A removal leaves them, as it always did: the undo of a removal puts back entities and
 * relations only (restoreRecords), and the journal keeps the lines anyway.
 */
export function subtreeKeys(state: RecordSet, chartId: string, index = chartIndexOf(state), linesNamingIt = false): Set<string> {
  const keys = new Set<string>();
  for (const id of index.subtree(chartId)) {
    for (const key of chartParts(state, id).keys) keys.add(key);
    if (linesNamingIt) for (const key of state.opaqueLinesOfChart(id)) keys.add(key);
  }
  // Relations that touch a removed entity from outside go with it (nothing left dangling).
  for (const key of [...keys]) {
    const record = state.get(key);
    if (record?.kind === 'entity') for (const relation of state.relationKeysOf(record.name as string)) keys.add(relation);
  }
  return keys;
}

/** The sub-chart whose desired outcome is `name`, when it hangs from a chart here without a step of its own (coaia-narrative's add_action_step). */
function stepAddedAsChart(state: RecordSet, name: string) {
  const part = entityOf(state.get(entityKey(name)));
  if (part?.entityType !== DESIRED_OUTCOME) return undefined;
  const id = resolveChartId(state, name);
  // Told as completing it tells it (chartCompletion.ts parentLink): a parent here, no step.
  const link = id === undefined ? undefined : parentLink(state, chartParts(state, id));
  return id !== undefined && link !== undefined && link.step === undefined ? readChart(state, id, '') : undefined;
}

/** Removes a step with its whole telescoped subtree (PEERS.md bug 7: orphaned grandchildren). */
export function removeStep(state: RecordSet, stepName: string, now: Date): PendingChanges {
  const stepChart = stepAddedAsChart(state, requireText(stepName, 'the step name'));
  if (stepChart) {
    // A step the COAIA server added as a sub-chart (add_action_step), named by its desired
    // outcome as that server names it: it goes with its own sub-charts, as the MCP tool does.
    const changes = new ChangeSet(state);
    for (const key of subtreeKeys(state, stepChart.id)) changes.delete(key);
    if (stepChart.outcomeCompleted) moveCompletedNote(changes, stepChart.parentChart as string, stepName, stepChart.desiredOutcome);
    touch(changes, stepChart.parentChart as string, now.toISOString());
    return changes.done();
  }
  const { step, chartId } = requireStep(state, stepName);
  const changes = new ChangeSet(state);
  const index = chartIndexOf(state);
  for (const sub of index.subChartsOfStep(step.name)) for (const key of subtreeKeys(state, sub, index)) changes.delete(key);
  changes.delete(entityKey(step.name));
  for (const relation of state.relationKeysOf(step.name)) changes.delete(relation);
  // A peer's chart carries no mark: the removed step's number is remembered from now on.
  markStepNumberGiven(changes, chartId, stepNumberOf(step.name));
  if (step.metadata.completionStatus === true) moveCompletedNote(changes, chartId, step.name, step.observations[0] ?? step.name);
  touch(changes, chartId, now.toISOString());
  return changes.done();
}

/**
 * Removes a chart with every chart telescoped from it: what undoing its creation (or the
 * telescope that made it) does. The journal keeps their whole history.
 */
export function removeChart(state: RecordSet, chartIdOrName: string, now: Date): PendingChanges {
  const chartId = requireChart(state, chartIdOrName);
  const index = chartIndexOf(state);
  const changes = new ChangeSet(state);
  for (const key of subtreeKeys(state, chartId, index)) changes.delete(key);
  const parent = index.parentOf(chartId);
  if (parent && parent !== chartId) touch(changes, parent, now.toISOString());
  return changes.done();
}

/**
 * Puts back records a removal took away, exactly as they were (their lines byte for byte):
 * undoing the removal of a step with its sub-charts. Refused, with nothing written, when one of
 * them has been made again since, or a link would point at something that is gone. A completed
 * step brings its "Completed: …" note back into its chart's current reality.
 */
export function restoreRecords(state: RecordSet, lines: readonly string[], now: Date): PendingChanges {
  return putBack(state, recordsToPutBack(lines), now);
}

/** restoreRecords for lines the window sent (the undo of its removal): only what a removal gives (removedRecordChecks.ts). */
export function restoreRemovedLines(state: RecordSet, lines: readonly string[], now: Date): PendingChanges {
  const records = recordsToPutBack(lines);
  requireRecordsARemovalGave(records);
  return putBack(state, records, now);
}

function recordsToPutBack(lines: readonly string[]): StoredRecord[] {
  return lines.map((line, i) => {
    const verdict = classifyLine(line);
    if (!verdict.ok || (verdict.kind !== 'entity' && verdict.kind !== 'relation')) {
      throw new EngineError('BAD_INPUT', `Line ${i + 1} to put back is not an entity or a relation${verdict.ok ? '' : ` (${verdict.reason})`}; nothing was put back.`);
    }
    return makeRecord(line, verdict.fields);
  });
}

function putBack(state: RecordSet, records: readonly StoredRecord[], now: Date): PendingChanges {
  const keys = new Set(records.map((record) => record.key));
  if (keys.size !== records.length) throw new EngineError('BAD_INPUT', 'The same record is named twice among those to put back; nothing was put back.');
  for (const record of records) {
    if (state.has(record.key)) {
      throw new EngineError('CONFLICT', `${record.name ?? `The link ${record.from} -> ${record.to}`} exists again (made since it was removed), so nothing was put back.`, { kept: 'Nothing was changed.' });
    }
    if (record.kind !== 'relation') continue;
    for (const end of [record.from as string, record.to as string]) {
      if (!keys.has(entityKey(end)) && !state.has(entityKey(end))) {
        throw new EngineError('CONFLICT', `${end} has been removed since, so what linked to it cannot come back; nothing was put back.`, { kept: 'Nothing was changed.' });
      }
    }
  }
  const notes = new ChangeSet(state);
  const stamp = now.toISOString();
  for (const record of records) {
    const step = entityOf(record);
    if (!step || (step.entityType !== ACTION_STEP && !/_action_?\d+$/.test(step.name))) continue;
    const chartId = typeof step.metadata.chartId === 'string' ? step.metadata.chartId : step.name.replace(/_action_?\d+$/, '');
    if (!resolveChartId(state, chartId)) continue; // its chart comes back with it, or is gone
    if (step.metadata.completionStatus === true) addRealityNote(notes, chartId, completedNote(step.observations[0] ?? step.name), stamp);
    touch(notes, chartId, stamp);
  }
  const extra = notes.done();
  return { puts: [...records, ...extra.puts], deletes: extra.deletes };
}

/** Telescopes a step into a sub-chart whose desired outcome is the step. */
export function telescope(state: RecordSet, stepName: string, input: { reality?: string; steps?: readonly string[] }, now: Date): { changes: PendingChanges; id: string } {
  const { step, chartId } = requireStep(state, stepName);
  const index = chartIndexOf(state);
  const existing = index.subChartOfStep(step.name);
  if (existing) throw new EngineError('BAD_INPUT', `The step ${step.name} is already telescoped into ${existing}.`);
  const parent = readChart(state, chartId, '', index);
  const changes = new ChangeSet(state);
  const id = newChartId(state, now.getTime());
  const stamp = now.toISOString();
  // The step's due date, else the parent's: the COAIA server refuses to add a step to a chart
  // without one ("has no due date"), and a sub-chart is due when what it serves is.
  const dueDate = typeof step.metadata.dueDate === 'string' ? step.metadata.dueDate : parent?.dueDate;
  writeChart(
    changes,
    id,
    {
      outcome: step.observations[0] ?? step.name,
      reality: input.reality === undefined ? [`Telescoped from ${step.name} on ${stamp.slice(0, 10)}`] : input.reality,
      ...(dueDate ? { dueDate } : {}),
      steps: input.steps ?? [],
    },
    stamp,
    { level: (parent?.level ?? 0) + 1, parentChart: chartId, parentActionStep: step.name },
  );
  changes.relate(outcomeName(id), outcomeName(chartId), 'advances_toward', stamp);
  touch(changes, chartId, stamp);
  return { changes: changes.done(), id };
}

export function addReality(state: RecordSet, chartIdOrName: string, textIn: string, now: Date): PendingChanges {
  const chartId = requireChart(state, chartIdOrName);
  const text = requireText(textIn, 'the observation');
  const changes = new ChangeSet(state);
  // A line already there is not added twice, and then nothing is written (changed: 0): an
  // undo of that add would take away the line that was there before.
  if (addRealityNote(changes, chartId, text, now.toISOString())) touch(changes, chartId, now.toISOString());
  return changes.done();
}

export function editReality(state: RecordSet, chartIdOrName: string, from: string, to: string | undefined, now: Date): PendingChanges {
  const chartId = requireChart(state, chartIdOrName);
  const reality = entityOf(state.get(entityKey(realityName(chartId))));
  if (!reality?.observations.includes(from)) throw new EngineError('NOT_FOUND', `The current reality of ${chartId} has no observation ${JSON.stringify(from)}.`);
  const changes = new ChangeSet(state);
  if (editObservation(changes, chartId, from, to === undefined ? undefined : requireText(to, 'the observation'))) touch(changes, chartId, now.toISOString());
  return changes.done();
}

export function setOutcome(state: RecordSet, chartIdOrName: string, textIn: string, now: Date): PendingChanges {
  const chartId = requireChart(state, chartIdOrName);
  const text = requireText(textIn, 'the desired outcome');
  const changes = new ChangeSet(state);
  const name = outcomeName(chartId);
  const outcome = changes.entity(name);
  // The same text: nothing to change, nothing written (changed 0).
  if (outcome?.observations[0] === text) return changes.done();
  if (outcome) {
    changes.modify(name, (value) => {
      const observations = Array.isArray(value.observations) ? (value.observations as unknown[]) : [];
      value.observations = [text, ...observations.slice(1)];
    });
  } else {
    changes.put({ type: 'entity', name, entityType: DESIRED_OUTCOME, observations: [text], metadata: { chartId, createdAt: now.toISOString() } });
  }
  touch(changes, chartId, now.toISOString());
  return changes.done();
}

/** Sets the chart's due date, leaving a dated note in the chart's observations. */
export function setDue(state: RecordSet, chartIdOrName: string, date: string | null, now: Date): PendingChanges {
  const chartId = requireChart(state, chartIdOrName);
  const dueDate = date === null ? null : requireDate(date);
  const changes = new ChangeSet(state);
  const stamp = now.toISOString();
  const chartName = chartEntityName(chartId);
  const before = changes.entity(chartName)?.metadata.dueDate;
  if (!changes.entity(chartName)) {
    changes.put({ type: 'entity', name: chartName, entityType: STRUCTURAL_TENSION_CHART, observations: [], metadata: { chartId, level: 0, createdAt: stamp } });
  }
  changes.modify(chartName, (value, metadata) => {
    const observations = Array.isArray(value.observations) ? (value.observations as unknown[]) : [];
    const note = dueDate === null ? `Due date removed on ${stamp.slice(0, 10)}` : `Due date ${typeof before === 'string' ? `changed from ${before} ` : ''}set to ${dueDate} on ${stamp.slice(0, 10)}`;
    value.observations = [...observations, note];
    if (dueDate === null) delete metadata.dueDate;
    else metadata.dueDate = dueDate;
    metadata.updatedAt = stamp;
  });
  if (changes.entity(outcomeName(chartId))) {
    changes.modify(outcomeName(chartId), (_v, metadata) => {
      if (dueDate === null) delete metadata.dueDate;
      else metadata.dueDate = dueDate;
    });
  }
  return changes.done();
}
