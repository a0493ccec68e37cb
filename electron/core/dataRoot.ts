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

/** Where a context's files are (contextPaths). */
export type ContextPaths = ReturnType<typeof contextPaths>;

export function contextPaths(layout: DataLayout, context: string) {
  const file = contextFileName(layout, context);
  assertNoContextDifferingInCase(layout, context);
  const base = file.slice(0, -'.jsonl'.length);
  const history = path.join(layout.root, '.history');
  const paths = {
    file: path.join(layout.root, file),
    journal: path.join(history, `${base}.journal.jsonl`),
    checkpoint: path.join(history, `${base}.checkpoint.json`),
    /** The chart list's summaries as of one content of the file (derivedCache.ts): a cache. */
    summaries: path.join(history, `${base}.summaries.cache.json`),
  };
  assertApartFromOwnFiles(layout, context, paths);
  return paths;
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

/**
 * A context's files may never be files the engine keeps for itself: with `--memory-path
 * M/_intents.jsonl` the default context's journal would be the intent log, which is emptied
 * once nothing in it is open (a chart moved away would then be lost). Every path is built
 * here, so this one check covers every use.
 */
function assertApartFromOwnFiles(layout: DataLayout, context: string, paths: Record<string, string>): void {
  const own = rootPaths(layout);
  const owned: Record<string, string> = {
    [own.lock]: 'the lock of the data folder',
    [`${own.lock}.owner`]: 'the note naming who holds the lock',
    [own.history]: 'the folder of journals',
    [own.backups]: 'the folder of backups',
    [own.recovery]: 'the folder of recovered bytes',
    [own.intents]: 'the log of changes across contexts (_intents.journal.jsonl)',
  };
  for (const [role, file] of Object.entries(paths)) {
    const taken = owned[file];
    if (taken === undefined) continue;
    throw new EngineError(
      'BAD_INPUT',
      `The ${role} of context ${context} would be ${file}, which is ${taken}, a file Tension Desk keeps for itself. Name the memory file differently (${layout.source}); nothing was changed.`,
      { file, kept: 'Nothing was changed.' },
    );
  }
}

/** Same name regardless of case: on macOS and Windows `charts-WORK.jsonl` and `charts-work.jsonl` are one file. */
export function sameContextName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase(); // context names are ASCII
}

/** For each context whose name another one repeats in a different case, those others (an existing pair is reported, never merged). */
export function contextsDifferingInCase(names: readonly string[]): Map<string, string[]> {
  const byFolded = new Map<string, string[]>();
  for (const name of names) {
    const folded = name.toLowerCase();
    byFolded.set(folded, [...(byFolded.get(folded) ?? []), name]);
  }
  const twins = new Map<string, string[]>();
  for (const group of byFolded.values()) {
    if (group.length < 2) continue;
    for (const name of group) twins.set(name, group.filter((other) => other !== name));
  }
  return twins;
}

/** The contexts a data folder holds: its context files, and journals whose file is gone. */
export function contextNamesOnDisk(layout: DataLayout): string[] {
  const names = new Set<string>();
  const list = (dir: string) => {
    try {
      return fs.readdirSync(dir);
    } catch {
      return []; // no folder yet: no contexts
    }
  };
  for (const entry of list(layout.root)) {
    const context = contextOfFileName(layout, entry);
    if (context) names.add(context);
  }
  for (const entry of list(path.join(layout.root, '.history'))) {
    if (!entry.endsWith('.journal.jsonl') || entry.startsWith('_')) continue;
    const context = contextOfFileName(layout, `${entry.slice(0, -'.journal.jsonl'.length)}.jsonl`);
    if (context) names.add(context);
  }
  return [...names];
}

/**
 * A context is unique regardless of case (the case typed is kept for display): "WORK" beside
 * "work" would be two files on Linux and one on macOS and Windows, where each would overwrite
 * the other. A new context that differs from an existing one only in case is refused here,
 * where every context's paths are made, so the app, the CLI and the MCP server all refuse it.
 * An existing pair (made on Linux, or by another tool) still opens; contexts.list reports it.
 */
function assertNoContextDifferingInCase(layout: DataLayout, context: string): void {
  const names = contextNamesOnDisk(layout);
  if (names.includes(context)) return;
  const existing = names.find((name) => sameContextName(name, context));
  if (existing === undefined) return;
  throw new EngineError(
    'BAD_INPUT',
    `There is already a context "${existing}", and "${context}" differs from it only in upper and lower case: on macOS and Windows they would be one file. Use "${existing}", or choose another name. Nothing was changed.`,
    { kept: 'Nothing was changed.' },
  );
}

