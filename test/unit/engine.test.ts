import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { addRelation, deleteEntity, deleteRelation, parseImport, readGraph, removeObservations, setEntity } from '../../electron/core/knowledgeGraph.ts';
import { EngineError } from '../../electron/core/errors.ts';
import { historyOf } from '../../electron/core/history.ts';
import { entityKey } from '../../electron/core/records.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { exitOf, spawnCli } from '../helpers/runCli.ts';

afterEach(removeTempDirs);

describe('the storage engine', () => {
  it('creates a context file and its journal on the first write, and reads back what it wrote', async () => {
    const layout = tempLayout();
    const engine = await openEngine(layout);
    await engine.transact('work', (s) => setEntity(s, { name: 'A', entityType: 'person', observations: ['one'], metadata: { chartId: 'c1' } }));
    await engine.transact('work', (s) => setEntity(s, { name: 'A', entityType: 'person', observations: ['one', 'two'], metadata: { dueDate: 'd' } }));
    await engine.transact('work', (s) => addRelation(s, { from: 'A', to: 'A', relationType: 'self' }));
    await engine.close();
    const text = fs.readFileSync(path.join(layout.root, 'charts-work.jsonl'), 'utf8');
    expect(text.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { type: 'entity', name: 'A', entityType: 'person', observations: ['one', 'two'], metadata: { chartId: 'c1', dueDate: 'd' } },
      { type: 'relation', from: 'A', to: 'A', relationType: 'self' },
    ]);
    const again = await openEngine(layout);
    expect(await again.read('work', (s) => readGraph(s))).toEqual({
      entities: [{ name: 'A', entityType: 'person', observations: ['one', 'two'], metadata: { chartId: 'c1', dueDate: 'd' } }],
      relations: [{ from: 'A', to: 'A', relationType: 'self' }],
    });
    await again.close();
  });

  it('a retried operation with the same id applies once, across restarts', async () => {
    const layout = tempLayout();
    const engine = await openEngine(layout);
    const first = await engine.transact('default', (s) => setEntity(s, { name: 'A', entityType: 't', observations: ['x'] }), { op: 'op-42' });
    const retry = await engine.transact('default', (s) => setEntity(s, { name: 'A', entityType: 't', observations: ['x', 'again'] }), { op: 'op-42' });
    expect(retry).toMatchObject({ duplicate: true, seq: first.seq, tx: first.tx });
    await engine.close();
    const reopened = await openEngine(layout);
    const third = await reopened.transact('default', (s) => setEntity(s, { name: 'A', entityType: 't', observations: ['x', 'again'] }), { op: 'op-42' });
    expect(third.duplicate).toBe(true);
    expect(await reopened.read('default', (s) => readGraph(s).entities[0]?.observations)).toEqual(['x']);
    await reopened.close();
  });

  it('deleting an entity deletes the relations that touch it', async () => {
    const engine = await openEngine(tempLayout());
    await engine.transact('default', (s) => ({
      puts: [...setEntity(s, { name: 'A', entityType: 't' }).puts, ...setEntity(s, { name: 'B', entityType: 't' }).puts],
      deletes: [],
    }));
    await engine.transact('default', (s) => addRelation(s, { from: 'A', to: 'B', relationType: 'r' }));
    await engine.transact('default', (s) => deleteEntity(s, 'B'));
    expect(await engine.read('default', (s) => readGraph(s))).toEqual({ entities: [{ name: 'A', entityType: 't', observations: [] }], relations: [] });
    await engine.close();
  });

  it('bad input gets a clear error and changes nothing', async () => {
    const layout = tempLayout();
    const engine = await openEngine(layout);
    await engine.transact('default', (s) => setEntity(s, { name: 'A', entityType: 't' }));
    await engine.flush();
    const before = fs.readFileSync(path.join(layout.root, '.history', 'charts.journal.jsonl'));
    const attempts: [string, () => Promise<unknown>][] = [
      ['empty name', () => engine.transact('default', (s) => setEntity(s, { name: '', entityType: 't' }))],
      ['huge name', () => engine.transact('default', (s) => setEntity(s, { name: 'x'.repeat(5000), entityType: 't' }))],
      ['prototype key', () => engine.transact('default', (s) => setEntity(s, { name: 'B', entityType: 't', metadata: JSON.parse('{"__proto__":{"x":1}}') }))],
      ['bad context', () => engine.transact('../evil', (s) => setEntity(s, { name: 'B', entityType: 't' }))],
      ['missing entity', () => engine.transact('default', (s) => deleteEntity(s, 'nope'))],
      ['missing relation', () => engine.transact('default', (s) => deleteRelation(s, { from: 'A', to: 'B', relationType: 'r' }))],
      ['observation not text', () => engine.transact('default', (s) => removeObservations(s, 'missing', ['x']))],
    ];
    for (const [what, attempt] of attempts) {
      await expect(attempt(), what).rejects.toBeInstanceOf(EngineError);
    }
    expect(fs.readFileSync(path.join(layout.root, '.history', 'charts.journal.jsonl')).equals(before)).toBe(true);
    expect(fs.existsSync(path.join(layout.root, '..', 'evil'))).toBe(false);
    await engine.close();
  });

  it('an import is one transaction: one unreadable line and nothing is imported', () => {
    expect(() => parseImport('{"type":"entity","name":"A","entityType":"t","observations":[]}\nnot json\n', 'in.jsonl')).toThrow(/line 2/);
    expect(parseImport('{"entities":[{"name":"A","entityType":"t","observations":[]}],"relations":[{"from":"A","to":"A","relationType":"r"}]}', 'g.json')).toHaveLength(2);
  });

  it('history holds every version of a record, oldest first, with time and origin', async () => {
    const layout = tempLayout();
    const engine = await openEngine(layout, { origin: 'cli' });
    await engine.transact('default', (s) => setEntity(s, { name: 'A', entityType: 't', observations: ['1'] }));
    await engine.transact('default', (s) => setEntity(s, { name: 'A', entityType: 't', observations: ['2'] }));
    await engine.transact('default', (s) => deleteEntity(s, 'A'));
    await engine.close();
    const versions = historyOf(engine.fs, path.join(layout.root, '.history', 'charts.journal.jsonl'), (k) => k === entityKey('A')).get(entityKey('A'));
    expect(versions?.map((v) => [v.action, v.origin, (v.value?.observations as string[] | undefined)?.join()])).toEqual([
      ['set', 'cli', '1'],
      ['set', 'cli', '1,2'],
      ['delete', 'cli', undefined],
    ]);
    expect(versions?.every((v, i, all) => i === 0 || v.ts >= (all[i - 1] as { ts: string }).ts)).toBe(true);
  });

  it('search finds entities by word prefixes, best matches first, and stays current', async () => {
    const engine = await openEngine(tempLayout());
    await engine.transact('default', (s) => setEntity(s, { name: 'billing_chart', entityType: 'chart', observations: ['Ship the billing service'] }));
    await engine.transact('default', (s) => setEntity(s, { name: 'notes', entityType: 'note', observations: ['billing is hard', 'service later'] }));
    const names = () => engine.read('default', (_s, store) => store.search('bill serv', 10).map((h) => h.key.slice(2)));
    expect(await names()).toEqual(['billing_chart', 'notes']);
    await engine.transact('default', (s) => deleteEntity(s, 'billing_chart'));
    expect(await names()).toEqual(['notes']);
    await engine.close();
  });

  it('several engines in one process and CLI processes serialize their writes through the lock', async () => {
    const layout = tempLayout();
    const one = await openEngine(layout);
    const two = await openEngine(layout);
    // Two other processes (the real CLI) write at the same time as the two engines here.
    const exits = Promise.all([0, 1].map((n) => exitOf(spawnCli(['entity', 'set', '--data', layout.root, '--name', `CLI${n}`, '--type', 't']), 60_000)));
    let othersRunning = true;
    void exits.then(() => (othersRunning = false));
    let written = 0;
    while (othersRunning || written < 20) {
      await Promise.all([one, two].map((engine, k) => engine.transact('default', (s) => setEntity(s, { name: `E${written + k}`, entityType: 't' }))));
      written += 2;
    }
    for (const exit of await exits) expect(exit?.code, `a CLI process: ${exit?.stderr ?? 'did not end in 60 s'}`).toBe(0);
    await one.close();
    await two.close();
    const three = await openEngine(layout);
    const names = await three.read('default', (s) => readGraph(s).entities.map((e) => e.name));
    expect(names.sort()).toEqual([...Array.from({ length: written }, (_, i) => `E${i}`), 'CLI0', 'CLI1'].sort());
    await three.close();
  });
});

