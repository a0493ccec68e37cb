// What the tests of a merge paused between its holds of the lock share (pausedMergeChild.ts is
// the merging process): starting it, waiting for its pause, and reading the folder back through
// fresh CLI processes.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliOk, spawnTs } from '../helpers/runCli.ts';
import type { PausedMergeConfig } from './pausedMergeChild.ts';

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pausedMergeChild.ts');

/** Starts the merging process (a real child process, as the app would run the merge). */
export const startPausedMerge = (config: PausedMergeConfig) => spawnTs(child, [], { PAUSED_MERGE: JSON.stringify(config) });

/** Resolves once the child says it paused (or rejects when it ends first). */
export function pausedSaid(process: ReturnType<typeof spawnTs>): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    process.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('"t":"paused"')) resolve();
    });
    process.once('exit', () => reject(new Error(`the merge ended without pausing: ${out}`)));
  });
}

/** The contexts the CLI lists, by name. */
export const listed = (data: string) => cliOk(['contexts'], data).split('\n').map((line) => line.split(/\s+/)[0]);

/** Every chart of every context, as the list shows it after its id ("0/0  A1  (a)"). */
export const chartsListed = (data: string) => cliOk(['chart', 'list', '--all'], data).split('\n').map((line) => line.replace(/^\S+\s+/, '')).sort();
