// Another process's rewrite taken in by live updates (a catch-up of the journal: its commit, then
// its snapshot line) leaves the state's map shared with the file's view (RecordSet.sharedMap):
// the next change of this process would copy 1.3M records in one piece at 100k charts. The app
// readies the context again in slices after such a change (engineServices.ts): this is that step.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { readGraph, setEntity } from '../../electron/core/knowledgeGraph.ts';
import { contextPaths } from '../../electron/core/dataRoot.ts';
import { readyForChangesInSlices } from '../../electron/core/searchWarmUp.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cliEntry, cliOk } from '../helpers/runCli.ts';
import { startEngineServices } from '../../electron/app/engineServices.ts';

afterEach(removeTempDirs);

const CONTEXT = 'work';
const shared = (state: unknown) => (state as { shared: boolean }).shared;

describe("a context after another process's rewrite was taken in", () => {
  it('is shared with the file view until readied in slices, then owns its map; changes go on as before', async () => {
    const layout = tempLayout();
    fs.mkdirSync(layout.root, { recursive: true });
    fs.writeFileSync(contextPaths(layout, CONTEXT).file, Array.from({ length: 3000 }, (_, i) => `{"type":"entity","name":"n${i}","entityType":"note","observations":["o"]}\n`).join(''));
    cliOk(['entity', 'set', '--context', CONTEXT, '--name', 'first', '--type', 'note', '--obs', 'journal started'], layout.root);
    const app = await openEngine(layout); // a fast open: the state is the very map read from the file
    expect(await app.read(CONTEXT, (_s, store) => store.openedFast)).toBe(true);
    cliOk(['entity', 'set', '--context', CONTEXT, '--name', 'from_the_cli', '--type', 'note', '--obs', 'a commit and a rewrite'], layout.root);
    expect(await app.read(CONTEXT, (state) => [state.has('e\u0000from_the_cli'), shared(state)])).toEqual([true, true]);
    expect(await readyForChangesInSlices(app, CONTEXT, { sliceMs: 0 })).toBe(true);
    expect(await app.read(CONTEXT, (state) => shared(state))).toBe(false);
    await app.transact(CONTEXT, (s) => setEntity(s, { name: 'from_the_app', entityType: 'note', observations: ['after'] }));
    await app.close();
    const again = await openEngine(layout);
    const names = (await again.read(CONTEXT, (s) => readGraph(s))).entities.map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(['first', 'from_the_cli', 'from_the_app']));
    expect(names).toHaveLength(3003);
    await again.close();
  });

  it("the app's services ready it again on their own after the outside change", async () => {
    const layout = tempLayout();
    fs.mkdirSync(layout.root, { recursive: true });
    fs.writeFileSync(contextPaths(layout, CONTEXT).file, Array.from({ length: 3000 }, (_, i) => `{"type":"entity","name":"n${i}","entityType":"note","observations":["o"]}\n`).join(''));
    cliOk(['entity', 'set', '--context', CONTEXT, '--name', 'first', '--type', 'note', '--obs', 'journal started'], layout.root);
    const changes: unknown[] = [];
    const services = await startEngineServices(
      {
        dataLocation: { argv: ['--data', layout.root], env: {}, cwd: layout.root, home: layout.root },
        version: 'test',
        watcherOptions: { pollMs: 50 },
        backgroundOptions: { scheduler: { startDelayMs: 3_600_000 }, verification: { startDelayMs: 3_600_000, afterChangeMs: 3_600_000 } },
      },
      { emit: (event, payload) => (event === 'data.changed' ? changes.push(payload) : undefined), log: () => undefined },
    );
    try {
      await services.listsReady;
      await services.watching;
      // Readied once after the open (the search warm-up), so the share below is the catch-up's.
      await readyForChangesInSlices(services.engine, CONTEXT);
      // Not spawnSync: this thread must stay free to hand the lock over to the CLI.
      await promisify(execFile)(process.execPath, [cliEntry, 'entity', 'set', '--context', CONTEXT, '--name', 'from_the_cli', '--type', 'note', '--obs', 'a commit and a rewrite', '--data', layout.root]);
      const deadline = Date.now() + 20_000;
      while (changes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(changes.length, 'live updates saw the change').toBeGreaterThan(0);
      let owned = false;
      while (!owned && Date.now() < deadline) {
        owned = await services.engine.read(CONTEXT, (state) => state.has('e\u0000from_the_cli') && !shared(state));
        if (!owned) await new Promise((r) => setTimeout(r, 20));
      }
      expect(owned, 'the state owns its map again, made in slices after the change').toBe(true);
    } finally {
      await services.close();
    }
  });
});
