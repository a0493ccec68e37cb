// A window's request sent again with the same op is answered as its first run; the same op with
// another request is refused (CONFLICT), nothing changed (operationIntent.ts). Through the real
// handler table on a real engine.
import { afterEach, expect, it } from 'vitest';
import { createHandlerTable } from '../../electron/ipc/handlerTable.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

const OWN = { id: 1, url: 'app://tension/index.html' };

it('the same op with another request is refused, a retry of the same request answered', async () => {
  const engine = await openEngine(tempLayout());
  try {
    const table = createHandlerTable({ engine, isOwnSender: () => true });
    const made = await table.handle('charts.create', { context: 'default', outcome: 'First', reality: ['r'], steps: [{ title: 'One' }], op: 'w-1' }, OWN);
    expect(made.ok).toBe(true);
    const id = (made as { value: { id: string } }).value.id;
    const seq = await engine.read('default', (_state, store) => store.hasOperation('w-1')?.seq);
    const again = await table.handle('charts.create', { context: 'default', outcome: 'First', reality: ['r'], steps: [{ title: 'One' }], op: 'w-1' }, OWN);
    expect(again).toMatchObject({ ok: true, value: { id } });
    const other = await table.handle('outcome.set', { context: 'default', chartId: id, text: 'Changed', op: 'w-1' }, OWN);
    expect(other).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining('used for another change (charts.create)') } });
    expect(await engine.read('default', (state) => state.get(`e\u0000${id}_desired_outcome`)?.raw)).toContain('"First"');
    expect(await engine.read('default', (_state, store) => store.seq)).toBe(seq);
  } finally {
    await engine.close();
  }
});
