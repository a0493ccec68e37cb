// Runs the real `tension` CLI in a child process, from its bundle as users run it
// (out/cli/tension.mjs; the test run's global setup rebuilds it when a source is newer).
import { spawnSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { nodeArgsFor } from './childScripts.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The bundled command (build/cliBundle.mjs). */
export const cliEntry = path.join(repoRoot, 'out', 'cli', 'tension.mjs');

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  json<T = unknown>(): T;
}

export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): CliRun {
  const result = spawnSync(process.execPath, [cliEntry, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    input: options.input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    json<T>() {
      return JSON.parse(result.stdout) as T;
    },
  };
}

/** Runs the CLI on a data folder and expects it to succeed (its stderr in the failure message): its trimmed stdout. */
export function cliOk(args: string[], data: string): string {
  const run = runCli([...args, '--data', data]);
  expect(run.status, `tension ${args.join(' ')}: ${run.stdout}${run.stderr}`).toBe(0);
  return run.stdout.trim();
}

/** Starts a TypeScript script in a child process (for writers killed mid-way): from its bundle (childScripts.ts). */
export function spawnTs(script: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [...nodeArgsFor(script), ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Starts the real CLI as one process, so that a signal sent to its pid reaches the CLI itself: for tests of Ctrl-C and SIGTERM. */
export function spawnCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildProcess {
  return spawn(process.execPath, [cliEntry, ...args], { cwd: options.cwd ?? repoRoot, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Waits for a child to exit, at most `ms`; undefined when it is still running then. */
export function exitOf(child: ChildProcess, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } | undefined> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
