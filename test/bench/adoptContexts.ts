// Opens a data folder and closes it, in a process of its own: the folder's files adopted (the
// journal started, the file rewritten, the checkpoint written), so that the next open is a
// re-open, as an app's start usually is. Run by the responsiveness bench before its child: done
// in the child itself, what that open read stayed on the heap of the very thread it measures.
import { Engine } from '../../electron/core/engine.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';

const root = process.argv[2];
if (!root) throw new Error('usage: adoptContexts.ts DATA_FOLDER');
const engine = await Engine.open({ layout: resolveLayout({ data: root }), origin: 'cli', rewriteDelayMs: -1 });
for (const context of engine.listContextNames()) await engine.read(context, (state) => state.size);
await engine.close();
