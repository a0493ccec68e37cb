import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordFromObject, readGraph, setEntity } from '../../electron/core/knowledgeGraph.ts';
import { CommitPartBodies, decodeJournalLine, PART_BYTES } from '../../electron/core/journalFormat.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

function bigImport(count: number) {
  return Array.from({ length: count }, (_, i) =>
    recordFromObject({ type: 'entity', name: `bulk_${i}`, entityType: 'note', observations: [`observation number ${i} `.repeat(12)] }),
  );
}

describe('a commit too large for one journal line', () => {
  it('is written as several parts of one transaction and read back whole', async () => {
    const layout = tempLayout();
    const engine = await openEngine(layout);
    const records = bigImport(20_000);
    await engine.transact('bulk', () => ({ puts: records, deletes: [] }));
    await engine.close();
    const journal = path.join(layout.root, '.history', 'charts-bulk.journal.jsonl');
    const lines = fs.readFileSync(journal, 'utf8').trim().split('\n');
    const parts = lines.map((l) => decodeJournalLine(l)).filter((d) => d.ok && d.entry.kind === 'commit' && d.entry.parts !== undefined);
    expect(parts.length).toBeGreaterThan(1);
    expect(lines.every((l) => Buffer.byteLength(l) < PART_BYTES + 1_000)).toBe(true);
    fs.rmSync(path.join(layout.root, '.history', 'charts-bulk.checkpoint.json'));
    fs.rmSync(path.join(layout.root, 'charts-bulk.jsonl'));
    const again = await openEngine(layout);
    expect((await again.read('bulk', readGraph)).entities).toHaveLength(20_000);
    await again.close();
  });

  it('interrupted before its last part, it is wholly absent, and the next commit clears the parts away', async () => {
    const layout = tempLayout();
    const engine = await openEngine(layout);
    await engine.transact('bulk', (s) => setEntity(s, { name: 'before', entityType: 't' }));
    await engine.flush();
    const journal = path.join(layout.root, '.history', 'charts-bulk.journal.jsonl');
    const sizeBefore = fs.statSync(journal).size;
    await engine.transact('bulk', () => ({ puts: bigImport(20_000), deletes: [] }));
    // The process dies here (the engine is never closed, so the context file is never rewritten),
    // and the crash is simulated during the journal write: the first part whole, the rest lost.
    const text = fs.readFileSync(journal);
    const firstPartEnd = text.indexOf(10, sizeBefore) + 1;
    fs.truncateSync(journal, firstPartEnd);
    const again = await openEngine(layout);
    expect((await again.read('bulk', readGraph)).entities.map((e) => e.name)).toEqual(['before']);
    await again.transact('bulk', (s) => setEntity(s, { name: 'after', entityType: 't' }));
    await again.close();
    expect(fs.statSync(journal).size).toBeLessThan(firstPartEnd);
    expect(fs.readdirSync(path.join(layout.root, '.recovery')).some((f) => f.endsWith('.bad'))).toBe(true);
    const third = await openEngine(layout);
    expect((await third.read('bulk', readGraph)).entities.map((e) => e.name)).toEqual(['before', 'after']);
    await third.close();
  });

  it('gathers its changes into parts as they come, each under the part size, handed over whole and in order', () => {
    const texts = Array.from({ length: 30_000 }, (_, i) => `{"line":"${'x'.repeat(i % 400)}${i}"}`);
    const parts = new CommitPartBodies();
    for (const text of texts) parts.add(text);
    expect(parts.count).toBe(30_000);
    const bodies = parts.takeBodies();
    expect(bodies.length).toBeGreaterThan(1);
    expect(bodies.every((body) => body.length <= PART_BYTES)).toBe(true);
    expect(bodies.join(',')).toBe(texts.join(','));
    // Handed over: it keeps nothing (a commit of 1.3M records holds its parts once, not twice).
    expect(parts.takeBodies()).toEqual(['']);
    expect(new CommitPartBodies().takeBodies()).toEqual(['']);
  });
});
