// The chart list counts a chart's steps without reading the chart (chartSummaries.ts), and
// must count what the chart's own reading (readChart) shows: a step is an entity among the
// chart's parts (tagged with its id, or tied to it by a relation) that is neither its chart
// entity, outcome nor reality (by type, then by name), and is a step by type or by name. Lines
// a person or a peer wrote by hand break the usual shapes: a step named as another chart's,
// an outcome named as a step, a type only in the metadata, a name with an escape, a type given
// twice, a second part typed as the chart entity, outcome or reality. The summaries are compared
// after the first full pass and after each change.
import { describe, expect, it } from 'vitest';
import { classifyLine, makeRecord, type StoredRecord } from '../../electron/core/records.ts';
import { RecordSet } from '../../electron/core/recordSet.ts';
import { chartIndexOf, entityTypeOf, readChart, summarizeChart } from '../../electron/core/charts/chartModel.ts';
import { summarizeCharts } from '../../electron/core/charts/chartSummaries.ts';

function line(raw: string): StoredRecord {
  const verdict = classifyLine(raw);
  if (!verdict.ok || verdict.kind === 'blank') throw new Error(`not a record: ${raw}`);
  return makeRecord(raw, verdict.fields);
}

const record = (value: Record<string, unknown>) => line(JSON.stringify(value));

function fullReading(state: RecordSet) {
  const index = chartIndexOf(state);
  return index.ids.map((id) => summarizeChart(readChart(state, id, 'work', index)!));
}

function chart(state: RecordSet, id: string, steps: number): void {
  state.set(record({ type: 'entity', name: `${id}_chart`, entityType: 'structural_tension_chart', observations: [], metadata: { chartId: id, level: 0 } }));
  state.set(record({ type: 'entity', name: `${id}_desired_outcome`, entityType: 'desired_outcome', observations: [`${id} done`], metadata: { chartId: id } }));
  state.set(record({ type: 'entity', name: `${id}_current_reality`, entityType: 'current_reality', observations: ['now'], metadata: { chartId: id } }));
  for (let n = 1; n <= steps; n += 1) {
    state.set(record({ type: 'entity', name: `${id}_action_${n}`, entityType: 'action_step', observations: [`step ${n}`], metadata: { chartId: id, completionStatus: n === 1 } }));
  }
}

describe('the chart list\'s step counts', () => {
  it('are what the chart\'s own reading shows, for steps in odd shapes, after the first pass and after every change', () => {
    const state = new RecordSet();
    for (const id of ['chart_a', 'chart_b', 'chart_c']) chart(state, id, 2);
    const odd: StoredRecord[] = [
      // Tagged with chart_a, named as chart_b's step: chart_a's step (the tag says so), no step of chart_b.
      record({ type: 'entity', name: 'chart_b_action_7', entityType: 'action_step', observations: ['moved'], metadata: { chartId: 'chart_a', completionStatus: true } }),
      // A step by type, with no step's name.
      record({ type: 'entity', name: 'chart_a_errand', entityType: 'action_step', observations: ['errand'], metadata: { chartId: 'chart_a' } }),
      // A name ending in a digit that is no step's: a step by its type, or not one by another.
      record({ type: 'entity', name: 'chart_a_errand2', entityType: 'action_step', observations: ['errand 2'], metadata: { chartId: 'chart_a' } }),
      record({ type: 'entity', name: 'chart_a_v2', entityType: 'note', observations: ['v2'], metadata: { chartId: 'chart_a' } }),
      // Named as a step, typed as an outcome: not a step.
      record({ type: 'entity', name: 'chart_c_action_5', entityType: 'desired_outcome', observations: ['odd'], metadata: { chartId: 'chart_c' } }),
      // A note whose metadata holds a step's type: the line's own type decides (not a step).
      record({ type: 'entity', name: 'chart_c_note', entityType: 'note', observations: ['n'], metadata: { chartId: 'chart_c', copied: { entityType: 'action_step' } } }),
      // A name with an escape (the type is read by parsing the line).
      record({ type: 'entity', name: 'chart_c_"quoted"', entityType: 'action_step', observations: ['q'], metadata: { chartId: 'chart_c', completionStatus: true } }),
      // The type given twice: JSON.parse keeps the last, a step.
      line('{"type":"entity","name":"chart_b_twice","entityType":"note","observations":[],"entityType":"action_step","metadata":{"chartId":"chart_b"}}'),
      // A second part typed as the chart entity, and a second typed as the outcome, each with
      // a due date or text of its own: the list shows what the chart's reading takes.
      record({ type: 'entity', name: 'chart_a_chart_copy', entityType: 'structural_tension_chart', observations: [], metadata: { chartId: 'chart_a', level: 0, dueDate: '2030-01-01' } }),
      record({ type: 'entity', name: 'chart_b_outcome_alt', entityType: 'desired_outcome', observations: ['another outcome'], metadata: { chartId: 'chart_b', dueDate: '2031-01-01' } }),
      record({ type: 'entity', name: 'chart_c_reality_alt', entityType: 'current_reality', observations: ['another reality'], metadata: { chartId: 'chart_c' } }),
      // Untagged, named as chart_b's step and tied to its outcome: a step of chart_b.
      record({ type: 'entity', name: 'chart_b_action_9', entityType: 'action_step', observations: ['peer'], metadata: {} }),
      record({ type: 'relation', from: 'chart_b_action_9', to: 'chart_b_desired_outcome', relationType: 'advances_toward' }),
    ];
    for (const r of odd) state.set(r);
    expect(entityTypeOf(odd[4] as StoredRecord)).toBe('desired_outcome');
    expect(entityTypeOf(odd[5] as StoredRecord)).toBe('note');
    expect(entityTypeOf(odd[7] as StoredRecord)).toBe('action_step');

    const expected = fullReading(state);
    expect(expected.map((s) => [s.id, s.stepsDone, s.stepsTotal])).toEqual([
      ['chart_a', 2, 5],
      ['chart_b', 1, 4],
      ['chart_c', 2, 3],
    ]);
    expect(summarizeCharts(state, 'work')).toEqual(expected);

    // Record by record from here (the counts are kept, not made again): each odd line taken
    // away, then given back, the list compared each time.
    for (const r of odd) {
      state.delete(r.key);
      expect(summarizeCharts(state, 'work'), `without ${r.key}`).toEqual(fullReading(state));
    }
    for (const r of odd) {
      state.set(r);
      expect(summarizeCharts(state, 'work'), `with ${r.key}`).toEqual(fullReading(state));
    }
    expect(summarizeCharts(state, 'work')).toEqual(expected);
  });
});
