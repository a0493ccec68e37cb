// A crash in the middle of a telescope, at every point where the disk changes: a child process
// (crashChild.ts) telescopes an action step into a sub-chart and rewrites the context file,
// and kills itself with SIGKILL right before, or right after, its N-th write, fsync, rename or
// link, for N = 1, 2, 3, … until a run finishes without reaching N. After each crash the data
// root is reopened here and must hold the telescope wholly or not at all:
// - the context's records are exactly those from before the telescope or exactly those after
//   it (the sub-chart's chart, desired outcome and current reality entities, its four
//   relations, its parentChart / parentActionStep / level metadata, and the parent's
//   updatedAt, all together);
// - once the commit's journal line was fsynced (acknowledged), it is there; before its first
//   byte was written, it is not;
// - the parent chart is intact, verify finds nothing wrong, the context file a peer reads holds
//   exactly what the engine holds, a second open changes nothing;
// - retrying the telescope with the same operation id applies it once: it completes a missing
//   telescope, and is a duplicate of a present one.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { contextPaths, resolveLayout } from '../../electron/core/dataRoot.ts';
import { chartIdAt } from '../../electron/core/charts/chartIds.ts';
import { chartEntityName, outcomeName, realityName } from '../../electron/core/charts/chartModel.ts';
import { entityKey, relationKey } from '../../electron/core/records.ts';
import {
  CRASH_CONCURRENCY,
  LONG,
  forEachCrashPoint,
  describeDiff,
  fileStateOf,
  keysOfNames,
  openRoot,
  runCrashChild,
  sameState,
  stateOf,
  verifyProblems,
  type CallLine,
  type ChildRun,
} from './crashSupport.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const T_TELESCOPE = T0 + 3_600_000;
const CONTEXT = 'work';
const PARENT = chartIdAt(T0);
const STEP = `${PARENT}_action_2`;
const SUB = chartIdAt(T_TELESCOPE);
const OP = 'telescope-migrate-customers';

interface Built {
  readonly root: string;
  readonly before: Record<string, string>;
}

/** A fresh data root with one chart (three steps, the first already telescoped), written by a fixed clock. */
async function buildRoot(): Promise<Built> {
  const root = path.join(tempDir('tension-crash-telescope-'), '.coaia');
  const { engine, charts } = await openRoot(root, T0);
  const { id } = await charts.create(CONTEXT, {
    outcome: 'Ship the billing service to all customers',
    reality: ['Billing runs for 3 pilot customers', 'No automated invoices yet'],
    dueDate: '2026-12-31',
    steps: [{ title: 'Automate invoice generation', dueDate: '2026-10-31' }, { title: 'Migrate remaining customers', dueDate: '2026-12-15' }, { title: 'Retire the old system' }],
  });
  expect(id).toBe(PARENT);
  await charts.telescope(CONTEXT, `${PARENT}_action_1`, { reality: 'Invoices are typed by hand' });
  await charts.completeStep(CONTEXT, `${PARENT}_action_3`);
  const before = await stateOf(engine, CONTEXT);
  await engine.close();
  return { root, before };
}

/** The sub-chart's records, as the telescope writes them. */
function subChartKeys(): string[] {
  return [
    entityKey(chartEntityName(SUB)),
    entityKey(outcomeName(SUB)),
    entityKey(realityName(SUB)),
    relationKey(chartEntityName(SUB), outcomeName(SUB), 'contains'),
    relationKey(chartEntityName(SUB), realityName(SUB), 'contains'),
    relationKey(realityName(SUB), outcomeName(SUB), 'creates_tension_with'),
    relationKey(outcomeName(SUB), outcomeName(PARENT), 'advances_toward'),
  ];
}

