// A peer deletes a chart with its steps a moment after we wrote the file (an assistant's delete
// right after the app or the CLI saved). The chart is most of the records of a small context
// (11 of 17 beside a chart without steps), and a file lacking most records within the race
// window was taken for a read cut short: nothing was deleted, the chart came back at our next
// command. A chart without steps (6 of 12) was deleted. What is missing is a whole chart with
// the file's other records kept after it: no cut read leaves that (chartsTakenOut.ts).
// Real CLI processes write and read; the peers are a plain whole-file rewrite as PEERS.md
// describes and both real servers over stdio, each right after our last write.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliOk } from '../helpers/runCli.ts';
import { removeTempDirs, tempDir } from '../helpers/tempRoot.ts';
import { MemoryServer } from './memoryServerClient.ts';
import { entityLine, fileLines, peerText, peerWriteAndRename } from './peerFiles.ts';

afterEach(removeTempDirs);

interface Folder {
  readonly data: string;
  readonly file: string;
  /** The chart the peer deletes, and the one it keeps (made after it: our last write). */
  readonly doomed: string;
  readonly kept: string;
}

/** A context with a chart (with two steps, or none) and then a chart without steps, made by fresh CLI processes. */
function twoCharts(doomedHasSteps: boolean): Folder {
  const data = path.join(tempDir(), '.coaia');
  const steps = doomedHasSteps ? ['--step', 'Draft the plan', '--step', 'Send it'] : [];
  const doomed = cliOk(['chart', 'create', '--outcome', 'Plan to delete', '--reality', 'r', ...steps], data);
  const kept = cliOk(['chart', 'create', '--outcome', 'Plan to keep', '--reality', 'r'], data);
  return { data, file: path.join(data, 'charts.jsonl'), doomed, kept };
}

/** A peer's rewrite without the chart: every other line re-serialized (JSON.stringify per line), no final newline, renamed over the file. */
function peerDeletesChart(folder: Folder, chart: string): void {
  const lines = fileLines(folder.file).filter((line) => !line.includes(`"${chart}_`));
  peerWriteAndRename(folder.file, peerText(lines.map((line) => JSON.stringify(JSON.parse(line)))));
}

const chartParts = (chart: string, steps: number) => ['_chart', '_desired_outcome', '_current_reality', ...Array.from({ length: steps }, (_, i) => `_action_${i + 1}`)].map((part) => `${chart}${part}`);

/** Our next write (a fresh CLI process), then what a reader sees: the charts listed, and how the chart entity ended in the journal. */
function afterOurNextWrite(folder: Folder, chart: string) {
  cliOk(['entity', 'set', '--name', 'note', '--type', 'note', '--obs', 'written after the peer'], folder.data);
  const history = JSON.parse(cliOk(['history', '--name', `${chart}_chart`, '--json'], folder.data)) as { versions: { origin: string; action: string; note?: string }[] };
  return { list: cliOk(['chart', 'list'], folder.data), onDisk: fs.readFileSync(folder.file, 'utf8'), last: history.versions.at(-1) };
}

function expectDeletedByThePeer(folder: Folder): void {
  const seen = afterOurNextWrite(folder, folder.doomed);
  expect(seen.list).not.toContain('Plan to delete');
  expect(seen.list).toContain('Plan to keep');
  expect(seen.onDisk).not.toContain(`${folder.doomed}_`);
  expect(seen.last).toMatchObject({ origin: 'external', action: 'delete' });
  expect(seen.last?.note).not.toMatch(/nothing taken as deleted/);
}

describe('a peer deleting a chart just after our write', () => {
  it.each([
    ['with two steps (11 of 17 records)', true],
    ['without steps (6 of 12 records)', false],
  ])('a whole-file rewrite without the chart, %s: journaled as the peer\'s deletion, and it stays deleted', (_, withSteps) => {
    const folder = twoCharts(withSteps);
    peerDeletesChart(folder, folder.doomed);
    expectDeletedByThePeer(folder);
  });

  it.each([['coaia-narrative'], ['reference']] as const)('the %s server deleting the chart and its steps: journaled as its deletion', async (peer) => {
    const folder = twoCharts(true);
    const server = await MemoryServer.start(folder.file, peer);
    await server.deleteEntities(chartParts(folder.doomed, 2)).finally(() => server.close());
    expectDeletedByThePeer(folder);
  });

  it('a read cut short that lost the end of the file (the chart with steps, made last), written back: nothing deleted', () => {
    // What a reader of a file being rewritten in place in our order keeps when cut just after
    // the first chart: the same file a peer deleting the last chart would write, so it is kept
    // (a wrongly kept chart costs one more delete; a wrongly dropped one is lost). Our last
    // write edits the first chart: the reader shows that version, which held the last chart.
    const data = path.join(tempDir(), '.coaia');
    const first = cliOk(['chart', 'create', '--outcome', 'First plan', '--reality', 'r'], data);
    const last = cliOk(['chart', 'create', '--outcome', 'Last plan', '--reality', 'r', '--step', 'a', '--step', 'b'], data);
    cliOk(['entity', 'set', '--name', `${first}_current_reality`, '--type', 'current_reality', '--obs', 'seen last'], data);
    const file = path.join(data, 'charts.jsonl');
    const cut = fileLines(file).filter((line) => line.includes(`"${first}_`));
    peerWriteAndRename(file, peerText([...cut, entityLine('reader_own', 'note', ['added by the reader'])]));
    const seen = afterOurNextWrite({ data, file, doomed: last, kept: first }, last);
    expect(seen.list).toContain('Last plan');
    expect(seen.list).toContain('First plan');
    expect(seen.last).toMatchObject({ action: 'set' });
    expect(cliOk(['graph'], data)).toContain('reader_own');
  });
});
