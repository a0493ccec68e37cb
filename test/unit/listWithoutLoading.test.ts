// `tension chart list` of a file unchanged since its list was saved reads the saved list and not
// the file's lines (Engine.savedWithoutLoading, contextLoading.loadsAsFile). A reader saves the
// list only in a folder that is ours already (.history there), never in a peer's. The list read
// this way must be the one a load would make: whenever a load would make anything but the file
// the list was saved for (a journal tail a writer has not rewritten yet, another program's edit
// of the same size, a replaced journal, a damaged line, a move across contexts left open, a
// link), the context is loaded and listed in full.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChartService } from '../../electron/core/charts/chartService.ts';
import { listCharts } from '../../electron/core/charts/chartSummaries.ts';
import { chartIndexOf, readChart, summarizeChart } from '../../electron/core/charts/chartModel.ts';
import { loadsAsFile } from '../../electron/core/contextLoading.ts';
import { contextPaths, rootPaths, type DataLayout } from '../../electron/core/dataRoot.ts';
import { derivedCacheOf } from '../../electron/core/derivedCache.ts';
import { IntentLog } from '../../electron/core/intentLog.ts';
import { recordFromObject } from '../../electron/core/knowledgeGraph.ts';
import { JOURNAL_FORMAT, crc32Hex, encodeHeader } from '../../electron/core/journalFormat.ts';
import { realFileSystem } from '../../electron/core/fileSystem.ts';
import type { Engine } from '../../electron/core/engine.ts';
import type { ContextStore } from '../../electron/core/contextStore.ts';
import { RecordSet } from '../../electron/core/recordSet.ts';
import type { ChartSummary } from '../../shared/domain.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { runCli } from '../helpers/runCli.ts';
import { FaultyFileSystem } from '../faults/faultyFileSystem.ts';

afterEach(removeTempDirs);

