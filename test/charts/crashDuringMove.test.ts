// A crash in the middle of moving a chart between contexts, at every point where the disk
// changes: a child process (crashChild.ts) moves a chart with a telescoped sub-chart from
// 'work' to 'personal' (an intent-logged change across two journals) and rewrites both context
// files, killing itself with SIGKILL right before, or right after, its N-th write, fsync,
// rename or link, for N = 1, 2, 3, … until a run finishes without reaching N. After each crash
// the data root is reopened here, and:
// - both contexts together hold exactly the records from before the move or exactly those
//   after it: the chart and its whole subtree wholly in one context, never in both, never half;
// - once the intent line is fsynced the move is decided: the reopen completes it; before the
//   intent's first byte is written, nothing moved; no intent is left open after the reopen;
// - the other charts of both contexts are untouched, verify finds nothing wrong, each context
//   file a peer reads holds exactly what the engine holds, a second open changes nothing;
// - the move can be retried after the crash: it completes a move that did not happen and
//   changes nothing after one that did.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { resolveLayout, rootPaths } from '../../electron/core/dataRoot.ts';
import { realFileSystem } from '../../electron/core/fileSystem.ts';
import { IntentLog } from '../../electron/core/intentLog.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { chartIdAt } from '../../electron/core/charts/chartIds.ts';
import { chartEntityName, outcomeName, realityName } from '../../electron/core/charts/chartModel.ts';
import { EngineError } from '../../electron/core/errors.ts';
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
const T_MOVE = T0 + 3_600_000;
const FROM = 'work';
const TO = 'personal';
const MOVED = chartIdAt(T0);
const SUB = chartIdAt(T0 + 1);
const GRANDCHILD = chartIdAt(T0 + 2);
const STAYS = chartIdAt(T0 + 10);
const THERE = chartIdAt(T0 + 20);
const OP = 'move-billing-to-personal';

type Pair = Record<string, Record<string, string>>;

interface Built {
  readonly root: string;
  readonly before: Pair;
}

const at = (engine: Parameters<typeof stateOf>[0], ms: number) => new ChartService(engine, () => new Date(ms));

/**
 * A fresh data root: in 'work' a chart with a telescoped sub-chart (itself telescoped once
 * more), a completed step and a second chart that stays; in 'personal' a chart of its own.
 */
async function buildRoot(): Promise<Built> {
  const root = path.join(tempDir('tension-crash-move-'), '.coaia');
  const { engine } = await openRoot(root);
  const created = await at(engine, T0).create(FROM, {
    outcome: 'Ship the billing service to all customers',
    reality: ['Billing runs for 3 pilot customers'],
    dueDate: '2026-12-31',
    steps: [{ title: 'Automate invoice generation', dueDate: '2026-10-31' }, { title: 'Migrate remaining customers' }],
  });
  expect(created.id).toBe(MOVED);
  const sub = await at(engine, T0 + 1).telescope(FROM, `${MOVED}_action_1`, { reality: 'Invoices are typed by hand', steps: ['Pick a PDF library', 'Write the template'] });
  expect(sub.id).toBe(SUB);
  const grandchild = await at(engine, T0 + 2).telescope(FROM, `${SUB}_action_2`, {});
  expect(grandchild.id).toBe(GRANDCHILD);
  await at(engine, T0 + 3).completeStep(FROM, `${SUB}_action_1`);
  expect((await at(engine, T0 + 10).create(FROM, { outcome: 'Hire a second engineer', reality: ['One engineer'] })).id).toBe(STAYS);
  expect((await at(engine, T0 + 20).create(TO, { outcome: 'Run a marathon', reality: ['Running 5 km'], steps: ['Run 10 km'] })).id).toBe(THERE);
  const before: Pair = { [FROM]: await stateOf(engine, FROM), [TO]: await stateOf(engine, TO) };
  await engine.close();
  return { root, before };
}

const movedNames = [MOVED, SUB, GRANDCHILD].flatMap((id) => [chartEntityName(id), outcomeName(id), realityName(id), `${id}_action_1`, `${id}_action_2`]);

async function statesOf(engine: Parameters<typeof stateOf>[0]): Promise<Pair> {
  return { [FROM]: await stateOf(engine, FROM), [TO]: await stateOf(engine, TO) };
}

