// Issue 8, item 11: chart ids are matched exactly everywhere. Issue 7: a chart with no
// `_chart` entity (the specification's own example) is a chart like any other.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandlerTable, type SenderInfo } from '../../electron/ipc/handlerTable.ts';
import { isPartOfChart, keyBelongsToChart } from '../../electron/core/charts/chartModel.ts';
import { freeIdFor } from '../../electron/core/charts/chartIds.ts';
import { entityKey, relationKey } from '../../electron/core/records.ts';
import type { ChartHistoryEntry, ChartSummary } from '../../shared/domain.ts';
import type { ContextInfo, IpcResult } from '../../shared/contract.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { folderSnapshot } from '../helpers/folderSnapshot.ts';

afterEach(removeTempDirs);

const own: SenderInfo = { id: 1, url: 'app://tension/index.html' };
const valueOf = <T>(result: IpcResult<unknown>) => {
  if (!result.ok) throw new Error(result.error.message);
  return result.value as T;
};

async function setup() {
  const layout = tempLayout();
  fs.mkdirSync(layout.root, { recursive: true });
  const engine = await openEngine(layout);
  const table = createHandlerTable({ engine, isOwnSender: (s) => s.id === own.id });
  return { layout, engine, table };
}

describe('chart ids are matched exactly', () => {
  it("charts.history with id 'chart' is NOT_FOUND, not every chart's history; an exact id gets its own parts only", async () => {
    const { layout, engine, table } = await setup();
    const around = path.dirname(layout.root);
    const before = folderSnapshot(around, { except: [layout.root] });
    const ids: string[] = [];
    for (const outcome of ['First', 'Second']) {
      ids.push(valueOf<{ id: string }>(await table.handle('charts.create', { context: 'work', outcome, reality: ['Now'], steps: [{ title: 'Step' }] }, own)).id);
    }
    for (const id of ['chart', 'chart_', ids[0]!.slice(0, -1)]) {
      expect(await table.handle('charts.history', { context: 'work', id }, own), id).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(await table.handle('charts.asOf', { context: 'work', id, time: '2100-01-01T00:00:00Z' }, own), id).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
    const [first, second] = ids as [string, string];
    const history = valueOf<ChartHistoryEntry[]>(await table.handle('charts.history', { context: 'work', id: first }, own));
    expect(history.length).toBeGreaterThan(0);
    for (const entry of history) {
      expect(entry.part.includes(first), entry.part).toBe(true);
      expect(entry.part.includes(second), entry.part).toBe(false);
    }
    await engine.close();
    expect(folderSnapshot(around, { except: [layout.root] })).toEqual(before);
  });

  it('a part belongs to a chart only by its whole name', () => {
    expect(isPartOfChart('chart_1', 'chart_1_chart')).toBe(true);
    expect(isPartOfChart('chart_1', 'chart_1_action_2')).toBe(true);
    expect(isPartOfChart('chart_1', 'chart_1_action2')).toBe(true);
    expect(isPartOfChart('chart', 'chart_1_desired_outcome')).toBe(false);
    expect(isPartOfChart('chart_1', 'chart_12_chart')).toBe(false);
    expect(isPartOfChart('chart_1', 'chart_1_notes')).toBe(false);
    expect(keyBelongsToChart('chart_1', entityKey('chart_1_current_reality'))).toBe(true);
    expect(keyBelongsToChart('chart_1', relationKey('chart_2_desired_outcome', 'chart_1_desired_outcome', 'advances_toward'))).toBe(true);
    expect(keyBelongsToChart('chart', relationKey('chart_2_chart', 'chart_2_desired_outcome', 'contains'))).toBe(false);
  });
});

describe('a chart with no _chart entity is listed everywhere (issue 7)', () => {
  it("the specification's example (outcome and reality with metadata.chartId, a has_tension relation) is in the list, the counts and the tree", async () => {
    const { layout, engine, table } = await setup();
    fs.writeFileSync(
      path.join(layout.root, 'charts-work.jsonl'),
      [
        '{"type":"entity","name":"chart_123_desired_outcome","entityType":"desired_outcome","observations":["Publish the book"],"metadata":{"chartId":"chart_123"}}',
        '{"type":"entity","name":"chart_123_current_reality","entityType":"current_reality","observations":["Three chapters drafted"],"metadata":{"chartId":"chart_123"}}',
        '{"type":"relation","from":"chart_123_current_reality","to":"chart_123_desired_outcome","relationType":"has_tension"}',
        // An untagged one (a peer dropped metadata), found by its outcome's name and type.
        '{"type":"entity","name":"chart_456_desired_outcome","entityType":"desired_outcome","observations":["Run a marathon"]}',
        // Not a chart: an entity whose name merely ends like one.
        '{"type":"entity","name":"note_desired_outcome","entityType":"note","observations":["x"]}',
      ].join('\n') + '\n',
    );
    const listed = valueOf<ChartSummary[]>(await table.handle('charts.list', { context: 'work' }, own));
    expect(listed.map((c) => [c.id, c.desiredOutcome])).toEqual([
      ['chart_123', 'Publish the book'],
      ['chart_456', 'Run a marathon'],
    ]);
    expect(valueOf<ChartSummary[]>(await table.handle('charts.list', {}, own)).map((c) => c.id)).toEqual(['chart_123', 'chart_456']);
    expect(valueOf<ContextInfo[]>(await table.handle('contexts.list', {}, own))).toMatchObject([{ context: 'work', charts: 2 }]);
    expect(await table.handle('charts.tree', { context: 'work', id: 'chart_456' }, own)).toMatchObject({ ok: true, value: { chart: { desiredOutcome: 'Run a marathon' } } });
    expect(await table.handle('charts.tree', { context: 'work', id: 'chart_123' }, own)).toMatchObject({ ok: true, value: { chart: { currentReality: ['Three chapters drafted'] } } });
    await engine.close();
  });
});

describe('the id a chart takes where its own is taken', () => {
  it('an id of digits stays digits (the COAIA servers take no other shape): the next free number', () => {
    const taken = new Set(['chart_1796202627880001', 'chart_1796202627880002']);
    expect(freeIdFor('chart_1796202627880000', (id) => taken.has(id))).toBe('chart_1796202627880003');
    expect(freeIdFor('chart_1700000000000', () => false)).toBe('chart_1700000000001');
    // Past Number's exact integers: counted as a BigInt, never rounded onto a taken id.
    expect(freeIdFor('chart_99999999999999999999', () => false)).toBe('chart_100000000000000000000');
  });

  it('any other id gets _2, _3, …', () => {
    expect(freeIdFor('chart_work_q4', () => false)).toBe('chart_work_q4_2');
    expect(freeIdFor('chart_x', (id) => id === 'chart_x_2')).toBe('chart_x_3');
    expect(freeIdFor('chart_12a', () => false)).toBe('chart_12a_2');
  });
});