/** Folders that hold our own files: a data folder may not lie inside one of another data folder. */
const OWN_FOLDERS = new Set(['.history', '.backup', '.recovery', '.tension.lock']);

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A data folder inside another one's `.history/`, `.backup/` or `.recovery/` would make its
 * context files out of that folder's journals and backups (`--memory-path X/.history/charts.journal.jsonl`
 * rewrites a journal as if it were a context file). `.history` is always ours; the other names
 * are common words, so they count only inside a folder that has a `.history/` of ours.
 */
function assertNotInsideOwnFolder(layout: DataLayout): DataLayout {
  const parts = layout.root.split(path.sep);
  for (let i = 1; i < parts.length; i += 1) {
    const name = parts[i] as string;
    if (!OWN_FOLDERS.has(name)) continue;
    const parent = parts.slice(0, i).join(path.sep) || path.sep;
    if (name !== '.history' && !isDirectory(path.join(parent, '.history'))) continue;
    const inside = path.join(parent, name);
    throw new EngineError(
      'BAD_INPUT',
      `${layout.root} (${layout.source}) lies inside ${inside}, where Tension Desk keeps its own files for the data folder ${parent}; choose a folder outside it. Nothing was changed.`,
      { file: inside, kept: 'Nothing was changed.' },
    );
  }
  return layout;
}

export interface RoutingInput {
  data?: string | undefined;
  memoryPath?: string | undefined;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  home?: string;
}

function coaia(root: string, source: string): DataLayout {
  return assertNotInsideOwnFolder({ root: path.resolve(root), prefix: 'charts', kind: 'coaia', source });
}

function memoryFile(file: string, cwd: string, source: string): DataLayout {
  const resolved = path.resolve(cwd, file);
  const base = path.basename(resolved);
  if (!base.endsWith('.jsonl') || base.length <= '.jsonl'.length) {
    throw new EngineError('BAD_INPUT', `A memory path must name a .jsonl file, got ${JSON.stringify(file)}.`);
  }
  const layout = assertNotInsideOwnFolder({ root: path.dirname(resolved), prefix: base.slice(0, -'.jsonl'.length), kind: 'memory-path', source });
  // Refused now, with the name the person chose, rather than at the first use of the context.
  contextPaths(layout, DEFAULT_CONTEXT);
  return layout;
}

/**
 * A path given but empty (`--data "$UNSET"`) is a mistake, never a reason to fall back to
 * another folder: the fallback would quietly write somewhere the person did not mean.
 */
function given(value: string | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') {
    const fix = what.startsWith('--') ? `name the folder or file, or leave ${what} out` : `set it to a folder or file, or unset it (unset ${what})`;
    throw new EngineError('BAD_INPUT', `${what} is empty (an unset shell variable?): ${fix}. Nothing was changed.`, {
      kept: 'Nothing was changed.',
    });
  }
  return value;
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
 * A source that is given but empty is an error, not a step down this list; so are both flags
 * (one would be ignored without a word: the CLI, the app and `tension mcp` all route here).
 */
export function resolveLayout(input: RoutingInput = {}): DataLayout {
  const env = input.env ?? process.env;
  const cwd = input.cwd ?? process.cwd();
  if (input.data !== undefined && input.memoryPath !== undefined) {
    throw new EngineError('BAD_INPUT', '--data and --memory-path name two places for the data: give one of them. Nothing was changed.', { kept: 'Nothing was changed.' });
  }
  const data = given(input.data, '--data');
  if (data !== undefined) return coaia(path.resolve(cwd, data), '--data');
  const memoryPath = given(input.memoryPath, '--memory-path');
  if (memoryPath !== undefined) return memoryFile(memoryPath, cwd, '--memory-path');
  const tensionData = given(env.TENSION_DATA, 'TENSION_DATA');
  if (tensionData !== undefined) return coaia(path.resolve(cwd, tensionData), 'TENSION_DATA');
  const memoryFilePath = given(env.MEMORY_FILE_PATH, 'MEMORY_FILE_PATH');
  if (memoryFilePath !== undefined) return memoryFile(memoryFilePath, cwd, 'MEMORY_FILE_PATH');
  const coaianMf = given(env.COAIAN_MF, 'COAIAN_MF');
  if (coaianMf !== undefined) return memoryFile(coaianMf, cwd, 'COAIAN_MF');
  const nearest = findNearestCoaia(cwd);
  if (nearest) return coaia(nearest, 'nearest .coaia');
  return coaia(path.join(input.home ?? os.homedir(), '.coaia'), 'home folder');
}
