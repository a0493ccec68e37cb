// A restore in its own process that stops itself with SIGSTOP when it lets the lock go between
// its safety backup and its commit, until the test sends SIGCONT: meanwhile another process
// takes the lock and commits (what a busy MCP server or the app's queued work does there).
// Usage: tsx stalledRestoreChild.ts <data> <backup> <context> [chart]
// Prints "stalled" just before it stops, then one line of JSON: the result, or {"error": code}.
import path from 'node:path';
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { realFileSystem, type FileSystem } from '../../electron/core/fileSystem.ts';
import { restoreBackup } from '../../electron/core/backupRestoring.ts';
import { restoreChartFromBackup } from '../../electron/core/backupRestore.ts';
import { EngineError } from '../../electron/core/errors.ts';

const [data, backup, context, chart] = process.argv.slice(2);
if (!data || !backup || !context) {
  process.stderr.write('usage: stalledRestoreChild.ts <data> <backup> <context> [chart]\n');
  process.exit(2);
}
let safetyMade = false;
let stopped = false;
const fsys: FileSystem = {
  ...realFileSystem,
  renameSync(from, to) {
    realFileSystem.renameSync(from, to);
    // `<id>.partial` renamed to `<id>`: the safety backup is made and listed. It took as long as
    // one of a large folder does (over the engine's LEASE_MAX_MS): the lock is let go after it.
    if (!safetyMade && from.endsWith('.partial') && path.dirname(from).endsWith('.backup')) {
      safetyMade = true;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 150);
    }
  },
  rmdirSync(dir) {
    realFileSystem.rmdirSync(dir);
    // The lock let go between the safety backup and the commit: another process's turn.
    if (safetyMade && !stopped && dir.endsWith('.tension.lock')) {
      stopped = true;
      process.stdout.write('stalled\n');
      process.kill(process.pid, 'SIGSTOP');
    }
  },
};
const engine = await Engine.open({ layout: resolveLayout({ data }), fs: fsys, origin: 'cli', lockStaleMs: 2000 });
try {
  const result = chart === undefined ? await restoreBackup(engine, backup, [context]) : await restoreChartFromBackup(engine, backup, context, chart);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: error instanceof EngineError ? error.code : String(error), message: (error as Error).message })}\n`);
} finally {
  await engine.close();
}
