// Edits staged one after another (an MCP tool made of two chart edits) amount to exactly what
// applying them one by one would give, as one change, without touching the live records.
import { describe, expect, it } from 'vitest';
import { RecordSet } from '../../electron/core/recordSet.ts';
import type { PendingChanges } from '../../electron/core/contextStore.ts';
import * as edits from '../../electron/core/charts/chartEdits.ts';
import { readTree } from '../../electron/core/charts/chartModel.ts';
import { inSequence } from '../../electron/mcp/changeSequence.ts';

const now = new Date('2026-11-26T10:00:00Z');

function apply(state: RecordSet, changes: PendingChanges): void {
  for (const key of changes.deletes) state.delete(key);
  for (const record of changes.puts) state.set(record);
}

function copy(state: RecordSet): RecordSet {
  const next = new RecordSet();
  next.adopt(state.snapshotMap());
  return next;
}

function chartWithTwoSteps(): { state: RecordSet; id: string } {
  const state = new RecordSet();
  const created = edits.createChart(state, { outcome: 'Ship the book', reality: ['Draft done'], dueDate: '2027-01-31', steps: ['Edit', 'Print'] }, now);
  apply(state, created.changes);
  // A sub-chart under step 2, with a step of its own, so removal below has a subtree to take.
  const sub = edits.telescope(state, `${created.id}_action_2`, { reality: 'No printer chosen', steps: ['Get quotes'] }, now);
  apply(state, sub.changes);
  return { state, id: created.id };
}

describe('edits staged in sequence', () => {
  it('add a step, then telescope it: the same records as doing both in turn, and the live state untouched', () => {
    const { state, id } = chartWithTwoSteps();
    const before = [...state.values()].map((r) => r.raw);
    let step = '';
    const staged = inSequence(state, [
      (s) => {
        const built = edits.addStep(s, id, { title: 'Launch party' }, now);
        step = built.name;
        return built.changes;
      },
      (s) => edits.telescope(s, step, { reality: 'No venue' }, now).changes,
    ]);
    expect([...state.values()].map((r) => r.raw)).toEqual(before);

    const oneByOne = copy(state);
    const added = edits.addStep(oneByOne, id, { title: 'Launch party' }, now);
    apply(oneByOne, added.changes);
    apply(oneByOne, edits.telescope(oneByOne, added.name, { reality: 'No venue' }, now).changes);
    const together = copy(state);
    apply(together, staged);
    expect(new Map([...together.values()].map((r) => [r.key, r.raw]))).toEqual(new Map([...oneByOne.values()].map((r) => [r.key, r.raw])));
    expect(readTree(together, id, 'test')?.chart.steps.map((s) => [s.title, s.telescopedInto !== undefined])).toEqual([
      ['Edit', false],
      ['Print', true],
      ['Launch party', true],
    ]);
  });

  it('a later edit sees what an earlier one removed as gone, and several observations all land', () => {
    const { state, id } = chartWithTwoSteps();
    const staged = inSequence(state, [
      (s) => edits.removeStep(s, `${id}_action_2`, now),
      (s) => edits.addReality(s, id, 'Printer dropped', now),
      (s) => edits.addReality(s, id, 'Ebook only', now),
      (s) => {
        expect(s.has(`e\u0000${id}_action_2`)).toBe(false);
        expect(s.chartKeys(id).has(`e\u0000${id}_action_2`)).toBe(false);
        return { puts: [], deletes: [] };
      },
    ]);
    const after = copy(state);
    apply(after, staged);
    const tree = readTree(after, id, 'test');
    expect(tree?.chart.steps.map((s) => s.title)).toEqual(['Edit']);
    expect(tree?.children).toEqual([]);
    expect(tree?.chart.currentReality).toEqual(['Draft done', 'Printer dropped', 'Ebook only']);
    expect(staged.deletes.length).toBeGreaterThan(5);
  });
});
