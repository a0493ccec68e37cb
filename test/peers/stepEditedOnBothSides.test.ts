// A person renames a step in the app while an assistant, through coaia-narrative, records
// progress on it (update_action_progress appends an observation) or completes it. The peer
// writes without our lock, from the file as it read it: taking its file in merges its change
// into ours. A step's first observation is its title; a merge of the two observation lists
// that kept the peer's order and added our new title at the end made the peer's progress note
// the title, and the new title a note.
//
// The interleaving is made exact: the real server works on a copy of the file as it was (what
// it read), our engine then makes its change, and the server's file lands after our commit.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { resolveLayout } from '../../electron/core/dataRoot.ts';
import { openEngine, removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { peerVersionAfter, type ToolCall } from './memoryServerClient.ts';
import { entitiesOnDisk, peerWriteAndRename } from './peerFiles.ts';

afterEach(removeTempDirs);

async function chartWithStep(file: string): Promise<{ id: string; step: string }> {
  const engine = await openEngine(resolveLayout({ memoryPath: file }));
  const { id } = await new ChartService(engine).create('default', { outcome: 'Publish the guide', reality: 'A draft exists', steps: ['Write the outline', 'Edit'] });
  await engine.close();
  return { id, step: `${id}_action_1` };
}

describe('a step changed here and by coaia-narrative at once', () => {
  it.each([
    ['records progress on it', (step: string) => [['update_action_progress', { actionStepName: step, progressObservation: 'Outline half done' }]] as ToolCall[], { notes: ['Outline half done'], completed: false }],
    ['completes it', (step: string) => [['mark_action_complete', { actionStepName: step }]] as ToolCall[], { notes: [], completed: true }],
    [
      'records progress, then completes it',
      (step: string) => [['update_action_progress', { actionStepName: step, progressObservation: 'Outline done' }], ['mark_action_complete', { actionStepName: step }]] as ToolCall[],
      { notes: ['Outline done'], completed: true },
    ],
  ])('the person renames it while the assistant %s: the new title stays the title, and the peer\'s change is kept', async (_, calls, expected) => {
    const file = path.join(tempDir(), 'memory.jsonl');
    const { id, step } = await chartWithStep(file);
    const peer = (await peerVersionAfter(file, 'coaia-narrative', calls(step))).text;

    const app = await openEngine(resolveLayout({ memoryPath: file }));
    await new ChartService(app).editStep('default', step, { title: 'Write the outline and the index' });
    peerWriteAndRename(file, peer);
    await app.read('default', (state) => state.size); // takes in the peer's file
    await app.close();

    const reopened = await openEngine(resolveLayout({ memoryPath: file }));
    const chart = await new ChartService(reopened).show('default', id);
    await reopened.close();
    const shown = chart.steps.find((s) => s.name === step);
    expect({ title: shown?.title, notes: shown?.notes, completed: shown?.completed }).toEqual({ title: 'Write the outline and the index', ...expected });
    expect(entitiesOnDisk(file).get(step)?.observations).toEqual(['Write the outline and the index', ...expected.notes]);
  });

  it('the assistant renames the outcome while the person adds to the current reality: each keeps its place', async () => {
    const file = path.join(tempDir(), 'memory.jsonl');
    const { id } = await chartWithStep(file);
    const peer = (await peerVersionAfter(file, 'coaia-narrative', [['update_desired_outcome', { chartId: id, newDesiredOutcome: 'Publish the guide and its index' }]])).text;

    const app = await openEngine(resolveLayout({ memoryPath: file }));
    await new ChartService(app).addReality('default', id, 'The outline is reviewed');
    peerWriteAndRename(file, peer);
    await app.read('default', (state) => state.size);
    await app.close();

    const reopened = await openEngine(resolveLayout({ memoryPath: file }));
    const chart = await new ChartService(reopened).show('default', id);
    await reopened.close();
    expect({ outcome: chart.desiredOutcome, reality: chart.currentReality }).toEqual({ outcome: 'Publish the guide and its index', reality: ['A draft exists', 'The outline is reviewed'] });
  });
});
