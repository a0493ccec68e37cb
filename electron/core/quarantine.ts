// What .recovery/ holds, for a person to look through: the damaged bytes copied out of context
// files and journals (`<file>.<time>.at-<offset>.<pid>.bad`, never deleted), what could be read
// of lines nothing else held (found-in-damaged-lines.jsonl), and the daily logs of every repair.
// Each copy is listed with where it came from and why (read back from the log line that saved
// it), and can be opened as escaped text. Only names inside .recovery/ are ever opened.
import fs from 'node:fs';
import path from 'node:path';
import type { Engine } from './engine.ts';
import { EngineError, errnoOf } from './errors.ts';
import { rootPaths } from './dataRoot.ts';
import { escapeBytes } from './escapedText.ts';
import { readAt } from './fileSystem.ts';
import { FOUND_FILE } from './recover.ts';

export interface QuarantinedFile {
  readonly name: string;
  readonly path: string;
  readonly kind: 'damaged-bytes' | 'found-in-damaged-lines' | 'log' | 'other';
  /** For damaged bytes: the file they were copied from, and where in it. */
  readonly sourceFile?: string;
  readonly offset?: number;
  readonly savedAt?: string;
  /** Why they were copied, as the recovery log says. */
  readonly reason?: string;
  readonly bytes: number;
}

export interface LogLine {
  readonly at: string;
  readonly action: string;
  readonly log: string;
}

const BAD_NAME = /^(.+)\.(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)\.at-(\d+)\.(\d+)\.bad$/;
const LOG_NAME = /^recovery-\d{4}-\d{2}-\d{2}\.log$/;

function names(engine: Engine): string[] {
  try {
    return engine.fs.readdirSync(rootPaths(engine.layout).recovery).sort();
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return [];
    throw error;
  }
}

/** Every line of the recovery logs, oldest first (optionally only from `since` on). */
export function recoveryLogLines(engine: Engine, options: { since?: Date } = {}): LogLine[] {
  const dir = rootPaths(engine.layout).recovery;
  const since = options.since?.toISOString().slice(0, 10);
  const lines: LogLine[] = [];
  for (const name of names(engine).filter((n) => LOG_NAME.test(n))) {
    if (since && name.slice('recovery-'.length, -'.log'.length) < since) continue;
    const text = engine.fs.readFileSync(path.join(dir, name)).toString('utf8');
    for (const line of text.split('\n')) {
      const space = line.indexOf(' ');
      if (space <= 0) continue;
      const at = line.slice(0, space);
      if (options.since && at < options.since.toISOString()) continue;
      lines.push({ at, action: line.slice(space + 1), log: name });
    }
  }
  return lines;
}

/** The files of .recovery/, newest copies first. */
export function listQuarantined(engine: Engine): QuarantinedFile[] {
  const dir = rootPaths(engine.layout).recovery;
  const why = new Map<string, string>();
  for (const line of recoveryLogLines(engine)) {
    const saved = /^saved \d+ bytes from .+ at offset \d+ \((.*)\) to (\S+)$/.exec(line.action);
    if (saved) why.set(saved[2] as string, saved[1] as string);
  }
  const files: QuarantinedFile[] = [];
  for (const name of names(engine)) {
    let size = 0;
    try {
      const stat = engine.fs.statSync(path.join(dir, name), { bigint: true });
      if (!stat.isFile()) continue;
      size = Number(stat.size);
    } catch {
      continue;
    }
    const bad = BAD_NAME.exec(name);
    const base = { name, path: path.join(dir, name), bytes: size };
    if (bad) {
      const stamp = bad[2] as string;
      const savedAt = `${stamp.slice(0, 10)}T${stamp.slice(11, 13)}:${stamp.slice(14, 16)}:${stamp.slice(17, 19)}.${stamp.slice(20, 23)}Z`;
      const reason = why.get(name);
      files.push({ ...base, kind: 'damaged-bytes', sourceFile: bad[1] as string, offset: Number(bad[3]), savedAt, ...(reason ? { reason } : {}) });
    } else if (name === FOUND_FILE) files.push({ ...base, kind: 'found-in-damaged-lines' });
    else if (LOG_NAME.test(name)) files.push({ ...base, kind: 'log' });
    else files.push({ ...base, kind: 'other' });
  }
  return files.sort((a, b) => ((a.savedAt ?? '') < (b.savedAt ?? '') ? 1 : (a.savedAt ?? '') > (b.savedAt ?? '') ? -1 : a.name < b.name ? -1 : 1));
}

/** A file of .recovery/ as escaped text (damaged bytes shown safely), up to `limit` characters. */
export function readQuarantined(engine: Engine, name: string, limit = 64 * 1024): { name: string; bytes: number; text: string; truncated: boolean } {
  if (name.includes('/') || name.includes('\\') || name === '.' || name === '..' || name.length === 0 || name.length > 255) {
    throw new EngineError('BAD_INPUT', `Not a file of .recovery/: ${JSON.stringify(name.slice(0, 120))}.`);
  }
  const file = path.join(rootPaths(engine.layout).recovery, name);
  let fd: number;
  try {
    fd = engine.fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') throw new EngineError('NOT_FOUND', `No file ${name} in ${path.dirname(file)}.`);
    throw new EngineError('IO_ERROR', `${name} in .recovery/ cannot be opened (${errnoOf(error) ?? String(error)}).`, { file });
  }
  try {
    const stat = engine.fs.fstatSync(fd);
    if (!stat.isFile()) throw new EngineError('BAD_INPUT', `${name} in .recovery/ is not a regular file.`, { file });
    // The first `limit` bytes: escaped, they make at least `limit` characters.
    const length = Math.min(stat.size, limit);
    const bytes = Buffer.alloc(length);
    const read = readAt(engine.fs, fd, bytes, 0);
    const shown = escapeBytes(bytes.subarray(0, read), limit);
    return { name, bytes: stat.size, text: shown.text, truncated: shown.truncated || read < stat.size };
  } finally {
    engine.fs.closeSync(fd);
  }
}
