// A child process that takes the data folder lock and keeps it until it is killed: the "other
// live process" of lock.test.ts. Usage: tsx lockHolder.ts <root> <lockDir> [staleMs]
// Prints "locked <pid>" once the lock is held. SIGTERM releases it (as a process that finished
// its work), then exits; SIGKILL leaves it behind.
import { acquireRootLock } from '../../electron/core/rootLock.ts';

const [root, lockDir, staleMs] = process.argv.slice(2);
if (!root || !lockDir) {
  process.stderr.write('usage: lockHolder.ts <root> <lockDir> [staleMs]\n');
  process.exit(2);
}
const held = await acquireRootLock(root, lockDir, { timeoutMs: 10_000, staleMs: Number(staleMs ?? 10_000) });
process.on('SIGTERM', () => void held.release().then(() => process.exit(0)));
process.stdout.write(`locked ${process.pid}\n`);
// Hold it: proper-lockfile keeps refreshing the lock's mtime while this process lives.
setInterval(() => undefined, 60_000);
