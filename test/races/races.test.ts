// Zero loss under concurrency, with every writer a real process (issue 7). Each race runs the
// writers on one `charts.jsonl` for a fixed time, then counts every acknowledged write of every
// side and looks in the journal for deletions no writer asked for. Quick rounds here; `npm run
// torture` runs them for longer.
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, removeTempDirs } from '../helpers/tempRoot.ts';
import { LONG } from '../torture/support.ts';
import { dataFolder, race, startAppWriter, startCliLoop, startCoaiaNarrativeLoop, startReferenceServerLoop, startSpiralWriter, type RaceVerdict, type RaceWriter } from './raceSupport.ts';

const SECONDS = LONG ? 30 : 8;
const running: RaceWriter[] = [];

afterEach(async () => {
  // A failed assertion must not leave a server or a writer running.
  for (const writer of running.splice(0)) await writer.stop().catch(() => undefined);
  removeTempDirs();
});

function track(...writers: RaceWriter[]): RaceWriter[] {
  running.push(...writers);
  return writers;
}

async function run(title: string, data: string, writers: RaceWriter[]): Promise<RaceVerdict> {
  const verdict = await race({ data, context: 'default', ms: SECONDS * 1000, title }, writers);
  running.splice(0);
  return verdict;
}

function expectNothingLost(verdict: RaceVerdict, sides: readonly string[]): void {
  for (const tally of verdict.tallies) {
    expect(tally.acknowledged, `${tally.writer} acknowledged nothing: the race did not run (${tally.errors[0] ?? ''})`).toBeGreaterThan(0);
    if (sides.includes(tally.writer)) expect(tally.lost, `${tally.writer} lost acknowledged writes`).toEqual([]);
  }
  expect(verdict.unrequestedDeletions).toEqual([]);
  expect(verdict.readOnlyDiffers).toEqual([]);
}

const OURS = ['app', 'CLI (a process per write)'];

