import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeChartFile } from './test/bench/chartGenerator.ts';
import { bundleElectron } from './build/bundle.ts';
import { startEngineWorker } from './electron/app/engineWorkerClient.ts';
const n = Number(process.argv[2] ?? 100000);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'exp-outw-'));
const data = path.join(root, '.coaia');
fs.mkdirSync(data, { recursive: true });
writeChartFile(path.join(data, 'charts-bulk.jsonl'), n);
const { worker } = await bundleElectron(path.join(root, 'bundle'));
const t0 = performance.now();
const at = () => ((performance.now() - t0) / 1000).toFixed(1) + 's';
const host = await startEngineWorker({ script: worker, execArgv: [] }, { dataLocation: { argv: ['--data', data], env: {}, cwd: root, home: root }, version: 'x', watcherOptions: { pollMs: 60000 } }, {
  emit: (event, payload) => { if (event !== 'backup.progress') console.log(at(), 'event', event, JSON.stringify(payload).slice(0, 100)); },
  log: (m, e) => console.log(at(), 'log', m, String(e ?? '').slice(0, 160)),
});
await host.listsReady;
console.log(at(), 'listsReady');
const t1 = performance.now();
const l = await host.handle('charts.list', { context: 'bulk' });
console.log(at(), 'charts.list', l.ok, Math.round(performance.now() - t1));
const count = async () => { const r = await host.handle('contexts.list', {}); return r.ok ? (r.value as { context: string; charts: number }[]).find((c) => c.context === 'bulk')?.charts ?? 0 : -1; };
// a probe: how long a tiny request waits, every 500 ms
let probing = true;
void (async () => { while (probing) { const s = performance.now(); await host.handle('app.info', {}); const w = performance.now() - s; if (w > 300) console.log(at(), 'app.info waited', Math.round(w)); await new Promise((r) => setTimeout(r, 500)); } })();
const cli = path.join(process.cwd(), 'out', 'cli', 'tension.mjs');
for (let i = 0; i < 2; i++) {
  const s = performance.now();
  console.log(at(), 'CLI start', i);
  await promisify(execFile)(process.execPath, [cli, 'chart', 'create', '--data', data, '--context', 'bulk', '--outcome', `Outside ${i}`, '--reality', 'r'], { encoding: 'utf8' });
  console.log(at(), 'CLI done in', Math.round(performance.now() - s));
  const ack = performance.now();
  for (;;) { if ((await count()) > n + i) break; await new Promise((res) => setTimeout(res, 50)); }
  console.log(at(), 'outside change seen after', Math.round(performance.now() - ack));
}
probing = false;
await host.close();
console.log("kept", root);