/** True when the call (or an earlier one) had completed an fsync of the context's journal: the commit is acknowledged. */
function journalSyncedBeforeKill(run: ChildRun, journal: string): boolean {
  const kill = run.kill as CallLine;
  return run.calls.some((c) => c.op === 'fsync' && c.path === journal && (c.n < kill.n || (c.n === kill.n && kill.when === 'after')));
}

function journalTouchedBeforeKill(run: ChildRun, journal: string): boolean {
  const kill = run.kill as CallLine;
  return run.calls.some((c) => c.path === journal && (c.n < kill.n || (c.n === kill.n && kill.when === 'after')));
}

/** Reopens a crashed root and checks every all-or-nothing property; returns whether the sub-chart is there. */
async function checkAfterCrash(built: Built, after: Record<string, string>, run: ChildRun, label: string): Promise<boolean> {
  const journal = contextPaths(resolveLayout({ data: built.root }), CONTEXT).journal;
  const { engine, charts } = await openRoot(built.root, T_TELESCOPE);
  let present: boolean;
  try {
    const state = await stateOf(engine, CONTEXT);
    const isBefore = sameState(state, built.before);
    const isAfter = sameState(state, after);
    expect(isBefore || isAfter, `${label}: the records are neither the state before nor after the telescope.\nvs before:\n${describeDiff(state, built.before)}\nvs after:\n${describeDiff(state, after)}`).toBe(true);
    present = isAfter;

    // Every part of the sub-chart together, or none of it.
    const subKeys = keysOfNames(state, [chartEntityName(SUB), outcomeName(SUB), realityName(SUB)]);
    if (present) {
      for (const key of subChartKeys()) expect(subKeys, `${label}: part of the sub-chart`).toContain(key);
      const tree = await charts.tree(CONTEXT, PARENT);
      const child = tree.children.find((c) => c.chart.id === SUB);
      expect(child, `${label}: sub-chart in the parent's tree`).toBeDefined();
      expect(child?.chart).toMatchObject({ level: 1, parentChart: PARENT, parentActionStep: STEP, desiredOutcome: 'Migrate remaining customers', dueDate: '2026-12-15' });
      expect(child?.chart.currentReality).toHaveLength(1);
      expect(tree.chart.steps.find((s) => s.name === STEP)?.telescopedInto, `${label}: the step knows its sub-chart`).toBe(SUB);
    } else {
      expect(subKeys, `${label}: leftovers of an absent sub-chart`).toEqual([]);
      expect((await charts.list(CONTEXT)).map((c) => c.id)).not.toContain(SUB);
    }

    // The commit is decided by its journal line: acknowledged means there, unwritten means absent.
    if (journalSyncedBeforeKill(run, journal)) expect(present, `${label}: the journal line was fsynced, yet the telescope is gone`).toBe(true);
    if (!journalTouchedBeforeKill(run, journal)) expect(present, `${label}: nothing reached the journal, yet the telescope is there`).toBe(false);

    // The parent is intact: its outcome, reality, steps and the earlier sub-chart.
    const parent = await charts.tree(CONTEXT, PARENT);
    expect(parent.chart).toMatchObject({
      desiredOutcome: 'Ship the billing service to all customers',
      currentReality: ['Billing runs for 3 pilot customers', 'No automated invoices yet', 'Completed: Retire the old system'],
      level: 0,
    });
    expect(parent.chart.steps.map((s) => [s.title, s.completed])).toEqual([
      ['Automate invoice generation', false],
      ['Migrate remaining customers', false],
      ['Retire the old system', true],
    ]);
    expect(parent.children.map((c) => c.chart.parentActionStep).sort()).toEqual(present ? [`${PARENT}_action_1`, STEP] : [`${PARENT}_action_1`]);

    expect(await verifyProblems(engine), `${label}: verify after reopening`).toEqual([]);
  } finally {
    await engine.close();
  }

  // The file peers read is exactly what the engine holds (close rewrote it).
  const file = fileStateOf(built.root, CONTEXT);
  expect(file.bad, `${label}: unparsable lines in the context file`).toBe(0);
  expect(describeDiff(file.records, present ? after : built.before), `${label}: context file vs engine`).toBe('');

  // A second open finds the same, and nothing to complain about; a retry applies once.
  const again = await openRoot(built.root, T_TELESCOPE);
  try {
    expect(describeDiff(await stateOf(again.engine, CONTEXT), present ? after : built.before), `${label}: second open`).toBe('');
    expect(await verifyProblems(again.engine), `${label}: verify on the second open`).toEqual([]);
    const retry = await again.charts.telescope(CONTEXT, STEP, {}, OP);
    expect(retry.result.duplicate, `${label}: a retry with the same operation id`).toBe(present);
    expect(describeDiff(await stateOf(again.engine, CONTEXT), after), `${label}: after the retry`).toBe('');
  } finally {
    await again.engine.close();
  }
  return present;
}

