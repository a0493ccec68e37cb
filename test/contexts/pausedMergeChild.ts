// A process that merges one context into another as the app does (the lock released between
// steps, its context files rewritten soon after a commit) and stops at one gap between two
// holds of the lock: before the move ('move', its checks made), or after it, before it takes
// the lock again to write the retired note ('note') or to take the old file away ('file'). It
// rewrites its files, says {"t":"paused"}, and goes on when the file `go` appears; the test
// runs a fresh CLI process in the gap. The merge's answer, or its refusal, is the last line.
//
// Configuration: PAUSED_MERGE (JSON: PausedMergeConfig).
import fs from 'node:fs';
import { Engine } from '../../electron/core/engine.ts';
import { EngineError } from '../../electron/core/errors.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { mergeContext } from '../../electron/core/contexts/contextMerge.ts';
import { runCrashChild, say } from '../helpers/killingFileSystem.ts';

export interface PausedMergeConfig {
  readonly root: string;
  readonly from: string;
  readonly into: string;
  readonly pause: 'move' | 'note' | 'file';
  /** The file whose appearance ends the pause. */
  readonly go: string;
}

const config = JSON.parse(process.env.PAUSED_MERGE ?? 'null') as PausedMergeConfig | null;
if (!config) throw new Error('PAUSED_MERGE is not set');

const appeared = async (file: string) => {
  while (!fs.existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 20));
};

async function main(cfg: PausedMergeConfig): Promise<void> {
  const engine = await Engine.open({ layout: resolveLayout({ data: cfg.root }), rewriteDelayMs: -1, lockLeaseMs: 0, lockTimeoutMs: 60_000 });
  const transactAcross = engine.transactAcross.bind(engine);
  const withLock = engine.withLock.bind(engine);
  let paused = false;
  const pause = async () => {
    paused = true;
    await engine.flush(); // as the app's rewrite a moment after a commit (its own hold of the lock)
    say({ t: 'paused' });
    await appeared(cfg.go);
  };
  // The holds of the lock after the move: the first writes the note, the second takes the file away.
  let after: number | undefined;
  engine.transactAcross = async (...args) => {
    if (cfg.pause === 'move' && !paused) await pause();
    const result = await transactAcross(...args);
    after ??= 0;
    return result;
  };
  engine.withLock = async (work, beforeLock) => {
    if (after !== undefined && !paused && (after += 1) === (cfg.pause === 'note' ? 1 : 2)) await pause();
    return withLock(work, beforeLock);
  };
  try {
    const result = await mergeContext(engine, cfg.from, cfg.into);
    say({ t: 'done', paused, records: result.move.records, leftBehind: result.leftBehind });
  } catch (error) {
    if (!(error instanceof EngineError)) throw error;
    say({ t: 'refused', paused, code: error.code, message: error.message });
  }
  await engine.close();
}

runCrashChild(main(config));
