// `npm run measure:peers [-- INTERVAL_MS SECONDS]`: two real reference servers writing one file
// without a lock, first with nothing else running, then with the app's engine watching the
// folder (issue 7, item 5). Prints what each side acknowledged, what is present at the end and
// what was lost; the app's own writes (one chart a second) must lose nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dataFolder, judgeRace, startAppWriter, startReferenceServerLoop } from './raceSupport.ts';

const interval = Number(process.argv[2] ?? 20);
const seconds = Number(process.argv[3] ?? 15);

async function round(watching: boolean): Promise<void> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tension-two-peers-'));
  try {
    const { data, file } = dataFolder(base);
    const a = await startReferenceServerLoop({ file, prefix: 'peerA', intervalMs: interval, label: 'reference server A' });
    const b = await startReferenceServerLoop({ file, prefix: 'peerB', intervalMs: interval, label: 'reference server B' });
    const app = watching ? await startAppWriter({ data, context: 'default', ratePerSecond: 1, completeEvery: 0, prefix: 'app' }) : undefined;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const writers = [a, b, ...(app ? [app] : [])];
    for (const writer of writers) await writer.stop();
    const verdict = await judgeRace({ data, context: 'default' }, writers);
    const peers = verdict.tallies.filter((t) => t.writer.startsWith('reference'));
    const acknowledged = peers.reduce((sum, t) => sum + t.acknowledged, 0);
    const lost = peers.reduce((sum, t) => sum + t.lost.length, 0);
    console.log(verdict.report(`two reference servers, ${interval} ms between calls, ${seconds} s, ${watching ? 'the app watching' : 'nothing watching'}`));
    console.log(`  the two servers lost ${lost} of ${acknowledged} acknowledged writes (${((100 * lost) / Math.max(1, acknowledged)).toFixed(1)}%)`);
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

await round(false);
await round(true);
