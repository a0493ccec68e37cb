// The history in a person's words, from the chart's real journal: what was done, to which
// step, by whom ("Completed step ‘Automate invoices’", "Outcome changed from … to …", "Step
// ‘Migrate’ moved before ‘Test’", "Another program added 3 steps"), and consecutive edits of
// one field within ten seconds read as one entry.
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { timelineOf } from '../../renderer/model/timeline.ts';
import type { ChartHistoryEntry } from '../../shared/domain.ts';
import { classifyLine, makeRecord } from '../../electron/core/records.ts';

afterEach(removeTempDirs);

describe('the history timeline', () => {
  it('says what each change did, in the person’s terms, newest first', async () => {
    const layout = tempLayout();
    const app = await openEngine(layout, { origin: 'app' });
    const other = await openEngine(layout, { origin: 'external' });
    let now = Date.parse('2027-01-01T10:00:00Z');
    const tick = () => new Date((now += 60_000));
    const charts = new ChartService(app, tick);
    const { id } = await charts.create('work', { outcome: 'Ship billing', reality: ['Pilot only'], dueDate: '2027-06-01', steps: ['Automate invoices', 'Migrate', 'Test'] });
    await charts.completeStep('work', `${id}_action_1`);
    await charts.setOutcome('work', id, 'Ship billing to everyone');
    await charts.moveStep('work', `${id}_action_2`, 3);
    await charts.setDue('work', id, '2027-07-01');
    await charts.addReality('work', id, 'Two pilots pay by card');
    // Another program adds three steps at once.
    const added = ['Write the guide', 'Train support', 'Announce'].map((title, i) => recordOf(JSON.stringify({ type: 'entity', name: `${id}_action_${4 + i}`, entityType: 'action_step', observations: [title], metadata: { chartId: id, completionStatus: false } })));
    await other.transact('work', () => ({ puts: added, deletes: [] }));
    await charts.removeStep('work', `${id}_action_3`);
    const sub = await charts.telescope('work', `${id}_action_1`, {});
    const entries = await charts.history('work', id);
    const items = timelineOf(entries, { chartId: id, stepOfSubChart: new Map([[sub.id, 'Automate invoices']]) });
    expect(items.map((i) => [i.who, ...i.what])).toEqual([
      ['you, in this app', 'Telescoped step ‘Automate invoices’ into a sub-chart'],
      ['you, in this app', 'Removed step ‘Test’'],
      ['another program', 'Added 3 steps: ‘Write the guide’, ‘Train support’, ‘Announce’'],
      ['you, in this app', 'Added to current reality: ‘Two pilots pay by card’'],
      ['you, in this app', 'Due date changed from 2027-06-01 to 2027-07-01'],
      ['you, in this app', 'Step ‘Migrate’ moved to the end'],
      ['you, in this app', 'Outcome changed from ‘Ship billing’ to ‘Ship billing to everyone’'],
      ['you, in this app', 'Completed step ‘Automate invoices’'],
      ['you, in this app', 'Created the chart ‘Ship billing’ with 3 steps'],
    ]);
    await other.close();
    await app.close();
  });

  it('reads consecutive edits of one field by one writer within ten seconds as one entry', () => {
    const entry = (seq: number, ts: string, text: string): ChartHistoryEntry => ({
      seq, ts, origin: 'app', tx: `tx${seq}`, part: 'c_desired_outcome', action: 'set', value: { type: 'entity', name: 'c_desired_outcome', entityType: 'desired_outcome', observations: [text] },
    });
    const items = timelineOf([entry(1, '2027-01-01T10:00:00Z', 'Ship'), entry(2, '2027-01-01T11:00:00Z', 'Ship b'), entry(3, '2027-01-01T11:00:04Z', 'Ship bi'), entry(4, '2027-01-01T11:00:09Z', 'Ship billing'), entry(5, '2027-01-01T12:00:00Z', 'Ship billing now')], { chartId: 'c' });
    expect(items.map((i) => i.what.join())).toEqual(['Outcome changed from ‘Ship billing’ to ‘Ship billing now’', 'Outcome changed from ‘Ship’ to ‘Ship billing’', 'Created the chart ‘Ship’']);
  });

  it('a version over 64 KB says what it changed; the timeline reads it the same way', () => {
    const items = timelineOf(
      [
        { seq: 1, ts: '2027-01-01T10:00:00Z', origin: 'app', tx: 'a', part: 'c_current_reality', action: 'set', value: { observations: ['Pilot only'] } },
        { seq: 2, ts: '2027-01-01T11:00:00Z', origin: 'mcp', tx: 'b', part: 'c_current_reality', action: 'set', changed: { observationsAdded: ['A long log line'] } },
      ],
      { chartId: 'c' },
    );
    expect(items[0]).toMatchObject({ who: 'an AI assistant (tension mcp)', what: ['Added to current reality: ‘A long log line’'] });
  });
});

function recordOf(raw: string) {
  const verdict = classifyLine(raw);
  if (!verdict.ok || verdict.kind === 'blank') throw new Error(raw);
  return makeRecord(raw, verdict.fields);
}
