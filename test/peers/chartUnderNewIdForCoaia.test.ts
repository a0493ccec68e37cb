// A chart moved or imported into a context that already has a chart of its id arrives under a
// new id. coaia-narrative's manage_action_step takes a chart only by an id of digits
// (`^chart_\d+$`): the new id `<id>_2` it refused ("INVALID PARENT REFERENCE FORMAT"), so an assistant
// could no longer add a step to a chart the person had moved. The new id is the next free number
// now, and the real server adds a step to the moved chart, and to the imported one, in the
// context's own file, as it runs for a user.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { contextPaths } from '../../electron/core/dataRoot.ts';
import { applyImport } from '../../electron/core/contexts/importPreview.ts';
import { exportJsonl } from '../../electron/core/contexts/exportCharts.ts';
import { moveCharts } from '../../electron/core/contexts/moveCharts.ts';
import { parseImport } from '../../electron/core/knowledgeGraph.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { callsOn } from './memoryServerClient.ts';

afterEach(removeTempDirs);

/** A chart with a due date (coaia-narrative adds a step only to such a chart) in `ideas`, and another chart under its id in `personal`. */
async function collidingCharts() {
  const layout = tempLayout();
  fs.mkdirSync(layout.root, { recursive: true });
  const engine = await openEngine(layout);
  const { id } = await new ChartService(engine).create('ideas', { outcome: 'Write a novel', reality: 'An outline', dueDate: '2027-09-01', steps: ['Draft chapter one'] });
  const lines = await engine.read('ideas', (state) => [...state.values()].filter((r) => r.raw.includes(id)).map((r) => r.raw.replaceAll('Write a novel', 'Learn the cello')));
  await engine.transact('personal', () => ({ puts: parseImport(lines.join('\n'), 'seed'), deletes: [] }));
  return { layout, engine, id };
}

async function coaiaAddsAStep(layout: ReturnType<typeof tempLayout>, context: string, chartId: string): Promise<string[]> {
  // A tool's error throws (ToolError): on `<id>_2`, "INVALID PARENT REFERENCE FORMAT".
  await callsOn(contextPaths(layout, context).file, 'coaia-narrative', [['manage_action_step', { parentReference: chartId, actionDescription: 'Find an editor', currentReality: 'No editor yet' }]]);
  const engine = await openEngine(layout);
  try {
    const chart = await new ChartService(engine).tree(context, chartId);
    return [...chart.chart.steps.map((s) => s.title), ...chart.children.map((c) => c.chart.desiredOutcome)];
  } finally {
    await engine.close();
  }
}

describe('a chart that arrives under a new id stays one coaia-narrative can work on', () => {
  it('moved into a context with a chart of its id', async () => {
    const { layout, engine, id } = await collidingCharts();
    const result = await moveCharts(engine, 'ideas', 'personal', { charts: [id], onCollision: 'new-id' });
    await engine.close();
    const moved = result.renamed[id] as string;
    expect(moved).toMatch(/^chart_\d+$/);
    expect(moved).not.toBe(id);
    expect(await coaiaAddsAStep(layout, 'personal', moved)).toEqual(expect.arrayContaining(['Draft chapter one', 'Find an editor']));
  });

  it('imported into a context with a chart of its id', async () => {
    const { layout, engine, id } = await collidingCharts();
    const text = await engine.read('ideas', (state) => exportJsonl(state, 'ideas', [id]));
    const imported = await applyImport(engine, 'personal', text, 'novel.jsonl', { onCollision: 'new-id' });
    await engine.close();
    const newId = imported.renamed[id] as string;
    expect(newId).toMatch(/^chart_\d+$/);
    expect(newId).not.toBe(id);
    expect(await coaiaAddsAStep(layout, 'personal', newId)).toEqual(expect.arrayContaining(['Draft chapter one', 'Find an editor']));
  });
});
