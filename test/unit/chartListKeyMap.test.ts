// `tension chart list` reads a context file afresh at every call, into a map whose keys are
// hashed only at the first lookup (DeferredRecordMap): the list's pass over every record finds
// the two records a chart's summary reads on its way, and builds no map of every key (a tenth of
// the command at 1,000 charts). Charts of every shape still get the summary an eagerly built
// set gives them: the usual ones, one known by its outcome only, one whose `_chart` entity has
// another type, sub-charts, steps done and not, a stray step.
import { describe, expect, it } from 'vitest';
import { parseContextBytes } from '../../electron/core/contextFile.ts';
import { DeferredRecordMap } from '../../electron/core/deferredRecordMap.ts';
import { RecordSet } from '../../electron/core/recordSet.ts';
import { summarizeCharts } from '../../electron/core/charts/chartSummaries.ts';
import { eagerParse } from '../helpers/eagerParse.ts';

const line = (value: unknown) => `${JSON.stringify(value)}\n`;
const entity = (name: string, entityType: string, observations: string[], metadata: Record<string, unknown>) => line({ type: 'entity', name, entityType, observations, metadata });

/** A chart as our tools write it: its `_chart` entity, outcome, reality and steps. */
function chart(id: string, steps: boolean[], extra: Record<string, unknown> = {}): string {
  let text = entity(`${id}_chart`, 'structural_tension_chart', [], { chartId: id, level: 0, dueDate: `2026-12-${10 + id.length}`, ...extra });
  text += entity(`${id}_desired_outcome`, 'desired_outcome', [`Outcome of ${id}`], { chartId: id });
  text += entity(`${id}_current_reality`, 'current_reality', ['Where it stands'], { chartId: id });
  steps.forEach((done, i) => {
    text += entity(`${id}_action_${i + 1}`, 'action_step', [`step ${i + 1}`], { chartId: id, completionStatus: done });
    text += line({ type: 'relation', from: `${id}_action_${i + 1}`, to: `${id}_desired_outcome`, relationType: 'advances_toward' });
  });
  return text;
}

const usual = chart('chart_1', [true, false]) + chart('chart_2', [true]) + chart('chart_3', [], { parentChart: 'chart_1', level: 1, parentActionStep: 'chart_1_action_2' });

/** A fresh read's state: a vouched file (as a re-open reads one) into a deferred map. */
function freshRead(text: string): { state: RecordSet; map: DeferredRecordMap } {
  const parsed = parseContextBytes(Buffer.from(text), { irregularLines: [] });
  expect(parsed.map).toBeInstanceOf(DeferredRecordMap);
  const state = new RecordSet();
  state.adopt(parsed.map);
  return { state, map: parsed.map as DeferredRecordMap };
}

function eagerList(text: string) {
  const state = new RecordSet();
  state.adopt(eagerParse(text));
  return summarizeCharts(state, 'w');
}

describe('the chart list of a context read afresh', () => {
  it('is made without building the map of every key, and is the list an eager set gives', () => {
    const { state, map } = freshRead(usual);
    const list = summarizeCharts(state, 'w');
    expect(map.deferred).toBe(true);
    expect(list.map((s) => [s.id, s.stepsDone, s.stepsTotal, s.complete, s.desiredOutcome, s.parentChart ?? null])).toEqual([
      ['chart_1', 1, 2, false, 'Outcome of chart_1', null],
      ['chart_2', 1, 1, true, 'Outcome of chart_2', null],
      ['chart_3', 0, 0, false, 'Outcome of chart_3', 'chart_1'],
    ]);
    expect(list).toEqual(eagerList(usual));
  });

  it('gives charts of unusual shapes the summaries an eager set gives', () => {
    const odd =
      usual +
      // Known by its outcome only (the specification's own example has no `_chart` entity).
      entity('bare_desired_outcome', 'desired_outcome', ['Bare outcome'], { chartId: 'bare', dueDate: '2027-01-01' }) +
      // A `_chart` entity of another type beside a real outcome.
      entity('typed_chart', 'note', [], { level: 2, dueDate: '2027-02-02' }) +
      entity('typed_desired_outcome', 'desired_outcome', ['Typed outcome'], { chartId: 'typed' }) +
      // A step a peer stripped of its chart id (a stray step of chart_2).
      entity('chart_2_action_9', 'action_step', ['stray'], {});
    const { state } = freshRead(odd);
    const list = summarizeCharts(state, 'w');
    expect(list.map((s) => s.id).sort()).toEqual(['bare', 'chart_1', 'chart_2', 'chart_3', 'typed']);
    expect(list).toEqual(eagerList(odd));
  });
});