const byId = (list: readonly ChartSummary[]) => [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
const paths = (layout: DataLayout) => contextPaths(layout, 'work');
const fileTag = (layout: DataLayout) => {
  const bytes = fs.readFileSync(paths(layout).file);
  return `${bytes.length}:${crc32Hex(bytes)}`;
};

/** What a reader lists, and whether it loaded the context to do so (Engine.read called). */
async function readerLists(layout: DataLayout, fsys = realFileSystem): Promise<{ list: ChartSummary[]; loaded: boolean; full: ChartSummary[] }> {
  const reader = await openEngine(layout, { readOnly: true, fs: fsys });
  try {
    const read = vi.spyOn(reader, 'read');
    const list = await listCharts(reader, 'work');
    const loaded = read.mock.calls.length > 0;
    read.mockRestore();
    return { list, loaded, full: await fullReading(reader) };
  } finally {
    await reader.close();
  }
}

/** Each chart's own reading (readChart) by a fresh reader: what the list must show. */
async function fullReading(engine: Engine): Promise<ChartSummary[]> {
  return engine.read('work', (state) => {
    const index = chartIndexOf(state);
    return index.ids.map((id) => summarizeChart(readChart(state, id, 'work', index)!));
  });
}

/** The tag a fresh reader's load gives the state (DerivedCache.tagNow): undefined unless the state is exactly the file. */
async function loadedTag(layout: DataLayout): Promise<string | undefined> {
  const reader = await openEngine(layout, { readOnly: true });
  try {
    return await reader.read('work', (state) => derivedCacheOf(state)?.tagNow());
  } finally {
    await reader.close();
  }
}

/** A folder of ours: charts made by a writer, closed (file rewritten, checkpoint written), then listed once by a reader (which saves the list). */
async function oursListedOnce(): Promise<DataLayout> {
  const layout = tempLayout();
  const writer = await openEngine(layout);
  const charts = new ChartService(writer);
  for (let i = 0; i < 4; i += 1) await charts.create('work', { outcome: `Outcome ${i}`, reality: 'now', steps: ['one', 'two'].slice(0, i % 3) });
  await writer.close();
  expect(fs.existsSync(paths(layout).summaries)).toBe(false);
  const first = await readerLists(layout);
  expect(first.loaded).toBe(true);
  expect(fs.existsSync(paths(layout).summaries), 'the reader saved the list it made').toBe(true);
  return layout;
}

describe('a reader lists charts without loading the context', () => {
  it('reads the list it saved while the file is unchanged: the same list a load makes, the context never loaded', async () => {
    const layout = await oursListedOnce();
    const again = await readerLists(layout);
    expect(again.loaded).toBe(false);
    expect(byId(again.list)).toEqual(byId(again.full));
    expect(again.list.map((c) => c.desiredOutcome).sort()).toEqual(['Outcome 0', 'Outcome 1', 'Outcome 2', 'Outcome 3']);
    // The check it rests on says what a load says of the same folder.
    expect(loadsAsFile(realFileSystem, paths(layout), fileTag(layout))).toBe(true);
    expect(await loadedTag(layout)).toBe(fileTag(layout));
  });

  it('loads when a writer committed and stopped before its rewrite (the journal holds what the file lacks)', async () => {
    const layout = await oursListedOnce();
    const stopped = await openEngine(layout);
    await new ChartService(stopped).create('work', { outcome: 'In the journal only', reality: 'r' });
    // Not closed: no rewrite (rewriteDelayMs -1); the file is the one the list was saved for.
    expect(loadsAsFile(realFileSystem, paths(layout), fileTag(layout))).toBe(false);
    expect(await loadedTag(layout)).toBeUndefined();
    const listed = await readerLists(layout);
    expect(listed.loaded).toBe(true);
    expect(listed.list.map((c) => c.desiredOutcome)).toContain('In the journal only');
    expect(byId(listed.list)).toEqual(byId(listed.full));
  });

  it("loads when another program changed the file, even to the same size (the CRC tells), or replaced the journal", async () => {
    const layout = await oursListedOnce();
    const file = paths(layout).file;
    const saved = fileTag(layout);
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace('Outcome 2', 'Outcome X'));
    expect(fs.statSync(file).size).toBe(Number(saved.split(':')[0]));
    expect(loadsAsFile(realFileSystem, paths(layout), saved)).toBe(false);
    const edited = await readerLists(layout);
    expect(edited.loaded).toBe(true);
    expect(edited.list.map((c) => c.desiredOutcome)).toContain('Outcome X');
    expect(byId(edited.list)).toEqual(byId(edited.full));

    // A second folder: the file as saved, the journal copied to a new inode of the same size.
    const other = await oursListedOnce();
    const journal = paths(other).journal;
    fs.copyFileSync(journal, `${journal}.copy`);
    fs.renameSync(`${journal}.copy`, journal);
    expect(loadsAsFile(realFileSystem, paths(other), fileTag(other))).toBe(false);
    expect((await readerLists(other)).loaded).toBe(true);
  });

  it('loads when a move across contexts was decided but not finished (a reader previews it), and shows the moved chart', async () => {
    const layout = await oursListedOnce();
    const chart = recordFromObject({ type: 'entity', name: 'moved_in_chart', entityType: 'chart', observations: ['moved'], metadata: { chartId: 'moved_in' } });
    const outcome = recordFromObject({ type: 'entity', name: 'moved_in_desired_outcome', entityType: 'desired_outcome', observations: ['Moved in, not yet written'], metadata: { chartId: 'moved_in' } });
    new IntentLog(realFileSystem, rootPaths(layout).intents).begin({ work: { puts: [chart, outcome], deletes: [] } }, { origin: 'cli', op: 'test-move' }, () => ({ state: new RecordSet() }) as unknown as ContextStore);
    // The file is still the one the list was saved for: only the intent says otherwise.
    expect(loadsAsFile(realFileSystem, paths(layout), fileTag(layout))).toBe(true);
    const listed = await readerLists(layout);
    expect(listed.loaded).toBe(true);
    expect(listed.list.map((c) => c.desiredOutcome)).toContain('Moved in, not yet written');
  });

  it('saves nothing for a state with a damaged line, nor in a peer\'s folder, nor for a journal of a newer format, and a writer never reads without loading', async () => {
    // A peer's folder (no .history): read twice, written never.
    const peer = tempLayout();
    fs.mkdirSync(peer.root, { recursive: true });
    const lines = [
      { type: 'entity', name: 'p_chart', entityType: 'chart', observations: ['x'], metadata: { chartId: 'p' } },
      { type: 'entity', name: 'p_desired_outcome', entityType: 'desired_outcome', observations: ['A peer wrote this'], metadata: { chartId: 'p' } },
    ].map((v) => JSON.stringify(v));
    fs.writeFileSync(paths(peer).file, `${lines.join('\n')}\n`);
    for (let i = 0; i < 2; i += 1) {
      const listed = await readerLists(peer);
      expect(listed.loaded).toBe(true);
      expect(listed.list.map((c) => c.desiredOutcome)).toEqual(['A peer wrote this']);
    }
    expect(fs.readdirSync(peer.root)).toEqual([path.basename(paths(peer).file)]);

    // The same folder, made ours (.history there, no journal yet), with a damaged line: the
    // file is what a load takes, but its state is not the file, so no list is saved for it.
    fs.mkdirSync(rootPaths(peer).history);
    fs.appendFileSync(paths(peer).file, '{"type":"entity","name":\n');
    expect(loadsAsFile(realFileSystem, paths(peer), fileTag(peer))).toBe(true);
    expect(await loadedTag(peer)).toBeUndefined();
    expect((await readerLists(peer)).loaded).toBe(true);
    expect(fs.existsSync(paths(peer).summaries)).toBe(false);
    expect((await readerLists(peer)).loaded).toBe(true);

    // Ours, but its journal of a newer format than this version reads (and no checkpoint, so the
    // load replays it): the reader's state is an older reading of it, so it saves no list for it.
    const newer = tempLayout();
    const writer0 = await openEngine(newer);
    await new ChartService(writer0).create('work', { outcome: 'Written by a newer version', reality: 'r' });
    await writer0.close();
    const journalLines = fs.readFileSync(paths(newer).journal, 'utf8').split('\n');
    journalLines[0] = encodeHeader('work', new Date().toISOString(), JOURNAL_FORMAT + 1);
    fs.writeFileSync(paths(newer).journal, journalLines.join('\n'));
    fs.rmSync(paths(newer).checkpoint);
    const newerList = await readerLists(newer);
    expect(newerList.list.map((c) => c.desiredOutcome)).toEqual(['Written by a newer version']);
    expect(fs.existsSync(paths(newer).summaries)).toBe(false);

    // A writer loads, even where a reader would not.
    const layout = await oursListedOnce();
    const writer = await openEngine(layout);
    expect(await writer.savedWithoutLoading('work', 'summaries')).toBeUndefined();
    await writer.close();
  });

  it('loads when the context file is a link (nothing is read through one), when the saved list is damaged after its header, and when it cannot be read (EIO mocked through the seam)', async () => {
    const layout = await oursListedOnce();
    const file = paths(layout).file;
    fs.renameSync(file, `${file}.real`);
    fs.symlinkSync(`${file}.real`, file);
    expect(loadsAsFile(realFileSystem, paths(layout), fileTag(layout))).toBe(false);
    fs.rmSync(file);
    fs.renameSync(`${file}.real`, file);
    expect((await readerLists(layout)).loaded).toBe(false);

    // Its header right (this file's tag), the list after it damaged: loaded and listed in full.
    const cache = paths(layout).summaries;
    const header = fs.readFileSync(cache, 'utf8').split('\n')[0];
    fs.writeFileSync(cache, `${header}\n{"ids":["half`);
    const damaged = await readerLists(layout);
    expect(damaged.loaded).toBe(true);
    expect(byId(damaged.list)).toEqual(byId(damaged.full));
    expect(damaged.list).toHaveLength(4);

    const failing = new FaultyFileSystem().arm({ nth: 1, mode: 'persist', ops: ['readFileSync'], path: /summaries\.cache\.json$/, effect: { kind: 'errno', errno: 'EIO' } });
    const listed = await readerLists(layout, failing);
    expect(failing.hits).toBeGreaterThan(0);
    expect(listed.loaded).toBe(true);
    expect(byId(listed.list)).toEqual(byId(listed.full));
  });
});

