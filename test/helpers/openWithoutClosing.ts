// A process that opens a data folder for writing, reads one context and exits without closing
// the engine (as a SIGKILL leaves it): what the open itself wrote stays, nothing else is written.
//   node --import tsx test/helpers/openWithoutClosing.ts <data folder> <context>
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';

const [data, context] = process.argv.slice(2) as [string, string];
const engine = await Engine.open({ layout: resolveLayout({ data }), rewriteDelayMs: -1, lockLeaseMs: 0, origin: 'cli' });
const findings = await engine.read(context, (_state, store) => store.findings.map((finding) => finding.kind));
process.stdout.write(`${JSON.stringify({ findings })}\n`);
process.exit(0);
