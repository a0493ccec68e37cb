// A person makes a chart in the app in the very millisecond an assistant makes one through
// coaia-narrative. The peer names its chart `chart_<Date.now()>` and writes without our lock, so
// the check for a free id cannot see its chart in time. When our ids were `chart_<ms>` too, the
// two charts had every record name in common, and taking in the peer's file merged them into
// one (race d, fast, hit it in a third of its runs on this 2-core machine; a step completion
// of the peer's was lost after it). Our ids have three digits more than a millisecond.
//
// The interleaving is made exact rather than hoped for: the real coaia-narrative server makes
// its chart in a copy of the file as it was (what it read), our engine then makes its chart by
// a clock stopped at the peer's millisecond, and the peer's file lands after our commit. The
// real server then completes a step of each chart in the file itself.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { openEngine, removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { callsOn, peerVersionAfter } from './memoryServerClient.ts';
import { entitiesOnDisk, peerWriteAndRename } from './peerFiles.ts';

afterEach(removeTempDirs);

describe('a chart made here in the millisecond coaia-narrative made one', () => {
  it('keeps an id of its own: two charts, each with its own records, and the peer completes a step of each', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'memory.jsonl');
    const engine = await openEngine(resolveLayout({ memoryPath: file }));
    const { id: older } = await new ChartService(engine).create('default', { outcome: 'An older chart', reality: 'r' });
    await engine.close();

    // The peer reads the file and makes its chart; its write lands later, over ours.
    const made = await peerVersionAfter(file, 'coaia-narrative', [
      ['create_structural_tension_chart', { desiredOutcome: 'Made by the assistant', currentReality: 'Assistant reality', dueDate: '2027-06-30', actionSteps: ['Assistant step'] }],
    ]);
    const peer = { id: (JSON.parse(made.answers[0] as string) as { chartId: string }).chartId, after: made.text };
    const peerMs = Number(/^chart_(\d+)$/.exec(peer.id)?.[1]);
    expect(peerMs).toBeGreaterThan(0);

    const app = await openEngine(resolveLayout({ memoryPath: file }));
    const charts = new ChartService(app, () => new Date(peerMs));
    const { id: ours } = await charts.create('default', { outcome: 'Made in the app', reality: 'App reality', steps: ['App step'] });
    expect(ours).not.toBe(peer.id);
    expect(ours).toMatch(/^chart_\d+$/); // the pattern coaia-narrative's tools accept
    peerWriteAndRename(file, peer.after);

    const listed = await charts.list('default'); // takes in the peer's file
    expect(new Map(listed.map((c) => [c.id, c.desiredOutcome]))).toEqual(new Map([[older, 'An older chart'], [ours, 'Made in the app'], [peer.id, 'Made by the assistant']]));
    await app.close();

    // Each chart's records are its own, not merged; coaia-narrative works on both.
    await callsOn(file, 'coaia-narrative', [`${peer.id}_action_1`, `${ours}_action_1`].map((step) => ['mark_action_complete', { actionStepName: step }] as const));
    const reopened = await openEngine(resolveLayout({ memoryPath: file }));
    const after = new ChartService(reopened);
    const mine = await after.show('default', ours);
    const theirs = await after.show('default', peer.id);
    expect([mine.desiredOutcome, mine.steps.map((s) => [s.title, s.completed])]).toEqual(['Made in the app', [['App step', true]]]);
    expect([theirs.desiredOutcome, theirs.steps.map((s) => [s.title, s.completed])]).toEqual(['Made by the assistant', [['Assistant step', true]]]);
    await reopened.close();
    const onDisk = entitiesOnDisk(file);
    expect(onDisk.get(`${ours}_desired_outcome`)?.observations).toEqual(['Made in the app']);
    expect(onDisk.get(`${peer.id}_desired_outcome`)?.observations).toEqual(['Made by the assistant']);
  });
});