const samePair = (a: Pair, b: Pair) => sameState(a[FROM] ?? {}, b[FROM] ?? {}) && sameState(a[TO] ?? {}, b[TO] ?? {});
const diffPair = (a: Pair, b: Pair) => [FROM, TO].map((c) => `${c}:\n${describeDiff(a[c] ?? {}, b[c] ?? {})}`).join('\n');

function doneBeforeKill(run: ChildRun, call: (c: CallLine) => boolean): boolean {
  const kill = run.kill as CallLine;
  return run.calls.some((c) => call(c) && (c.n < kill.n || (c.n === kill.n && kill.when === 'after')));
}

/** Reopens a crashed root and checks every all-or-nothing property; returns whether the chart moved. */
async function checkAfterCrash(built: Built, after: Pair, run: ChildRun, label: string): Promise<boolean> {
  const intents = rootPaths(resolveLayout({ data: built.root })).intents;
  const { engine, charts } = await openRoot(built.root);
  let moved: boolean;
  try {
    const states = await statesOf(engine);
    const isBefore = samePair(states, built.before);
    const isAfter = samePair(states, after);
    expect(isBefore || isAfter, `${label}: the contexts are neither as before nor as after the move.\nvs before:\n${diffPair(states, built.before)}\nvs after:\n${diffPair(states, after)}`).toBe(true);
    moved = isAfter;

    // The chart and its subtree wholly in exactly one context.
    const inFrom = keysOfNames(states[FROM] ?? {}, movedNames);
    const inTo = keysOfNames(states[TO] ?? {}, movedNames);
    expect(inFrom.length === 0 || inTo.length === 0, `${label}: parts of the chart in both contexts`).toBe(true);
    const home = moved ? TO : FROM;
    const away = moved ? FROM : TO;
    const tree = await charts.tree(home, MOVED);
    expect(tree.children.map((c) => c.chart.id), `${label}: sub-chart under the chart in ${home}`).toEqual([SUB]);
    expect(tree.children[0]?.children.map((c) => c.chart.id), `${label}: grandchild under the sub-chart in ${home}`).toEqual([GRANDCHILD]);
    expect(tree.children[0]?.chart).toMatchObject({ level: 1, parentChart: MOVED, parentActionStep: `${MOVED}_action_1`, currentReality: ['Invoices are typed by hand', 'Completed: Pick a PDF library'] });
    expect(tree.children[0]?.children[0]?.chart).toMatchObject({ level: 2, parentChart: SUB, parentActionStep: `${SUB}_action_2` });
    for (const id of [MOVED, SUB, GRANDCHILD]) {
      await expect(charts.show(away, id), `${label}: ${id} also in ${away}`).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
    // The charts that were not moved are where they were.
    expect((await charts.list(FROM)).map((c) => c.id).sort()).toEqual((moved ? [STAYS] : [MOVED, SUB, GRANDCHILD, STAYS]).sort());
    expect((await charts.list(TO)).map((c) => c.id).sort()).toEqual((moved ? [MOVED, SUB, GRANDCHILD, THERE] : [THERE]).sort());

    // The intent decides: durable means done (now, by the reopen), unwritten means not begun.
    if (doneBeforeKill(run, (c) => c.op === 'fsync' && c.path === intents)) expect(moved, `${label}: the intent line was fsynced, yet the move did not complete`).toBe(true);
    if (!doneBeforeKill(run, (c) => c.path === intents)) expect(moved, `${label}: nothing reached the intent log, yet the chart moved`).toBe(false);
    expect(new IntentLog(realFileSystem, intents).hasOpenIntents(), `${label}: an intent still open after the reopen`).toBe(false);

    expect(await verifyProblems(engine), `${label}: verify after reopening`).toEqual([]);
  } finally {
    await engine.close();
  }

  // The files peers read are exactly what the engine holds.
  for (const context of [FROM, TO]) {
    const file = fileStateOf(built.root, context);
    expect(file.bad, `${label}: unparsable lines in ${context}`).toBe(0);
    expect(describeDiff(file.records, (moved ? after : built.before)[context] ?? {}), `${label}: ${context} file vs engine`).toBe('');
  }

  // A second open finds the same; the move retried completes it or changes nothing.
  const again = await openRoot(built.root);
  try {
    expect(diffPair(await statesOf(again.engine), moved ? after : built.before), `${label}: second open`).toBe(diffPair(built.before, built.before));
    expect(await verifyProblems(again.engine), `${label}: verify on the second open`).toEqual([]);
    try {
      const retried = await again.charts.move(FROM, MOVED, TO, { op: OP });
      // A move that had not happened happens now; one that had may be answered again (a duplicate).
      if (!moved) expect(retried.moved, `${label}: the retry moved nothing`).toBeGreaterThan(0);
    } catch (error) {
      // After a completed move the chart is simply not in 'work' any more.
      expect(moved, `${label}: the retry failed: ${String(error)}`).toBe(true);
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).code).toBe('NOT_FOUND');
    }
    expect(diffPair(await statesOf(again.engine), after), `${label}: after the retry`).toBe(diffPair(after, after));
  } finally {
    await again.engine.close();
  }
  return moved;
}

