// What a chart command does with the chart it is given, through the real CLI in fresh processes:
// a step telescoped twice by the real COAIA server is removed with both its sub-charts; a
// sub-chart is not moved away from its parent alone; a step's name is not taken for its chart.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, cliOk } from '../helpers/runCli.ts';
import { folderSnapshot } from '../helpers/folderSnapshot.ts';
import { peerDataFolder } from '../helpers/contextFiles.ts';
import { openEngine, removeTempDirs, tempDir, tempLayout } from '../helpers/tempRoot.ts';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { MemoryServer } from '../peers/memoryServerClient.ts';

afterEach(removeTempDirs);


const chartIds = (data: string, context = 'default') => (JSON.parse(cliOk(['chart', 'list', '--json', '--context', context], data)) as { charts: { id: string }[] }).charts.map((c) => c.id);

function verifyOk(data: string): void {
  const run = runCli(['verify', '--data', data]);
  expect(run.status, run.stdout + run.stderr).toBe(0);
}

describe('chart commands and the chart they name', () => {
  it('`step remove` takes every sub-chart the COAIA server telescoped from the step (it telescopes a step twice)', async () => {
    const data = path.join(tempDir(), '.coaia');
    const parent = cliOk(['chart', 'create', '--outcome', 'Ship billing', '--reality', '3 pilots', '--due', '2026-12-31', '--step', 'Automate invoices', '--step', 'Other'], data);
    const step = `${parent}_action_1`;
    const peer = await MemoryServer.start(path.join(data, 'charts.jsonl'), 'coaia-narrative');
    try {
      await peer.call('telescope_action_step', { actionStepName: step, newCurrentReality: 'first try' });
      // Its chart ids are its clock's milliseconds: two in one millisecond would be one chart.
      await new Promise((resolve) => setTimeout(resolve, 5));
      await peer.call('telescope_action_step', { actionStepName: step, newCurrentReality: 'second try' });
    } finally {
      await peer.close();
    }
    expect(chartIds(data)).toHaveLength(3);
    // Completing the step completes both its sub-charts.
    cliOk(['step', 'complete', step], data);
    const listed = (JSON.parse(cliOk(['chart', 'list', '--json'], data)) as { charts: { id: string; complete: boolean }[] }).charts;
    expect(listed.filter((c) => c.id !== parent).map((c) => c.complete)).toEqual([true, true]);

    cliOk(['step', 'remove', step], data);

    expect(chartIds(data)).toEqual([parent]);
    const left = fs.readFileSync(path.join(data, 'charts.jsonl'), 'utf8');
    expect(left).not.toContain('first try');
    expect(left).not.toContain('second try');
    expect(left).not.toContain(`"${step}"`);
    verifyOk(data);
  });

  it('a sub-chart is not moved or archived alone (its parent would keep a step pointing at nothing); its top chart moves with it', () => {
    const data = path.join(tempDir(), '.coaia');
    const parent = cliOk(['chart', 'create', '--outcome', 'Ship billing', '--reality', '3 pilots', '--step', 'Automate invoices'], data);
    const sub = cliOk(['telescope', `${parent}_action_1`, '--reality', 'Invoices are typed by hand', '--step', 'Pick a library'], data);
    cliOk(['outcome', 'complete', sub], data);
    const before = folderSnapshot(data);
    for (const args of [['chart', 'move', sub, '--to', 'work'], ['chart', 'archive', sub]]) {
      const run = runCli([...args, '--data', data]);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toContain(`is a sub-chart of ${parent}`);
      expect(folderSnapshot(data), args.join(' ')).toEqual(before);
    }

    cliOk(['chart', 'move', parent, '--to', 'work'], data);

    expect(chartIds(data)).toEqual([]);
    expect(chartIds(data, 'work').sort()).toEqual([parent, sub].sort());
    verifyOk(data);
  });

  it("a step's name given where a chart is wanted is refused, and nothing is changed", () => {
    const data = path.join(tempDir(), '.coaia');
    const chart = cliOk(['chart', 'create', '--outcome', 'Ship billing', '--reality', '3 pilots', '--step', 'Automate invoices', '--step', 'Migrate'], data);
    const step = `${chart}_action_1`;
    const before = folderSnapshot(data);
    for (const args of [
      ['outcome', 'complete', step],
      ['outcome', 'set', step, '--text', 'Migrate'],
      ['due', 'set', step, '2027-01-01'],
      ['reality', 'add', step, '--text', 'more'],
      ['chart', 'move', step, '--to', 'work'],
      ['chart', 'archive', step],
    ]) {
      const run = runCli([...args, '--data', data]);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toContain(`${step} is an action step of chart ${chart}, not a chart`);
      expect(folderSnapshot(data), args.join(' ')).toEqual(before);
    }
    // The chart's own parts still name it.
    cliOk(['outcome', 'set', `${chart}_desired_outcome`, '--text', 'Ship billing to everyone'], data);
    expect(cliOk(['chart', 'show', chart], data)).toContain('Ship billing to everyone');
  });

  it("a chart moves with the lines of other types that name it (a legacy narrative_beat) and their relations; verify is content in both contexts", () => {
    const chartLines = [
      '{"type":"entity","name":"chart_100_chart","entityType":"structural_tension_chart","observations":[],"metadata":{"chartId":"chart_100","level":0}}',
      '{"type":"entity","name":"chart_100_desired_outcome","entityType":"desired_outcome","observations":["Write the book"],"metadata":{"chartId":"chart_100"}}',
      '{"type":"entity","name":"chart_100_current_reality","entityType":"current_reality","observations":["two chapters"],"metadata":{"chartId":"chart_100"}}',
      '{"type":"narrative_beat","name":"chart_100_beat_1","observations":["the first draft"],"metadata":{"chartId":"chart_100"}}',
      '{"type":"relation","from":"chart_100_beat_1","to":"chart_100_chart","relationType":"documents"}',
    ];
    const other = '{"type":"entity","name":"other","entityType":"note","observations":[]}';
    const { data } = peerDataFolder([...chartLines, other]);
    verifyOk(data);

    cliOk(['chart', 'move', 'chart_100', '--to', 'work'], data);

    expect(fs.readFileSync(path.join(data, 'charts.jsonl'), 'utf8')).toBe(`${other}\n`);
    expect(fs.readFileSync(path.join(data, 'charts-work.jsonl'), 'utf8')).toBe(`${chartLines.join('\n')}\n`);
    verifyOk(data);
  });

  it('removing a step whose sub-chart a legacy narrative_beat line names leaves the line, and the undo (the window\'s, restoreRecords) puts the rest back', async () => {
    const layout = tempLayout();
    const data = layout.root;
    const parent = cliOk(['chart', 'create', '--outcome', 'Write the book', '--reality', 'two chapters', '--step', 'Chapter three'], data);
    const sub = cliOk(['telescope', `${parent}_action_1`, '--reality', 'notes only'], data);
    const beat = `{"type":"narrative_beat","name":"beat_1","observations":["the first draft"],"metadata":{"chartId":"${sub}"}}`;
    fs.appendFileSync(path.join(data, 'charts.jsonl'), `${beat}\n`);
    // Every line but the parent's chart entity, whose updatedAt the removal and the undo move.
    const lines = () => fs.readFileSync(path.join(data, 'charts.jsonl'), 'utf8').split('\n').filter((line) => line !== '' && !line.includes(`"name":"${parent}_chart"`)).sort();
    const before = lines();
    const engine = await openEngine(layout, { origin: 'app' });
    try {
      const charts = new ChartService(engine);
      const { removed } = await charts.removeStep('default', `${parent}_action_1`);
      expect(removed).not.toContain(beat);
      await charts.restoreRecords('default', removed);
    } finally {
      await engine.close();
    }
    expect(lines()).toEqual(before);
    expect(lines()).toContain(beat);
  });
});
