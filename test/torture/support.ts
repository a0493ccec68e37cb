// Shared pieces of the torture tests: child processes that talk in JSON lines, copies of a
// data root, the state of a context as plain data, and whole-file checks of the journal and
// the context file. Everything here works on real files; nothing is mocked.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { repoRoot } from '../helpers/runCli.ts';
import { nodeArgsFor } from '../helpers/childScripts.ts';
import { Engine, type EngineOptions } from '../../electron/core/engine.ts';
import { contextPaths, resolveLayout, type DataLayout } from '../../electron/core/dataRoot.ts';
import { decodeJournalLine, type JournalEntry } from '../../electron/core/journalFormat.ts';
import { parseContextBytes } from '../../electron/core/contextFile.ts';
import { splitLines } from '../../electron/core/lineSplitter.ts';
import type { VerifyFinding, Verification } from '../../electron/core/verify.ts';
import { seededRandom } from '../helpers/seededRandom.ts';

/** `npm run torture` sets this: many more kills, rounds, offsets and seeds. */
export const LONG = process.env.TENSION_TORTURE === 'long';

export const tortureDir = path.join(repoRoot, 'test', 'torture');

// ------------------------------------------------------------------ randomness

export { seededRandom };

export const pick = <T>(random: () => number, list: readonly T[]): T => {
  const item = list[Math.floor(random() * list.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
};

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ------------------------------------------------------------------ child processes

/** One JSON object per stdout line, as the torture children print them. */
export type ChildMessage = Record<string, unknown> & { t: string };

export interface RunningChild {
  readonly child: ChildProcess;
  /** Every complete, parsable line printed so far. */
  readonly messages: ChildMessage[];
  /** Resolves when the process has exited and its output is fully read. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; unparsed: string[] }>;
  /** Resolves with the first message of this type (rejects if the child ends first or after timeoutMs). */
  waitFor(type: string, timeoutMs?: number): Promise<ChildMessage>;
  /** Resolves once `count` messages of this type were printed (rejects if the child ends first or after timeoutMs). */
  waitForCount(type: string, count: number, timeoutMs?: number): Promise<void>;
  send(line: string): void;
}

/**
 * Starts a TypeScript script in one node process (its bundle: childScripts.ts), with a stdin pipe for go-signals.
 * A bare file name is a script of this folder; a path is taken as it is.
 */
export function startChild(script: string, env: Record<string, string>): RunningChild {
  const child = spawn(process.execPath, nodeArgsFor(path.isAbsolute(script) ? script : path.join(tortureDir, script)), {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const messages: ChildMessage[] = [];
  const unparsed: string[] = [];
  const waiters: { type: string; resolve: (m: ChildMessage) => void }[] = [];
  let buffered = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline !== -1) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
      let message: ChildMessage;
      try {
        message = JSON.parse(line) as ChildMessage;
      } catch {
        unparsed.push(line);
        continue;
      }
      messages.push(message);
      for (const waiter of waiters.filter((w) => w.type === message.t)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  });
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin?.on('error', () => undefined); // a killed child closes its end
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; unparsed: string[] }>((resolve) => {
    child.on('close', (code, signal) => {
      // A line cut short by SIGKILL never got its newline: it is not a message.
      if (buffered !== '') unparsed.push(buffered);
      resolve({ code, signal, stderr, unparsed });
    });
  });
  return {
    child,
    messages,
    done,
    waitFor(type, timeoutMs = 60_000) {
      const seen = messages.find((m) => m.t === type);
      if (seen) return Promise.resolve(seen);
      return new Promise<ChildMessage>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`child did not print ${type} within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
        waiters.push({
          type,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
        void done.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(new Error(`child ended (code ${code}, signal ${signal}) before printing ${type}; stderr: ${stderr}`));
        });
      });
    },
    async waitForCount(type, count, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let ended = false;
      void done.then(() => (ended = true));
      while (messages.filter((m) => m.t === type).length < count) {
        if (ended) throw new Error(`child ended before printing ${count} ${type} messages; stderr: ${stderr}`);
        if (Date.now() > deadline) throw new Error(`child did not print ${count} ${type} messages within ${timeoutMs} ms; stderr: ${stderr}`);
        await sleep(2);
      }
    },
    send(line) {
      child.stdin?.write(`${line}\n`);
    },
  };
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Prints one message on stdout, all of it in the pipe before the next statement. Not
 * process.stdout.write: for a message larger than the pipe holds (a big commit's `try`), it
 * queues the rest and returns, so a kill right after could lose a line whose commit went on.
 * A full pipe (EAGAIN) is waited out, a millisecond at a time, until the parent reads.
 */
export function say(message: ChildMessage): void {
  const bytes = Buffer.from(`${JSON.stringify(message)}\n`);
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += fs.writeSync(1, bytes, offset, bytes.length - offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

// ------------------------------------------------------------------ data roots

const fastDirs: string[] = [];

/**
 * A scratch folder for tests that open thousands of damaged copies: on tmpfs (/dev/shm) when
 * there is one, where fsync costs nothing. These tests are about what the engine makes of the
 * bytes it finds, not about the disk; the crash and concurrency tests stay on the real disk.
 * TENSION_TORTURE_TMP overrides the place.
 */
export function fastScratch(prefix: string): string {
  const candidates = [process.env.TENSION_TORTURE_TMP, '/dev/shm', os.tmpdir()].filter((d): d is string => d !== undefined && d !== '');
  for (const base of candidates) {
    try {
      const dir = fs.mkdtempSync(path.join(base, prefix));
      fastDirs.push(dir);
      return dir;
    } catch {
      // not there or not writable: try the next place
    }
  }
  throw new Error('no writable scratch folder');
}

export function removeFastScratch(): void {
  for (const dir of fastDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export function layoutOf(root: string): DataLayout {
  return resolveLayout({ data: root });
}

export function openRoot(root: string, options: Partial<EngineOptions> = {}): Promise<Engine> {
  return Engine.open({ layout: layoutOf(root), rewriteDelayMs: -1, lockStaleMs: 2000, lockTimeoutMs: 30_000, ...options });
}

/**
 * Copies a data root as a crash left it, without the lock (a lock is not data, and the copy's
 * lock would only be waited out). A checkpoint names its journal's inode; the copy's journal
 * has a new inode, so checkpoints that matched their journal are re-pointed to the copy's:
 * the copy then opens exactly as the original would (fast open included).
 */
export function copyRoot(from: string, to: string): void {
  if (!fs.existsSync(from)) {
    // Killed before the engine created anything: the copy is an empty folder.
    fs.mkdirSync(to, { recursive: true });
    return;
  }
  fs.cpSync(from, to, { recursive: true, filter: (source) => !path.basename(source).startsWith('.tension.lock') });
  const history = path.join(from, '.history');
  if (!fs.existsSync(history)) return;
  for (const name of fs.readdirSync(history)) {
    if (!name.endsWith('.checkpoint.json')) continue;
    const journalName = `${name.slice(0, -'.checkpoint.json'.length)}.journal.jsonl`;
    try {
      const checkpoint = JSON.parse(fs.readFileSync(path.join(history, name), 'utf8')) as { journalIno?: string };
      const original = fs.statSync(path.join(history, journalName), { bigint: true }).ino.toString();
      if (checkpoint.journalIno !== original) continue;
      checkpoint.journalIno = fs.statSync(path.join(to, '.history', journalName), { bigint: true }).ino.toString();
      fs.writeFileSync(path.join(to, '.history', name), JSON.stringify(checkpoint));
    } catch {
      // an unreadable checkpoint is copied as it is: the engine must cope with it
    }
  }
}

/** Makes a file look as if it was last written a minute ago (a crash that happened earlier, not a write in progress). */
export function ageFile(file: string): void {
  const then = new Date(Date.now() - 60_000);
  fs.utimesSync(file, then, then);
}

// ------------------------------------------------------------------ state as plain data

/** A context's records as key -> exact line text, in file order. */
export type StateMap = Map<string, string>;

export function stateOf(engine: Engine, context: string): Promise<StateMap> {
  return engine.read(context, (state) => new Map([...state.values()].map((record) => [record.key, record.raw])));
}

/** A readable list of differences (at most `limit`), empty when equal. */
export function diffStates(actual: StateMap, expected: StateMap, limit = 8): string[] {
  const out: string[] = [];
  for (const [key, raw] of expected) {
    const got = actual.get(key);
    if (got === undefined) out.push(`missing ${printable(key)}: ${raw.slice(0, 160)}`);
    else if (got !== raw) out.push(`changed ${printable(key)}:\n    expected ${raw.slice(0, 200)}\n    actual   ${got.slice(0, 200)}`);
  }
  for (const [key, raw] of actual) if (!expected.has(key)) out.push(`unexpected ${printable(key)}: ${raw.slice(0, 160)}`);
  return out.length > limit ? [...out.slice(0, limit), `… and ${out.length - limit} more`] : out;
}

export const printable = (key: string) => key.split(String.fromCharCode(0)).join('|');

export function applyChanges(state: StateMap, puts: readonly (readonly [string, string])[], dels: readonly string[]): StateMap {
  const next = new Map(state);
  for (const [key, raw] of puts) next.set(key, raw);
  for (const key of dels) next.delete(key);
  return next;
}

// ------------------------------------------------------------------ whole-file checks

export interface JournalScan {
  readonly entries: { entry: JournalEntry; start: number; end: number }[];
  /** Complete lines that do not decode (should never happen without outside damage). */
  readonly bad: { start: number; reason: string; text: string }[];
  /** Bytes after the last newline (a crash mid-append). */
  readonly tornBytes: number;
  /** Human-readable problems: bad lines, sequence numbers that do not strictly increase. */
  readonly problems: string[];
}

/** Reads a journal with our own eyes (not the engine's reader): every complete line must decode. */
export function scanJournal(file: string): JournalScan {
  const bytes = fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0);
  const entries: JournalScan['entries'] = [];
  const bad: JournalScan['bad'] = [];
  const problems: string[] = [];
  let tornBytes = 0;
  let lastSeq = 0;
  for (const line of splitLines(bytes)) {
    if (!line.terminated) {
      tornBytes = line.end - line.start;
      break;
    }
    const decoded = line.utf8 ? decodeJournalLine(line.text) : ({ ok: false, reason: 'invalid UTF-8' } as const);
    if (!decoded.ok) {
      bad.push({ start: line.start, reason: decoded.reason, text: line.text.slice(0, 200) });
      problems.push(`bad journal line at byte ${line.start} (${decoded.reason}): ${line.text.slice(0, 120)}`);
      continue;
    }
    const entry = decoded.entry;
    if (entry.kind !== 'header') {
      if (entry.seq <= lastSeq) problems.push(`sequence ${entry.seq} at byte ${line.start} does not follow ${lastSeq}`);
      lastSeq = entry.seq;
    } else if (entries.length > 0) {
      problems.push(`a header in the middle of the journal at byte ${line.start}`);
    }
    entries.push({ entry, start: line.start, end: line.end + 1 });
  }
  return { entries, bad, tornBytes, problems };
}

/** The context file as peers read it: it must parse cleanly, and its records are returned. A missing file reads as empty. */
export function readContextFileAsPeer(layout: DataLayout, context: string): { state: StateMap; problems: string[] } {
  const file = contextPaths(layout, context).file;
  if (!fs.existsSync(file)) return { state: new Map(), problems: [] };
  const parsed = parseContextBytes(fs.readFileSync(file));
  return {
    state: new Map(parsed.records.map((r) => [r.key, r.raw])),
    problems: parsed.bad.map((b) => `${path.basename(file)}: ${b.reason} at byte ${b.start}`),
  };
}

/** Findings of a verification at warning or error level (the ones that mean something is wrong). */
export function seriousFindings(verification: Verification): VerifyFinding[] {
  return verification.contexts.flatMap((c) => c.findings.filter((f) => f.severity !== 'info'));
}

export function describeFindings(findings: readonly VerifyFinding[]): string {
  return findings.map((f) => `${f.severity} ${f.kind}: ${f.message}`).join('\n');
}

/** Files left beside the context files by an interrupted rewrite (temp files, kept links). */
export function strayRewriteFiles(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).filter((name) => /\.tmp-\d+-/.test(name) || /\.replaced-\d+(-\d+-[0-9a-f]{8})?$/.test(name));
}

export function recoveryFiles(root: string): { bad: string[]; logLines: string[] } {
  const dir = path.join(root, '.recovery');
  if (!fs.existsSync(dir)) return { bad: [], logLines: [] };
  const names = fs.readdirSync(dir);
  const logLines = names
    .filter((n) => /^recovery-\d{4}-\d{2}-\d{2}\.log$/.test(n))
    .flatMap((n) => fs.readFileSync(path.join(dir, n), 'utf8').split('\n').filter((l) => l.trim() !== ''));
  return { bad: names.filter((n) => n.endsWith('.bad')), logLines };
}

// ------------------------------------------------------------------ aimed kills

/**
 * Kills a process with SIGKILL in the middle of an append to one of these journals: a watcher
 * process polls their sizes in a tight loop (it reads no pipe, so nothing slows it down) and
 * kills `pid` the moment a journal has grown and does not end in a newline, i.e. while a
 * write() is still copying the line in. Linux stops such a write between pages for a fatal
 * signal, so a big append (hundreds of pages) is cut short: a torn tail. Resolves with whether
 * it killed (false: `timeoutMs` passed, or stop() was called).
 */
export function killDuringAppend(pid: number, journals: readonly string[], timeoutMs = 30_000): { done: Promise<boolean>; stop(): void } {
  const source = `
    const fs = require('node:fs');
    const [pid, timeoutMs, ...files] = process.argv.slice(1);
    const sizes = files.map((f) => { try { return fs.statSync(f).size; } catch { return -1; } });
    const last = Buffer.alloc(1);
    const deadline = Date.now() + Number(timeoutMs);
    while (Date.now() < deadline) {
      for (let i = 0; i < files.length; i += 1) {
        let size;
        try { size = fs.statSync(files[i]).size; } catch { continue; }
        if (size > sizes[i]) {
          const fd = fs.openSync(files[i], 'r');
          try { fs.readSync(fd, last, 0, 1, size - 1); } finally { fs.closeSync(fd); }
          if (last[0] !== 10) { process.kill(Number(pid), 'SIGKILL'); process.stdout.write('killed'); process.exit(0); }
        }
        sizes[i] = size;
      }
    }
    process.exit(0);`;
  const watcher = spawn(process.execPath, ['-e', source, String(pid), String(timeoutMs), ...journals], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  watcher.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const done = new Promise<boolean>((resolve) => watcher.on('close', () => resolve(out.includes('killed'))));
  return {
    done,
    stop: () => {
      if (watcher.exitCode === null) watcher.kill('SIGKILL');
    },
  };
}
