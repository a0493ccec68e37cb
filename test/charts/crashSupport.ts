// Shared pieces of the crash tests: the child's configuration, starting it (one node process
// running its bundle, so its SIGKILL really ends the process doing the writes), data roots
// built with fixed clocks (so every run starts from byte-identical records), and the state of
// a context as plain data for all-or-nothing comparisons.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../electron/core/engine.ts';
import { contextPaths, resolveLayout } from '../../electron/core/dataRoot.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { parseContextBytes } from '../../electron/core/contextFile.ts';
import { verifyAll } from '../../electron/core/verify.ts';
import { repoRoot } from '../helpers/runCli.ts';
import { nodeArgsFor } from '../helpers/childScripts.ts';

export const LONG = process.env.TENSION_TORTURE === 'long';

import type { CountedOp } from '../helpers/killingFileSystem.ts';

export type { CountedOp };

export type CrashOperation =
  | { readonly kind: 'telescope'; readonly context: string; readonly step: string; readonly opId?: string }
  | { readonly kind: 'move'; readonly from: string; readonly id: string; readonly to: string; readonly opId?: string };

export interface CrashChildConfig {
  readonly root: string;
  /** Contexts read (loaded) before counting starts. */
  readonly contexts: readonly string[];
  readonly op: CrashOperation;
  /** The chart service's clock in the child: fixed, so new ids and stamps are known in advance. */
  readonly nowMs: number;
  /** Kill at this counted call (1-based); null runs to the end. */
  readonly killAt: number | null;
  readonly when: 'before' | 'after';
  /** Count every call that can change the disk (opens for writing, unlink, truncate, mkdir…), not only write/fsync/rename/link. */
  readonly countAll?: boolean;
}

export interface CallLine {
  readonly t: 'call' | 'kill';
  readonly n: number;
  readonly op: CountedOp;
  readonly path: string;
  readonly when?: 'before' | 'after';
}

export interface ChildRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly calls: CallLine[];
  readonly kill: CallLine | undefined;
  readonly done: { calls: number; result: unknown } | undefined;
  readonly error: string | undefined;
  /** The kinds (`t`) of the other lines it printed, in order (a child's own marks: `ack`). */
  readonly said: readonly string[];
  readonly stderr: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** Runs crashChild.ts once and collects what it printed before it ended (or killed itself). */
export function runCrashChild(config: CrashChildConfig): Promise<ChildRun> {
  return runChildThatKillsItself(path.join(here, 'crashChild.ts'), config);
}

/**
 * Runs a script that kills itself at a counted file-system call (test/helpers/killingFileSystem.ts),
 * its configuration in CRASH_CHILD, and collects what it printed before it ended.
 */
export function runChildThatKillsItself(script: string, config: unknown): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgsFor(script), {
      cwd: repoRoot,
      env: { ...process.env, CRASH_CHILD: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const calls: CallLine[] = [];
      let kill: CallLine | undefined;
      let done: ChildRun['done'];
      let error: string | undefined;
      const said: string[] = [];
      for (const line of out.split('\n')) {
        if (line.trim() === '') continue;
        let message: Record<string, unknown>;
        try {
          message = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue; // a line cut by the kill was never a message
        }
        if (message.t === 'call') calls.push(message as unknown as CallLine);
        else if (message.t === 'kill') kill = message as unknown as CallLine;
        else if (message.t === 'done') done = message as unknown as { calls: number; result: unknown };
        else if (message.t === 'error') error = String(message.message);
        else said.push(String(message.t));
      }
      resolve({ code, signal, calls, kill, done, error, said, stderr });
    });
  });
}

// ------------------------------------------------------------------ data roots

export function openRoot(root: string, nowMs?: number): Promise<{ engine: Engine; charts: ChartService }> {
  return Engine.open({ layout: resolveLayout({ data: root }), rewriteDelayMs: -1, lockStaleMs: 2000, lockTimeoutMs: 30_000 }).then((engine) => ({
    engine,
    charts: new ChartService(engine, nowMs === undefined ? undefined : () => new Date(nowMs)),
  }));
}

/** A context's records as key -> exact line, sorted by key (what the engine holds). */
export async function stateOf(engine: Engine, context: string): Promise<Record<string, string>> {
  return engine.read(context, (state) => Object.fromEntries([...state.values()].map((r) => [r.key, r.raw] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/** What a peer reading the context file sees: key -> exact line, plus lines it could not parse. */
export function fileStateOf(root: string, context: string): { records: Record<string, string>; bad: number } {
  const file = contextPaths(resolveLayout({ data: root }), context).file;
  if (!fs.existsSync(file)) return { records: {}, bad: 0 };
  const parsed = parseContextBytes(fs.readFileSync(file));
  const entries = parsed.records.map((r) => [r.key, r.raw] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { records: Object.fromEntries(entries), bad: parsed.bad.length };
}

/** Findings of verifyAll that are not plain information, as readable lines. */
export async function verifyProblems(engine: Engine): Promise<string[]> {
  const report = await verifyAll(engine, { backups: false });
  return report.contexts.flatMap((c) => c.findings.filter((f) => f.severity !== 'info').map((f) => `${c.context}: ${f.severity} ${f.kind}: ${f.message}`));
}

/** Same set of keys and same lines. */
export function sameState(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

/** Keys of `state` that belong to one of the given entity names (entities, and relations touching them). */
export function keysOfNames(state: Record<string, string>, names: readonly string[]): string[] {
  const set = new Set(names);
  return Object.keys(state).filter((key) => {
    const [kind, a, b] = key.split('\u0000');
    if (kind === 'e') return set.has(a ?? '');
    if (kind === 'r') return set.has(a ?? '') || set.has(b ?? '');
    return false;
  });
}

/** Human-readable difference between two states (for failure messages). */
export function describeDiff(actual: Record<string, string>, expected: Record<string, string>): string {
  const lines: string[] = [];
  for (const key of Object.keys(expected)) if (!Object.hasOwn(actual, key)) lines.push(`missing ${key.replaceAll('\u0000', ' | ')}`);
  for (const key of Object.keys(actual)) if (!Object.hasOwn(expected, key)) lines.push(`extra ${key.replaceAll('\u0000', ' | ')}`);
  for (const key of Object.keys(actual)) if (Object.hasOwn(expected, key) && actual[key] !== expected[key]) lines.push(`changed ${key.replaceAll('\u0000', ' | ')}`);
  return lines.join('\n');
}

/**
 * Runs `task` for every crash point (each mode, n = 1 … last) with at most `concurrency` at a
 * time (each on its own data root: the runs wait on fsync far more than they compute). The
 * first failure is rethrown once the runs already started have ended.
 */
export async function forEachCrashPoint(
  last: number,
  modes: readonly ('before' | 'after')[],
  concurrency: number,
  task: (when: 'before' | 'after', n: number) => Promise<void>,
): Promise<void> {
  const points = modes.flatMap((when) => Array.from({ length: last }, (_, i) => [when, i + 1] as const));
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < points.length) {
      const point = points[next++];
      if (!point) break;
      try {
        await task(point[0], point[1]);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  if (failure !== undefined) throw failure;
}

/** Two child processes at a time by default (the machine has two cores; the runs mostly wait on fsync). */
export const CRASH_CONCURRENCY = Number(process.env.TENSION_CRASH_CONCURRENCY ?? 2);
