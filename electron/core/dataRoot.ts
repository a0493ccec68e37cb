// Where the data lives, and which file holds which context. Every path the engine touches is
// built here from a validated context name, so nothing is ever written outside the root.
import path from 'node:path';
import os from 'node:os';
import fs from 'node:fs';
import { EngineError } from './errors.ts';

export const DEFAULT_CONTEXT = 'default';
export const ARCHIVE_CONTEXT = 'completed';
const CONTEXT_NAME = /^[A-Za-z0-9_.-]+$/;
const MAX_CONTEXT_NAME = 100;

/** How context files are named: `.coaia/charts-<ctx>.jsonl`, or a peer's `--memory-path X.jsonl` giving `X-<ctx>.jsonl`. */
export interface DataLayout {
  /** The folder that holds the context files and our .history/.backup/.recovery folders. */
  readonly root: string;
  /** `charts` in a .coaia folder, or the memory file's base name. */
  readonly prefix: string;
  readonly kind: 'coaia' | 'memory-path';
  /** Where the layout came from, for messages ("--data", "nearest .coaia", …). */
  readonly source: string;
}

export function validateContextName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new EngineError('BAD_INPUT', 'A context name is required.');
  }
  if (name.length > MAX_CONTEXT_NAME || !CONTEXT_NAME.test(name) || name.includes('..') || name === '.') {
    throw new EngineError(
      'BAD_INPUT',
      `Invalid context name ${JSON.stringify(name.slice(0, 120))}: use letters, digits, '_', '-' and '.', at most ${MAX_CONTEXT_NAME} characters, no '..'.`,
    );
  }
  return name;
}

export function contextFileName(layout: DataLayout, context: string): string {
  validateContextName(context);
  if (context === DEFAULT_CONTEXT) return `${layout.prefix}.jsonl`;
  if (context === ARCHIVE_CONTEXT && layout.kind === 'coaia') return `completed-${layout.prefix}.jsonl`;
  return `${layout.prefix}-${context}.jsonl`;
}

/** The inverse of contextFileName, for listing a folder; undefined for files that are not ours to show. */
export function contextOfFileName(layout: DataLayout, fileName: string): string | undefined {
  if (!fileName.endsWith('.jsonl')) return undefined;
  if (fileName === `${layout.prefix}.jsonl`) return DEFAULT_CONTEXT;
  if (layout.kind === 'coaia' && fileName === `completed-${layout.prefix}.jsonl`) return ARCHIVE_CONTEXT;
  const start = `${layout.prefix}-`;
  if (!fileName.startsWith(start)) return undefined;
  const context = fileName.slice(start.length, -'.jsonl'.length);
  if (context === DEFAULT_CONTEXT || (context === ARCHIVE_CONTEXT && layout.kind === 'coaia')) return undefined;
  if (!CONTEXT_NAME.test(context) || context.includes('..') || context.length > MAX_CONTEXT_NAME) return undefined;
  return context;
}

export function contextPaths(layout: DataLayout, context: string) {
  const file = contextFileName(layout, context);
  const base = file.slice(0, -'.jsonl'.length);
  const history = path.join(layout.root, '.history');
  return {
    file: path.join(layout.root, file),
    journal: path.join(history, `${base}.journal.jsonl`),
    checkpoint: path.join(history, `${base}.checkpoint.json`),
  };
}

export function rootPaths(layout: DataLayout) {
  return {
    lock: path.join(layout.root, '.tension.lock'),
    history: path.join(layout.root, '.history'),
    backups: path.join(layout.root, '.backup'),
    recovery: path.join(layout.root, '.recovery'),
    /** The intent log of transactions that span contexts (a chart moved between them). */
    intents: path.join(layout.root, '.history', '_intents.journal.jsonl'),
  };
}

export interface RoutingInput {
  data?: string | undefined;
  memoryPath?: string | undefined;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  home?: string;
}

function coaia(root: string, source: string): DataLayout {
  return { root: path.resolve(root), prefix: 'charts', kind: 'coaia', source };
}

function memoryFile(file: string, cwd: string, source: string): DataLayout {
  const resolved = path.resolve(cwd, file);
  const base = path.basename(resolved);
  if (!base.endsWith('.jsonl') || base.length <= '.jsonl'.length) {
    throw new EngineError('BAD_INPUT', `A memory path must name a .jsonl file, got ${JSON.stringify(file)}.`);
  }
  return { root: path.dirname(resolved), prefix: base.slice(0, -'.jsonl'.length), kind: 'memory-path', source };
}

/** Nearest `.coaia/` folder walking up from `from`, if any. */
export function findNearestCoaia(from: string): string | undefined {
  let dir = path.resolve(from);
  for (;;) {
    const candidate = path.join(dir, '.coaia');
    try {
      if (fs.statSync(candidate).isDirectory()) return candidate;
    } catch {
      // not here: keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Routing: --data DIR > --memory-path FILE > TENSION_DATA > MEMORY_FILE_PATH > COAIAN_MF >
 * the nearest .coaia/ walking up from the working folder > ~/.coaia (never the install folder).
 */
export function resolveLayout(input: RoutingInput = {}): DataLayout {
  const env = input.env ?? process.env;
  const cwd = input.cwd ?? process.cwd();
  if (input.data) return coaia(path.resolve(cwd, input.data), '--data');
  if (input.memoryPath) return memoryFile(input.memoryPath, cwd, '--memory-path');
  if (env.TENSION_DATA) return coaia(path.resolve(cwd, env.TENSION_DATA), 'TENSION_DATA');
  if (env.MEMORY_FILE_PATH) return memoryFile(env.MEMORY_FILE_PATH, cwd, 'MEMORY_FILE_PATH');
  if (env.COAIAN_MF) return memoryFile(env.COAIAN_MF, cwd, 'COAIAN_MF');
  const nearest = findNearestCoaia(cwd);
  if (nearest) return coaia(nearest, 'nearest .coaia');
  return coaia(path.join(input.home ?? os.homedir(), '.coaia'), 'home folder');
}
