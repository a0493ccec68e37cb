// A crash in the middle of renaming, merging or deleting a context, at many points where the
// disk changes: a child process (contextCrashChild.ts) runs the operation and kills itself with
// SIGKILL right before, or right after, its N-th write, fsync, rename, link, unlink, mkdir…
// (every point with TENSION_TORTURE=long; a spread of them otherwise). After each crash the
// data root is reopened here, and:
// - the contexts hold exactly the records from before the operation or exactly those after it
//   (every record in exactly one context, never in two, never lost);
// - once the move's intent line is fsynced, the reopen completes the move;
// - verify finds nothing wrong; running the operation again (or adopting leftovers) ends exactly
//   where an uninterrupted run ends: the same records, the same contexts listed, files that
//   hold what the engine holds.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { resolveLayout, rootPaths } from '../../electron/core/dataRoot.ts';
import { Engine } from '../../electron/core/engine.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { renameContext, adoptLeftovers } from '../../electron/core/contexts/contextRename.ts';
import { mergeContext } from '../../electron/core/contexts/contextMerge.ts';
import { deleteContext } from '../../electron/core/contexts/contextDelete.ts';
import { CRASH_CONCURRENCY, LONG, describeDiff, fileStateOf, forEachCrashPoint, openRoot, runChildThatKillsItself, sameState, stateOf, verifyProblems, type ChildRun } from '../charts/crashSupport.ts';
import type { ContextCrashConfig } from './contextCrashChild.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const T0 = Date.UTC(2026, 1, 2, 9, 0, 0);
const CONTEXTS = ['work', 'personal', 'job'] as const;
type States = Record<string, Record<string, string>>;

const at = (engine: Parameters<typeof stateOf>[0], ms: number) => new ChartService(engine, () => new Date(ms));

async function buildRoot(): Promise<{ root: string; before: States }> {
  const root = path.join(tempDir('tension-crash-context-'), '.coaia');
  const { engine } = await openRoot(root);
  const billing = await at(engine, T0).create('work', { outcome: 'Ship billing', reality: ['3 pilots'], steps: ['Automate invoices', 'Migrate customers'] });
  await at(engine, T0 + 1).telescope('work', `${billing.id}_action_1`, { reality: 'Invoices by hand', steps: ['Pick a library'] });
  await at(engine, T0 + 2).create('work', { outcome: 'Hire an engineer', reality: ['One engineer'] });
  await at(engine, T0 + 3).create('personal', { outcome: 'Run a marathon', reality: ['5 km'] });
  const before = await statesOf(engine);
  await engine.close();
  return { root, before };
}

async function statesOf(engine: Parameters<typeof stateOf>[0]): Promise<States> {
  const states: States = {};
  for (const context of CONTEXTS) states[context] = await stateOf(engine, context);
  return states;
}

const same = (a: States, b: States) => CONTEXTS.every((c) => sameState(a[c] ?? {}, b[c] ?? {}));
const diff = (a: States, b: States) => CONTEXTS.map((c) => `${c}:\n${describeDiff(a[c] ?? {}, b[c] ?? {})}`).join('\n');

interface Case {
  readonly name: string;
  readonly op: ContextCrashConfig['op'];
  /** What running it again after a crash does (completes it, or finds it done). */
  readonly again: (engine: Parameters<typeof stateOf>[0]) => Promise<unknown>;
  readonly listed: string[];
}

const cases: Case[] = [
  { name: 'renaming work to job', op: { kind: 'rename', from: 'work', to: 'job' }, again: (e) => renameContext(e, 'work', 'job'), listed: ['job', 'personal'] },
  { name: 'merging work into personal', op: { kind: 'merge', from: 'work', into: 'personal' }, again: (e) => mergeContext(e, 'work', 'personal'), listed: ['personal'] },
  { name: 'deleting work', op: { kind: 'delete', context: 'work' }, again: (e) => deleteContext(e, 'work'), listed: ['personal'] },
];

/** Quick rounds: about this many crash points per mode, spread over the operation; long: every one. */
const QUICK_POINTS = 6;

function points(total: number, also: readonly number[] = []): number[] {
  const all = Array.from({ length: total + 1 }, (_, i) => i + 1);
  if (LONG || all.length <= QUICK_POINTS) return all;
  const step = all.length / QUICK_POINTS;
  return [...new Set([...Array.from({ length: QUICK_POINTS }, (_, i) => all[Math.floor(i * step)] as number), ...also, total, total + 1])].sort((a, b) => a - b);
}

function doneBeforeKill(run: ChildRun, file: string, op: string): boolean {
  const kill = run.kill;
  if (!kill) return false;
  return run.calls.some((c) => c.path === file && c.op === op && (c.n < kill.n || (c.n === kill.n && kill.when === 'after')));
}