describe('races between real processes on one context file', () => {
  it('a) a fresh CLI process per write against the reference server writing in a loop: nothing acknowledged is lost', async () => {
    const { data, file } = dataFolder(tempDir());
    const writers = track(await startReferenceServerLoop({ file, prefix: 'peer', intervalMs: 0 }), startCliLoop({ data, context: 'default', prefix: 'cli' }));
    const verdict = await run('a) CLI process per write + reference server', data, writers);
    expectNothingLost(verdict, [...OURS, 'reference server']);
  });

  it("b) the app's write path as fast as it answers, with the CLI and the reference server: nothing acknowledged is lost", async () => {
    const { data, file } = dataFolder(tempDir());
    const writers = track(
      await startReferenceServerLoop({ file, prefix: 'peer', intervalMs: 0 }),
      startCliLoop({ data, context: 'default', prefix: 'cli' }),
      await startAppWriter({ data, context: 'default', ratePerSecond: 0, completeEvery: 5, prefix: 'app' }),
    );
    const verdict = await run('b) app (fast) + CLI + reference server', data, writers);
    expectNothingLost(verdict, [...OURS, 'reference server']);
  });

  it('c) the same with a second reference server: ours lose nothing, and nothing is deleted that no one asked to delete', async () => {
    const { data, file } = dataFolder(tempDir());
    const writers = track(
      await startReferenceServerLoop({ file, prefix: 'peerA', intervalMs: 0, label: 'reference server A' }),
      await startReferenceServerLoop({ file, prefix: 'peerB', intervalMs: 0, label: 'reference server B' }),
      startCliLoop({ data, context: 'default', prefix: 'cli' }),
      await startAppWriter({ data, context: 'default', ratePerSecond: 0, completeEvery: 5, prefix: 'app' }),
    );
    const verdict = await run('c) app (fast) + CLI + two reference servers', data, writers);
    // Two peers without a lock lose each other's writes; the app watching rescues what it saw.
    expectNothingLost(verdict, OURS);
  });

  it('d) coaia-narrative creating, completing and telescoping while the app edits at a person\'s pace: nothing acknowledged is lost', async () => {
    const { data, file } = dataFolder(tempDir());
    const writers = track(
      await startCoaiaNarrativeLoop({ file, intervalMs: 0, telescopeEvery: 3 }),
      await startAppWriter({ data, context: 'default', ratePerSecond: 1, completeEvery: 2, prefix: 'app' }),
    );
    const verdict = await run("d) app (a person's pace) + coaia-narrative", data, writers);
    expectNothingLost(verdict, ['app', 'coaia-narrative']);
  });

  it('d) coaia-narrative while the app edits fast: nothing acknowledged is lost', async () => {
    const { data, file } = dataFolder(tempDir());
    const writers = track(
      await startCoaiaNarrativeLoop({ file, intervalMs: 0, telescopeEvery: 3 }),
      await startAppWriter({ data, context: 'default', ratePerSecond: 0, completeEvery: 3, prefix: 'app' }),
    );
    const verdict = await run('d) app (fast) + coaia-narrative', data, writers);
    expectNothingLost(verdict, ['app', 'coaia-narrative']);
  });

  it("e) a writer in coaia-spiral's manner (comment on top, no final newline, rewritten in place) with the app and the CLI: nothing acknowledged is lost", async () => {
    const { data, file } = dataFolder(tempDir());
    const writers = track(
      await startSpiralWriter({ file, context: 'default', prefix: 'spiral', intervalMs: 20 }),
      startCliLoop({ data, context: 'default', prefix: 'cli' }),
      await startAppWriter({ data, context: 'default', ratePerSecond: 0, completeEvery: 5, prefix: 'app' }),
    );
    const verdict = await run('e) app (fast) + CLI + spiral-style writer', data, writers);
    expectNothingLost(verdict, [...OURS, 'spiral-style writer']);
  });

  it('f) the reference server deleting entities it had seen: those deletions stand, and nothing else is lost', async () => {
    const { data, file } = dataFolder(tempDir());
    const writers = track(
      // The victim is the 8th newest of its own entities: one whose deletion the versions show
      // (deleting the very newest, on a machine too busy to see each version, is ambiguous and
      // kept: see fileVersions.ts and the unit tests).
      await startReferenceServerLoop({ file, prefix: 'peer', intervalMs: 20, deleteEvery: 4, deleteAge: 8 }),
      startCliLoop({ data, context: 'default', prefix: 'cli' }),
      await startAppWriter({ data, context: 'default', ratePerSecond: 5, completeEvery: 0, prefix: 'app' }),
    );
    const verdict = await run('f) reference server deleting what it had seen + app + CLI', data, writers);
    const peer = writers[0] as RaceWriter;
    expect(peer.deleted.size, 'the peer deleted nothing: the race did not test deletions').toBeGreaterThan(0);
    // Where the evidence is ambiguous the record is kept (issue 7, item 1: a wrongly kept record
    // costs one more delete, a wrongly dropped one is data lost). On a busy machine the app
    // sometimes misses the versions that show the peer had seen its victim: measured on 28 runs
    // (14 before and 14 after commit 8eaf4d3), 5 runs kept one of the dozens of deletions each made.
    // One per run is that known limit; two or more is a regression.
    if (verdict.deletionsUndone.length > 0) console.warn(`f) deletions kept as ambiguous: ${verdict.deletionsUndone.join(', ')} of ${peer.deleted.size}`);
    expect(verdict.deletionsUndone.length, `deletions undone: ${verdict.deletionsUndone.join(', ')}`).toBeLessThanOrEqual(1);
    // What the peer deleted on purpose is not a loss.
    for (const tally of verdict.tallies) {
      const lost = tally.writer === peer.name ? tally.lost.filter((what) => !peer.deleted.has(what)) : tally.lost;
      expect(lost, `${tally.writer} lost acknowledged writes`).toEqual([]);
    }
    expect(verdict.unrequestedDeletions).toEqual([]);
  });

  it('g) everyone at once: the app, a CLI process per write, the reference server and coaia-narrative: nothing acknowledged is lost', async () => {
    const { data, file } = dataFolder(tempDir());
    const writers = track(
      await startCoaiaNarrativeLoop({ file, intervalMs: 50, telescopeEvery: 4 }),
      await startReferenceServerLoop({ file, prefix: 'peer', intervalMs: 50 }),
      startCliLoop({ data, context: 'default', prefix: 'cli' }),
      await startAppWriter({ data, context: 'default', ratePerSecond: 2, completeEvery: 2, prefix: 'app' }),
    );
    const verdict = await run('g) app + CLI + reference server + coaia-narrative', data, writers);
    // Two peers without a lock can still lose each other's writes; ours lose nothing.
    expectNothingLost(verdict, OURS);
  });
});