describe('a crash in the middle of a telescope', () => {
  afterAll(removeTempDirs);

  it('at many points (before and after every write, fsync, rename and link) leaves the sub-chart wholly there or wholly absent on reopen', async () => {
    // The run without a crash: the state after, and how many calls there are to crash at.
    const reference = await buildRoot();
    const clean = await runCrashChild({ root: reference.root, contexts: [CONTEXT], op: { kind: 'telescope', context: CONTEXT, step: STEP, opId: OP }, nowMs: T_TELESCOPE, killAt: null, when: 'before', countAll: LONG });
    expect(clean.error ?? clean.stderr, 'the telescope without a crash').toBe('');
    expect(clean.done?.result).toMatchObject({ id: SUB, result: { duplicate: false } });
    const total = clean.done?.calls ?? 0;
    expect(total).toBeGreaterThan(3);
    // The commit point the checks rely on is among the calls: the fsync of the context's journal.
    const journal = contextPaths(resolveLayout({ data: reference.root }), CONTEXT).journal;
    expect(clean.calls.filter((c) => c.op === 'fsync' && c.path === journal).length).toBeGreaterThan(0);
    const check = await openRoot(reference.root);
    const after = await stateOf(check.engine, CONTEXT);
    await check.engine.close();
    for (const key of subChartKeys()) expect(Object.keys(after)).toContain(key);

    const outcomes = { present: 0, absent: 0 };
    // Every crash point: before and after each counted call, and one past the last (no crash).
    await forEachCrashPoint(total + 1, ['before', 'after'], CRASH_CONCURRENCY, async (when, n) => {
      const built = await buildRoot();
      const run = await runCrashChild({ root: built.root, contexts: [CONTEXT], op: { kind: 'telescope', context: CONTEXT, step: STEP, opId: OP }, nowMs: T_TELESCOPE, killAt: n, when, countAll: LONG });
      const label = `kill ${when} call ${n} (${run.kill ? `${run.kill.op} ${path.basename(run.kill.path)}` : 'not reached'})`;
      expect(run.error, `${label}: the child failed by itself: ${run.stderr}`).toBeUndefined();
      if (n > total) {
        // Past the last call: the operation finishes without reaching n, as the clean run did.
        expect(run.done?.calls, `${label}: the run should have finished`).toBe(total);
      } else {
        expect(run.done, `${label}: the run finished without reaching call ${n} (the clean run made ${total} calls)`).toBeUndefined();
        expect(run.signal, `${label}: ${run.stderr}`).toBe('SIGKILL');
        expect(run.kill?.n).toBe(n);
        const present = await checkAfterCrash(built, after, run, label);
        outcomes[present ? 'present' : 'absent'] += 1;
      }
      fs.rmSync(path.dirname(built.root), { recursive: true, force: true });
    });
    // Both outcomes were met: the walk crossed the commit point.
    expect(outcomes.present).toBeGreaterThan(0);
    expect(outcomes.absent).toBeGreaterThan(0);
  }, LONG ? 900_000 : 300_000);
});