describe('a crash in the middle of moving a chart between contexts', () => {
  afterAll(removeTempDirs);

  it(`at many points (${LONG ? 'before and after' : 'before or after'} every write, fsync, rename and link) leaves the chart and its subtree wholly in exactly one context on reopen`, async () => {
    const op = { kind: 'move', from: FROM, id: MOVED, to: TO, opId: OP } as const;
    const contexts = [FROM, TO];
    const reference = await buildRoot();
    const clean = await runCrashChild({ root: reference.root, contexts, op, nowMs: T_MOVE, killAt: null, when: 'before', countAll: LONG });
    expect(clean.error ?? clean.stderr, 'the move without a crash').toBe('');
    expect(clean.done?.result).toEqual({ moved: Object.keys(reference.before[FROM] ?? {}).length - Object.keys(keysOfNamesOfStays(reference.before[FROM] ?? {})).length });
    const total = clean.done?.calls ?? 0;
    // The decision point the checks rely on is among the calls: the fsync of the intent log.
    const intents = rootPaths(resolveLayout({ data: reference.root })).intents;
    expect(clean.calls.filter((c) => c.op === 'fsync' && c.path === intents).length).toBeGreaterThan(0);
    const check = await openRoot(reference.root);
    const after = await statesOf(check.engine);
    await check.engine.close();
    expect(keysOfNames(after[FROM] ?? {}, movedNames)).toEqual([]);
    expect(keysOfNames(after[TO] ?? {}, movedNames).length).toBe(keysOfNames(reference.before[FROM] ?? {}, movedNames).length);

    const outcomes = { moved: 0, stayed: 0 };
    // Every crash point: before and after each counted call, and one past the last (no crash).
    // The quick round kills each call once, before it or after it by turns (half the runs: they
    // were over a minute of npm test); TENSION_TORTURE=long kills at both.
    await forEachCrashPoint(total + 1, ['before', 'after'], CRASH_CONCURRENCY, async (when, n) => {
      if (!LONG && n <= total && (when === 'before') !== (n % 2 === 1)) return;
      const built = await buildRoot();
      const run = await runCrashChild({ root: built.root, contexts, op, nowMs: T_MOVE, killAt: n, when, countAll: LONG });
      const label = `kill ${when} call ${n} (${run.kill ? `${run.kill.op} ${path.basename(run.kill.path)}` : 'not reached'})`;
      expect(run.error, `${label}: the child failed by itself: ${run.stderr}`).toBeUndefined();
      if (n > total) {
        expect(run.done?.calls, `${label}: the run should have finished`).toBe(total);
      } else {
        expect(run.done, `${label}: the run finished without reaching call ${n} (the clean run made ${total} calls)`).toBeUndefined();
        expect(run.signal, `${label}: ${run.stderr}`).toBe('SIGKILL');
        expect(run.kill?.n).toBe(n);
        const moved = await checkAfterCrash(built, after, run, label);
        outcomes[moved ? 'moved' : 'stayed'] += 1;
      }
      fs.rmSync(path.dirname(built.root), { recursive: true, force: true });
    });
    expect(outcomes.moved).toBeGreaterThan(0);
    expect(outcomes.stayed).toBeGreaterThan(0);
  }, LONG ? 1_800_000 : 600_000);
});

/** The records of the chart that stays in 'work' (everything of STAYS). */
function keysOfNamesOfStays(state: Record<string, string>): Record<string, string> {
  const keys = keysOfNames(state, [chartEntityName(STAYS), outcomeName(STAYS), realityName(STAYS)]);
  return Object.fromEntries(keys.map((k) => [k, state[k] ?? '']));
}
