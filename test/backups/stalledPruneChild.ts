// A prune (`tension backup prune --days 0 --keep 1`) in its own process that stops itself with
// SIGSTOP (as Ctrl-Z, a debugger or a VM pause stop a process) at one point of its garbage
// collection, until the test sends SIGCONT. Usage: tsx stalledPruneChild.ts <data> <first|unlink>
// - first: at its first rename or removal of a piece (where it sets the first piece aside);
// - unlink: at its first removal of a piece (once it has decided what goes).
// Prints "stalled <file>" just before it stops, and "pruned <ids>" when done.
import path from 'node:path';
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { realFileSystem, type FileSystem } from '../../electron/core/fileSystem.ts';
import { pruneBackups } from '../../electron/core/backupRemoval.ts';

const [data, mode] = process.argv.slice(2);
if (!data || (mode !== 'first' && mode !== 'unlink')) {
  process.stderr.write('usage: stalledPruneChild.ts <data> <first|unlink>\n');
  process.exit(2);
}
const isPiece = (file: string) => file.includes(`${path.sep}objects${path.sep}`) && /^(\.gc-)?[0-9a-f]{64}$/.test(path.basename(file));
let stopped = false;
const stopAt = (file: string) => {
  if (stopped || !isPiece(file)) return;
  stopped = true;
  // A pipe write is synchronous on Linux: the line is out before the process stops.
  process.stdout.write(`stalled ${path.basename(file)}\n`);
  process.kill(process.pid, 'SIGSTOP');
};
const fsys: FileSystem = {
  ...realFileSystem,
  renameSync(from, to) {
    if (mode === 'first') stopAt(from);
    realFileSystem.renameSync(from, to);
  },
  unlinkSync(file) {
    stopAt(file);
    realFileSystem.unlinkSync(file);
  },
  rmSync(file, options) {
    stopAt(file);
    realFileSystem.rmSync(file, options);
  },
};
const engine = await Engine.open({ layout: resolveLayout({ data }), fs: fsys, origin: 'cli', lockStaleMs: 2000 });
const removed = await pruneBackups(engine, { maxAgeDays: 0, keepAtLeast: 1 });
await engine.close();
process.stdout.write(`pruned ${removed.join(' ')}\n`);
