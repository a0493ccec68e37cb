// Shared pieces of the fault-injection tests: data roots copied per failure point, snapshots of
// folders (to prove nothing changed), the graph as a fresh process would see it, and the
// checks every failure must pass (an EngineError, the right code, the file named).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Engine } from '../../electron/core/engine.ts';
import { EngineError, type EngineErrorCode } from '../../electron/core/errors.ts';
import { resolveLayout, type DataLayout } from '../../electron/core/dataRoot.ts';
import { readGraph, type Graph } from '../../electron/core/knowledgeGraph.ts';
import { verifyAll } from '../../electron/core/verify.ts';
import type { FileSystem } from '../../electron/core/fileSystem.ts';
import type { InjectedErrno } from './faultyFileSystem.ts';

export const LONG = process.env.TENSION_TORTURE === 'long';

export const CODE_OF_ERRNO: Record<InjectedErrno, EngineErrorCode> = {
  EACCES: 'PERMISSION_DENIED',
  EPERM: 'PERMISSION_DENIED',
  EROFS: 'READ_ONLY',
  EIO: 'IO_ERROR',
  ENOSPC: 'DISK_FULL',
  EDQUOT: 'DISK_FULL',
  EFBIG: 'DISK_FULL',
};

const scratch: string[] = [];

/**
 * A temporary folder for the many copies a failure-point walk makes: in memory (/dev/shm) when
 * there is one, since the faults come from the seam and real fsyncs only cost time there.
 */
export function scratchDir(): string {
  const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  const dir = fs.mkdtempSync(path.join(base, 'tension-fault-'));
  scratch.push(dir);
  return dir;
}

export function removeScratchDirs(): void {
  for (const dir of scratch.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** A fresh copy of a data root, as a new layout. */
export function copyRoot(layout: DataLayout): DataLayout {
  const target = path.join(scratchDir(), '.coaia');
  // The lock folder and its owner note are process state, and may vanish while being copied.
  fs.cpSync(layout.root, target, { recursive: true, filter: (source) => !path.basename(source).startsWith('.tension.lock') });
  return resolveLayout({ data: target });
}

/** Every file and folder under `dir`: relative path -> sha256 of its bytes ('dir' for folders). */
export function snapshotTree(dir: string, ignore: (relative: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (current: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      const relative = path.relative(dir, full);
      if (ignore(relative)) continue;
      if (entry.isDirectory()) {
        out.set(relative, 'dir');
        walk(full);
      } else {
        out.set(relative, createHash('sha256').update(fs.readFileSync(full)).digest('hex'));
      }
    }
  };
  walk(dir);
  return out;
}

/** Differences between two tree snapshots, as readable lines. */
export function diffTrees(before: Map<string, string>, after: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const [name, hash] of before) {
    if (!after.has(name)) lines.push(`removed ${name}`);
    else if (after.get(name) !== hash) lines.push(`changed ${name}`);
  }
  for (const name of after.keys()) if (!before.has(name)) lines.push(`added ${name}`);
  return lines;
}

/** A graph in a form that compares well: entity name -> its JSON, relation keys sorted. */
export interface GraphView {
  readonly entities: Record<string, string>;
  readonly relations: string[];
}

export function viewOf(graph: Graph): GraphView {
  const entities: Record<string, string> = {};
  for (const e of graph.entities) entities[e.name] = JSON.stringify(e);
  const relations = graph.relations.map((r) => JSON.stringify(r)).sort();
  return { entities, relations };
}

/** What a fresh process sees: every context's graph, read with the real file system, changing nothing. */
export async function graphsOnDisk(layout: DataLayout, fsys?: FileSystem): Promise<Record<string, GraphView>> {
  const engine = await Engine.open({ layout, readOnly: true, rewriteDelayMs: -1, ...(fsys ? { fs: fsys } : {}) });
  try {
    const out: Record<string, GraphView> = {};
    for (const context of engine.listContextNames()) out[context] = viewOf(await engine.read(context, (state) => readGraph(state)));
    return out;
  } finally {
    await engine.close();
  }
}

/** Problems (no problems: empty list) with a failure that should be a clear EngineError. */
export function errorProblems(error: unknown, expected: EngineErrorCode | readonly EngineErrorCode[], root: string): string[] {
  const codes = typeof expected === 'string' ? [expected] : expected;
  if (!(error instanceof EngineError)) {
    const e = error as NodeJS.ErrnoException;
    return [`not an EngineError: ${e?.constructor?.name ?? typeof error} ${String(e?.code ?? '')} "${String(e?.message ?? error).slice(0, 160)}"`];
  }
  const problems: string[] = [];
  if (!codes.includes(error.code)) problems.push(`code ${error.code}, expected ${codes.join(' or ')} ("${error.message.slice(0, 160)}")`);
  if (error.file === undefined) problems.push(`no .file on ${error.code} "${error.message.slice(0, 160)}"`);
  else {
    if (!error.message.includes(path.basename(error.file))) problems.push(`message does not name ${path.basename(error.file)}: "${error.message.slice(0, 160)}"`);
    if (!path.resolve(error.file).startsWith(path.dirname(root))) problems.push(`.file ${error.file} is outside the data root`);
  }
  return problems;
}

/** Findings of a full verify that are not just informational. */
export async function verifyProblems(layout: DataLayout): Promise<string[]> {
  const engine = await Engine.open({ layout, readOnly: true, rewriteDelayMs: -1 });
  try {
    const result = await verifyAll(engine, { backups: true });
    const problems: string[] = [];
    for (const c of result.contexts) for (const f of c.findings) if (f.severity !== 'info') problems.push(`${c.context}: ${f.kind}: ${f.message}`);
    for (const b of result.backups) if (!b.ok) problems.push(`backup ${b.id}: ${b.problems.join('; ')}`);
    return problems;
  } finally {
    await engine.close();
  }
}

/** Returns what `work` threw, or undefined when it succeeded. */
export async function failureOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** A tiny seeded PRNG (mulberry32): the same seed gives the same cases, so a failure reproduces. */
export function prng(seed: number): { next(): number; int(max: number): number; pick<T>(list: readonly T[]): T; bool(p?: number): boolean } {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (max) => Math.floor(next() * max),
    pick: (list) => list[Math.floor(next() * list.length)] as (typeof list)[number],
    bool: (p = 0.5) => next() < p,
  };
}
