// After each rewrite the store remembers what the file holds, in the file's order
// (ContextMemory.materialized): the truncation check compares a file found on disk with it line
// by line. The rewrite no longer copies the whole state into it each time (2-3 s at 100k
// charts): it updates it in place and copies only when the order differs. A seeded run of
// commits (records made, changed, removed, made again, lines moved by a commit's order) with
// rewrites in between checks, after every rewrite, that it holds exactly the file's lines in
// the file's order.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoredRecord } from '../../electron/core/records.ts';
import { deleteEntity, setEntity } from '../../electron/core/knowledgeGraph.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { seededRandom } from '../helpers/seededRandom.ts';

afterAll(removeTempDirs);

describe('what the store remembers of the file after a rewrite', () => {
  it('is the file\'s lines in the file\'s order, through records made again and lines moved (seeded)', async () => {
    const random = seededRandom(20261130);
    const layout = tempLayout();
    const engine = await openEngine(layout, { rewriteDelayMs: -1 });
    const names = Array.from({ length: 30 }, (_, i) => `note_${i}`);
    const pick = () => names[Math.floor(random() * names.length)] as string;
    const file = path.join(layout.root, 'charts-work.jsonl');
    let rewrites = 0;
    let moved = 0;
    try {
      for (let round = 0; round < 60; round += 1) {
        const commits = 1 + Math.floor(random() * 4);
        for (let c = 0; c < commits; c += 1) {
          const roll = random();
          if (roll < 0.45) await engine.transact('work', (state) => setEntity(state, { name: pick(), entityType: 'note', observations: [`round ${round} commit ${c}`] }));
          else if (roll < 0.75) {
            const name = pick();
            await engine.transact('work', (state) => (state.has(`e\u0000${name}`) ? deleteEntity(state, name) : { puts: [], deletes: [] }));
          } else {
            // A commit that moves lines (a few keys wanted in another order, the others keeping
            // their places) and changes a record, as a restore from a backup does: the next
            // rewrite writes that order. (A commit that only moves lines leaves the file as it is.)
            await engine.transact('work', (state) => {
              const keys = [...state.keys()];
              const chosen = keys.filter(() => random() < 0.3).sort(() => random() - 0.5);
              if (chosen.length > 1) moved += 1;
              const changed = setEntity(state, { name: pick(), entityType: 'note', observations: [`moved in round ${round}`] });
              return { ...changed, order: chosen };
            });
          }
        }
        await engine.flush();
        rewrites += 1;
        const remembered = await engine.read('work', (state, store) => {
          const materialized = (store as unknown as { memory: { materialized: ReadonlyMap<string, StoredRecord> } }).memory.materialized;
          return { lines: [...materialized.values()].map((record) => record.raw), state: [...state.values()].map((record) => record.raw) };
        });
        const onDisk = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((line) => line !== '') : [];
        expect(remembered.lines, `round ${round}`).toEqual(onDisk);
        // Every round ends in a rewrite (each commit changed a record or none was needed): the state's order is the file's.
        expect(remembered.state, `round ${round}`).toEqual(onDisk);
      }
    } finally {
      await engine.close();
    }
    expect(rewrites).toBe(60);
    expect(moved, 'commits moved lines').toBeGreaterThan(5);
  });
});
