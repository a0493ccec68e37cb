// The current reality as completing, reopening and editing change it, through the real CLI in
// fresh processes: an edit changes the one observation named (repeats of others stay); two steps
// of one title share one "Completed: …" note, which stays while either is complete; a sub-chart
// the COAIA server made as a step (add_action_step) notes its completion in its parent's
// reality exactly as that server does, and reopening takes the note back.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliOk } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { MemoryServer } from '../peers/memoryServerClient.ts';

afterEach(removeTempDirs);


const entityIn = (file: string, name: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.includes(`"name":${JSON.stringify(name)}`))
    .map((line) => JSON.parse(line) as { observations: unknown[]; metadata?: Record<string, unknown> })[0];
const realityOf = (data: string, chart: string) => entityIn(path.join(data, 'charts.jsonl'), `${chart}_current_reality`)?.observations;

describe('the current reality', () => {
  it('an edit changes the one observation named; repeated ones elsewhere stay', () => {
    const data = path.join(tempDir(), '.coaia');
    const chart = cliOk(['chart', 'create', '--outcome', 'Ship billing', '--reality', 'placeholder'], data);
    // A peer wrote repeated observations (our own commands add each text once).
    const file = path.join(data, 'charts.jsonl');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('["placeholder"]', '["Team of 3","Budget low","Team of 3","same","other","same"]'));

    cliOk(['reality', 'edit', chart, '--old', 'Budget low', '--text', 'Budget ok'], data);
    expect(realityOf(data, chart)).toEqual(['Team of 3', 'Budget ok', 'Team of 3', 'same', 'other', 'same']);
    cliOk(['reality', 'edit', chart, '--old', 'same', '--text', 'changed'], data);
    expect(realityOf(data, chart)).toEqual(['Team of 3', 'Budget ok', 'Team of 3', 'changed', 'other', 'same']);
    // Edited into a text that is there already: the edited line goes, the other stays once.
    cliOk(['reality', 'edit', chart, '--old', 'changed', '--text', 'other'], data);
    expect(realityOf(data, chart)).toEqual(['Team of 3', 'Budget ok', 'Team of 3', 'other', 'same']);
    cliOk(['reality', 'edit', chart, '--old', 'Team of 3'], data);
    expect(realityOf(data, chart)).toEqual(['Budget ok', 'Team of 3', 'other', 'same']);
  });

  it('two steps of one title share one note: it stays while either is complete, and follows a new title', () => {
    const data = path.join(tempDir(), '.coaia');
    const chart = cliOk(['chart', 'create', '--outcome', 'Ship billing', '--reality', 'not yet', '--step', 'Run tests', '--step', 'Run tests'], data);
    const [first, second] = [`${chart}_action_1`, `${chart}_action_2`];
    cliOk(['step', 'complete', first], data);
    cliOk(['step', 'complete', second], data);
    expect(realityOf(data, chart)).toEqual(['not yet', 'Completed: Run tests']);
    cliOk(['step', 'reopen', first], data);
    expect(realityOf(data, chart)).toEqual(['not yet', 'Completed: Run tests']);
    cliOk(['step', 'complete', first], data);
    cliOk(['step', 'edit', first, '--title', 'Run every test'], data);
    expect(realityOf(data, chart)).toEqual(['not yet', 'Completed: Run tests', 'Completed: Run every test']);
    cliOk(['step', 'remove', second], data);
    expect(realityOf(data, chart)).toEqual(['not yet', 'Completed: Run every test']);
    cliOk(['step', 'edit', first, '--title', 'Run the tests'], data);
    expect(realityOf(data, chart)).toEqual(['not yet', 'Completed: Run the tests']);
    cliOk(['step', 'reopen', first], data);
    expect(realityOf(data, chart)).toEqual(['not yet']);
  });

  it("a sub-chart the COAIA server added as a step: completing it notes it in the parent's reality as that server does; reopening takes the note back", async () => {
    const ours = path.join(tempDir(), '.coaia');
    const theirs = path.join(tempDir(), '.coaia');
    fs.mkdirSync(ours, { recursive: true });
    const peer = await MemoryServer.start(path.join(ours, 'charts.jsonl'), 'coaia-narrative');
    let parent = '';
    let sub = '';
    try {
      await peer.call('create_structural_tension_chart', { desiredOutcome: 'Ship billing', currentReality: '3 pilots', dueDate: '2026-12-31', actionSteps: ['Automate invoices'] });
      parent = (JSON.parse(cliOk(['chart', 'list', '--json'], ours)) as { charts: { id: string }[] }).charts[0]?.id as string;
      await peer.call('add_action_step', { parentChartId: parent, actionStepTitle: 'Write invoice templates', currentReality: 'No templates exist' });
      sub = (JSON.parse(cliOk(['chart', 'list', '--json'], ours)) as { charts: { id: string }[] }).charts.map((c) => c.id).find((id) => id !== parent) as string;
    } finally {
      await peer.close();
    }
    expect(sub).toBeTruthy();
    fs.cpSync(ours, theirs, { recursive: true });

    cliOk(['step', 'complete', `${sub}_desired_outcome`], ours);
    const peerAgain = await MemoryServer.start(path.join(theirs, 'charts.jsonl'), 'coaia-narrative');
    try {
      await peerAgain.call('mark_action_complete', { actionStepName: `${sub}_desired_outcome` });
    } finally {
      await peerAgain.close();
    }
    expect(realityOf(ours, parent)).toEqual(['3 pilots', 'Completed: Write invoice templates']);
    expect(realityOf(ours, parent)).toEqual(entityIn(path.join(theirs, 'charts.jsonl'), `${parent}_current_reality`)?.observations);

    cliOk(['outcome', 'reopen', sub], ours);
    expect(realityOf(ours, parent)).toEqual(['3 pilots']);
  });
});
