import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataRootWatcher, type ContextChange } from '../../electron/core/dataRootWatcher.ts';
import { readGraph, setEntity } from '../../electron/core/knowledgeGraph.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { runCli } from '../helpers/runCli.ts';

afterEach(removeTempDirs);

async function waitFor(changes: ContextChange[], predicate: (c: ContextChange) => boolean, ms = 5000): Promise<ContextChange> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const found = changes.find(predicate);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no matching change within ${ms} ms; saw ${JSON.stringify(changes)}`);
}

describe('live updates while other processes write', () => {
  it('a commit by the CLI in another process and a peer rewriting the file are both noticed', async () => {
    const layout = tempLayout();
    const engine = await openEngine(layout);
    await engine.transact('work', (s) => setEntity(s, { name: 'A', entityType: 't', metadata: { chartId: 'c' } }));
    await engine.flush();
    const changes: ContextChange[] = [];
    const errors: unknown[] = [];
    const watcher = new DataRootWatcher(engine, (c) => changes.push(c), (e) => errors.push(e), { pollMs: 500 });
    await watcher.start();
    try {
      expect(runCli(['entity', 'set', '--data', layout.root, '--context', 'work', '--name', 'FromCli', '--type', 't']).status).toBe(0);
      await waitFor(changes, (c) => c.context === 'work');
      expect((await engine.read('work', readGraph)).entities.map((e) => e.name)).toEqual(['A', 'FromCli']);

      changes.length = 0;
      const file = path.join(layout.root, 'charts-work.jsonl');
      fs.writeFileSync(file, `${fs.readFileSync(file, 'utf8')}{"type":"entity","name":"FromPeer","entityType":"t","observations":[]}`);
      const change = await waitFor(changes, (c) => c.findings.some((f) => f.includes('changed by another program')));
      expect(change.context).toBe('work');
      expect((await engine.read('work', readGraph)).entities.map((e) => e.name)).toEqual(['A', 'FromCli', 'FromPeer']);
      expect(errors).toEqual([]);
    } finally {
      await watcher.stop();
      await engine.close();
    }
  });
});