describe('the time index', () => {
  it('lists entities most recently changed first, and follows changes', async () => {
    const engine = await openEngine(tempLayout());
    await engine.transact('t', (s) => setEntity(s, { name: 'old', entityType: 'x', metadata: { createdAt: '2026-01-01T00:00:00Z' } }));
    await engine.transact('t', (s) => setEntity(s, { name: 'new', entityType: 'x', metadata: { createdAt: '2026-03-01T00:00:00Z' } }));
    await engine.transact('t', (s) => setEntity(s, { name: 'undated', entityType: 'x' }));
    expect(await engine.read('t', (s) => s.keysByTime().map((k) => k.slice(2)))).toEqual(['new', 'old']);
    await engine.transact('t', (s) => setEntity(s, { name: 'old', entityType: 'x', metadata: { updatedAt: '2026-04-01T00:00:00Z' } }));
    expect(await engine.read('t', (s) => s.keysByTime().map((k) => k.slice(2)))).toEqual(['old', 'new']);
    await engine.close();
  });
});

describe('closing the engine', () => {
  it('a closed engine lets go of what it read, though something still holds the engine', async () => {
    // Node's own gc, without --expose-gc on the command line (vitest's workers have none).
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const engine = await openEngine(tempLayout());
    await engine.transact('work', (s) => setEntity(s, { name: 'A', entityType: 't', observations: ['kept while open'] }));
    const state = await engine.read('work', (s) => new WeakRef(s));
    gc();
    expect(state.deref(), 'the state is held while the engine is open').toBeDefined();
    await engine.close();
    // A fresh turn: the read's own promise chain no longer holds the state.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(state.deref(), 'the state of a closed engine is collected').toBeUndefined();
    expect(engine.loadedStore('work')).toBeUndefined();
  });
});