describe('tension chart list, each call a fresh process', () => {
  it('answers the same list from the saved one, and the new chart after each write', () => {
    const layout = tempLayout();
    const data = layout.root;
    const ok = (args: string[]) => {
      const run = runCli([...args, '--data', data, '--context', 'work']);
      expect(run.status, run.stderr).toBe(0);
      return run.stdout;
    };
    ok(['chart', 'create', '--outcome', 'First', '--reality', 'r']);
    const first = ok(['chart', 'list']);
    expect(fs.existsSync(paths(layout).summaries), 'the first list saved itself').toBe(true);
    const saved = fs.statSync(paths(layout).summaries).mtimeMs;
    expect(ok(['chart', 'list'])).toBe(first);
    // Read back, not saved again: the file is the one it was saved for.
    expect(fs.statSync(paths(layout).summaries).mtimeMs).toBe(saved);
    ok(['chart', 'create', '--outcome', 'Second', '--reality', 'r']);
    const second = ok(['chart', 'list']);
    expect(second).toContain('First');
    expect(second).toContain('Second');
    expect(ok(['chart', 'list'])).toBe(second);
    const json = JSON.parse(ok(['chart', 'list', '--json'])) as { charts: ChartSummary[] };
    expect(json.charts.map((c) => c.desiredOutcome).sort()).toEqual(['First', 'Second']);
  });
});
