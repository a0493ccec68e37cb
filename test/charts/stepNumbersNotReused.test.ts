// A step's number, once given in a chart, is never given again: a step removed and then a step
// added by another writer took the removed step's name, so the removal could no longer be undone
// ("exists again"), recently deleted could not bring it back, the two steps' histories mixed, and
// a sub-chart telescoped from the removed step came back only from a backup. The chart entity
// remembers the highest number given (metadata.highestStepNumber); a chart without it (a peer's)
// numbers after the steps there now, as before.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { cliOk } from '../helpers/runCli.ts';
import { peerDataFolder } from '../helpers/contextFiles.ts';
import { openEngine, removeTempDirs, tempDir, tempLayout } from '../helpers/tempRoot.ts';

afterEach(removeTempDirs);

const stepNames = async (charts: ChartService, id: string) => (await charts.tree('default', id)).chart.steps.map((s) => s.name);

/** A peer's chart (no mark: written as coaia-narrative writes one) with steps 1..3. */
function peerChartLines(id: string, chartMetadata: Record<string, unknown> = {}): string[] {
  const entity = (name: string, entityType: string, observations: string[], metadata: object) => JSON.stringify({ type: 'entity', name, entityType, observations, metadata: { chartId: id, ...metadata } });
  const relation = (from: string, to: string, relationType: string) => JSON.stringify({ type: 'relation', from, to, relationType });
  const steps = [1, 2, 3].map((n) => `${id}_action_${n}`);
  return [
    entity(`${id}_chart`, 'structural_tension_chart', ['Chart'], { level: 0, ...chartMetadata }),
    entity(`${id}_desired_outcome`, 'desired_outcome', ['Ship billing'], { completionStatus: false }),
    entity(`${id}_current_reality`, 'current_reality', ['Pilot only'], {}),
    ...steps.map((name, i) => entity(name, 'action_step', [`Step ${i + 1}`], { completionStatus: false })),
    relation(`${id}_chart`, `${id}_desired_outcome`, 'contains'),
    relation(`${id}_current_reality`, `${id}_desired_outcome`, 'creates_tension_with'),
    ...steps.map((name) => relation(`${id}_chart`, name, 'contains')),
  ];
}

describe('a removed step keeps its number', () => {
  it('a step added after the last step was removed gets a new number; the removal is undone as it was, and each step keeps its own history', async () => {
    const engine = await openEngine(tempLayout(), { origin: 'app' });
    const window = new ChartService(engine);
    const { id } = await window.create('default', { outcome: 'Ship billing', reality: ['Pilot only'], steps: ['Automate invoices', 'Migrate customers'] });
    const { removed } = await window.removeStep('default', `${id}_action_2`);

    const assistant = new ChartService(engine);
    const { name } = await assistant.addStep('default', id, { title: 'Write the docs' });
    expect(name).toBe(`${id}_action_3`);

    // The window's undo of the removal.
    expect((await window.restoreRecords('default', removed)).changed).toBeGreaterThan(0);
    const tree = (await window.tree('default', id)).chart;
    expect(tree.steps.map((s) => [s.name, s.title])).toEqual([
      [`${id}_action_1`, 'Automate invoices'],
      [`${id}_action_2`, 'Migrate customers'],
      [`${id}_action_3`, 'Write the docs'],
    ]);
    const historyOfTwo = (await window.history('default', id)).filter((e) => e.part.endsWith('_action_2')).map((e) => JSON.stringify(e.value ?? {}));
    expect(historyOfTwo.some((v) => v.includes('Migrate customers'))).toBe(true);
    expect(historyOfTwo.some((v) => v.includes('Write the docs'))).toBe(false);
    await engine.close();
  });

  it('the same across processes: the step and the sub-chart telescoped from it come back from recently deleted after a fresh CLI added a step', async () => {
    const data = path.join(tempDir(), '.coaia');
    const engine = await openEngine(resolveLayout({ data }), { origin: 'app' });
    const charts = new ChartService(engine);
    const { id } = await charts.create('default', { outcome: 'Ship billing', reality: ['Pilot only'], steps: ['Automate invoices', 'Migrate customers'] });
    const { id: sub } = await charts.telescope('default', `${id}_action_2`, { reality: 'None migrated', steps: ['Pick the first ten'] });
    await engine.close();

    cliOk(['step', 'remove', `${id}_action_2`], data);
    expect(cliOk(['step', 'add', id, '--title', 'Write the docs'], data)).toBe(`${id}_action_3`);

    const deleted = (JSON.parse(cliOk(['deleted', '--json'], data)) as { deleted: { id: string; name: string }[] }).deleted;
    const step = deleted.find((d) => d.name === `${id}_action_2`);
    cliOk(['restore-deleted', step?.id as string], data);
    const shown = cliOk(['chart', 'show', id], data);
    for (const text of ['Automate invoices', 'Migrate customers', 'Write the docs', 'Pick the first ten', `${id}_action_2  -> ${sub}`]) expect(shown).toContain(text);
  });

  it("a peer's chart without the mark: numbers follow its steps as before, and a step we removed keeps its number from then on", async () => {
    const id = 'chart_1771269081608';
    const { data } = peerDataFolder(peerChartLines(id));
    const engine = await openEngine(resolveLayout({ data }));
    const charts = new ChartService(engine);
    await charts.removeStep('default', `${id}_action_3`);
    expect((await charts.addStep('default', id, { title: 'Step 4' })).name).toBe(`${id}_action_4`);
    await charts.removeStep('default', `${id}_action_4`);
    await charts.removeStep('default', `${id}_action_2`);
    expect((await charts.addStep('default', id, { title: 'Step 5' })).name).toBe(`${id}_action_5`);
    expect(await stepNames(charts, id)).toEqual([`${id}_action_1`, `${id}_action_5`]);
    await engine.close();
  });

  it('a peer that writes the file back without metadata (the reference server) does not make a removed number free again', async () => {
    const layout = tempLayout();
    const engine = await openEngine(layout);
    const charts = new ChartService(engine);
    const { id } = await charts.create('default', { outcome: 'Ship billing', reality: ['Pilot only'], steps: ['One', 'Two'] });
    await charts.removeStep('default', `${id}_action_2`);
    await engine.flush();
    const file = path.join(layout.root, 'charts.jsonl');
    const stripped = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const { metadata: _dropped, ...rest } = JSON.parse(line) as Record<string, unknown>;
        return JSON.stringify(rest);
      });
    fs.writeFileSync(file, stripped.join('\n'));
    expect((await charts.addStep('default', id, { title: 'Three' })).name).toBe(`${id}_action_3`);
    await engine.close();
  });

  it('a mark a peer wrote as something other than a whole number is passed over', async () => {
    for (const mark of ['9', -4, 2.5, 1e300, null]) {
      const id = 'chart_42';
      const { data } = peerDataFolder(peerChartLines(id, { highestStepNumber: mark }));
      const engine = await openEngine(resolveLayout({ data }));
      expect((await new ChartService(engine).addStep('default', id, { title: 'Next' })).name, String(mark)).toBe(`${id}_action_4`);
      await engine.close();
    }
  });
});