async function checkAfterCrash(built: { root: string; before: States }, after: States, run: ChildRun, label: string, test: Case): Promise<'before' | 'after'> {
  const intents = rootPaths(resolveLayout({ data: built.root })).intents;
  if (test.op.kind !== 'delete' && doneBeforeKill(run, intents, 'fsync')) {
    // Before any writer finishes the move: a reader (the CLI's listings, the app's first list)
    // lists the contexts the move's intent names, and reads the move done.
    const reader = await Engine.open({ layout: resolveLayout({ data: built.root }), readOnly: true, rewriteDelayMs: -1 });
    try {
      const names = reader.listContextNames();
      expect(test.listed.filter((context) => !names.includes(context)), `${label}: contexts a reader does not list`).toEqual([]);
      expect(diff(await statesOf(reader), after), `${label}: what a reader reads`).toBe(diff(after, after));
    } finally {
      await reader.close();
    }
  }
  const first = await openRoot(built.root);
  let outcome: 'before' | 'after';
  try {
    const states = await statesOf(first.engine);
    const isBefore = same(states, built.before);
    const isAfter = same(states, after);
    expect(isBefore || isAfter, `${label}: neither as before nor as after.\nvs before:\n${diff(states, built.before)}\nvs after:\n${diff(states, after)}`).toBe(true);
    outcome = isAfter ? 'after' : 'before';
    if (test.op.kind !== 'delete' && doneBeforeKill(run, intents, 'fsync')) expect(outcome, `${label}: the intent was fsynced, yet the move did not complete`).toBe('after');
    expect(await verifyProblems(first.engine), `${label}: verify after reopening`).toEqual([]);
    // Finishing: leftovers adopted, and the operation run again where it had not happened.
    await adoptLeftovers(first.engine);
    if (!same(await statesOf(first.engine), after)) await test.again(first.engine);
    expect(diff(await statesOf(first.engine), after), `${label}: after finishing`).toBe(diff(after, after));
    await first.engine.flush();
    expect((await first.engine.listContexts()).map((c) => c.context), `${label}: contexts listed`).toEqual(test.listed);
  } finally {
    await first.engine.close();
  }
  for (const context of CONTEXTS) {
    const file = fileStateOf(built.root, context);
    expect(file.bad, `${label}: unreadable lines in ${context}`).toBe(0);
    expect(describeDiff(file.records, after[context] ?? {}), `${label}: ${context} file vs engine`).toBe('');
  }
  return outcome;
}

describe('a crash in the middle of a context operation', () => {
  afterAll(removeTempDirs);

  for (const test of cases) {
    it(`${test.name}: at ${LONG ? 'every point' : 'a spread of points'} leaves every record in exactly one context, and finishing ends as an uninterrupted run`, async () => {
      const reference = await buildRoot();
      const config = (root: string, killAt: number | null, when: 'before' | 'after'): ContextCrashConfig => ({ root, contexts: [...CONTEXTS], op: test.op, killAt, when });
      const clean = await runChildThatKillsItself(path.join(here, 'contextCrashChild.ts'), config(reference.root, null, 'before'));
      expect(clean.error ?? '', `the operation without a crash: ${clean.stderr}`).toBe('');
      const total = clean.done?.calls ?? 0;
      expect(total).toBeGreaterThan(10);
      const check = await openRoot(reference.root);
      const after = await statesOf(check.engine);
      expect((await check.engine.listContexts()).map((c) => c.context)).toEqual(test.listed);
      await check.engine.close();
      expect(same(after, reference.before)).toBe(false);

      const outcomes = { before: 0, after: 0 };
      // Also just after the move's intent is durable (the move decided, no part of it written yet).
      const intentsFile = rootPaths(resolveLayout({ data: reference.root })).intents;
      const intentSynced = clean.calls.find((c) => c.path === intentsFile && c.op === 'fsync')?.n;
      const chosen = points(total, intentSynced === undefined ? [] : [intentSynced + 1]);
      await forEachCrashPoint(chosen.length, ['before', 'after'], CRASH_CONCURRENCY, async (when, i) => {
        const n = chosen[i - 1] as number;
        const built = await buildRoot();
        const run = await runChildThatKillsItself(path.join(here, 'contextCrashChild.ts'), config(built.root, n, when));
        const label = `${test.name}, kill ${when} call ${n} (${run.kill ? `${run.kill.op} ${path.basename(run.kill.path)}` : 'not reached'})`;
        expect(run.error, `${label}: the child failed by itself: ${run.stderr}`).toBeUndefined();
        // The count of fs calls depends on timing (readStable reads again a file modified less
        // than 200 ms ago that looks unfinished), so a run may make a few calls fewer or more
        // than the clean run. Not reached: it finished, and must end as the uninterrupted run
        // did. Reached, even past the clean run's count: a real crash, checked as one.
        if (run.kill === undefined) {
          expect(run.done, label).toBeDefined();
          const finished = await openRoot(built.root);
          try {
            expect(same(await statesOf(finished.engine), after), `${label}: ends as the uninterrupted run`).toBe(true);
          } finally {
            await finished.engine.close();
          }
        } else {
          expect(run.signal, `${label}: ${run.stderr}`).toBe('SIGKILL');
          outcomes[await checkAfterCrash(built, after, run, label, test)] += 1;
        }
        fs.rmSync(path.dirname(built.root), { recursive: true, force: true });
      });
      expect(outcomes.before, 'crashes that left the operation undone').toBeGreaterThan(0);
      expect(outcomes.after, 'crashes after which the operation was complete').toBeGreaterThan(0);
    }, LONG ? 3_600_000 : 300_000);
  }
});
