// The index of the chart ids in an insights rows file (rowTable.ts): a fresh start finds a chart's
// row through it instead of putting every id into a Map first. It must find every row it was
// built for and nothing else, and a file without one (written before it) or with one that does
// not fit must still read right.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRowTable, findRow, validRowTable } from '../../electron/core/insights/rowTable.ts';
import { readRows, rollupPaths } from '../../electron/core/insights/rollupFiles.ts';
import { InsightTracker } from '../../electron/core/insights/insightTracker.ts';
import { contextPaths } from '../../electron/core/dataRoot.ts';
import { realFileSystem } from '../../electron/core/fileSystem.ts';
import { openEngine, removeTempDirs, tempLayout } from '../helpers/tempRoot.ts';
import { JournalBuilder, chartRecords, set } from '../helpers/builtJournal.ts';
import { seededRandom } from '../helpers/seededRandom.ts';

afterEach(removeTempDirs);

describe('the ids index', () => {
  it('finds the row of every id it was built for, and none of any other', () => {
    const random = seededRandom(7);
    const ids = Array.from({ length: 20_000 }, (_, i) => `chart_${Math.floor(random() * 1e12).toString(36)}_${i}${i % 7 === 0 ? 'é' : ''}`);
    const table = buildRowTable(ids);
    expect(validRowTable(table, ids)).toBe(true);
    ids.forEach((id, row) => expect(findRow(table, ids, id)).toBe(row));
    for (const other of ['', 'chart_', `${ids[0]}x`, 'chart_zzz_20000']) expect(findRow(table, ids, other)).toBeUndefined();
    expect(findRow(buildRowTable([]), [], 'chart_a')).toBeUndefined();
  });

  it('is refused unless it fits the ids: a power of two, big enough, every slot empty or a row there, every id found at its own row', () => {
    const ids = ['a', 'b', 'c'];
    const table = buildRowTable(ids);
    expect(validRowTable(table, ids)).toBe(true);
    expect(validRowTable(table.subarray(0, 1000), ids)).toBe(false);
    expect(validRowTable(table, Array.from({ length: table.length }, (_, i) => `x${i}`))).toBe(false);
    const wrong = table.slice();
    wrong[wrong.indexOf(-1)] = 3;
    expect(validRowTable(wrong, ids)).toBe(false);
    const negative = table.slice();
    negative[negative.indexOf(-1)] = -2;
    expect(validRowTable(negative, ids)).toBe(false);
    // Well formed, but its rows shuffled: an id would not be found at its own row.
    expect(validRowTable(table.map((row) => (row === -1 ? -1 : (row + 1) % 3)), ids)).toBe(false);
    // A row missing (a slot emptied): that chart would be made twice.
    const missing = table.slice();
    missing[missing.indexOf(1)] = -1;
    expect(validRowTable(missing, ids)).toBe(false);
  });
});

describe('rows read back with or without the index', () => {
  /** A context with charts A0..A{n-1} in its journal, read into a rollup and written (rows file with the index). */
  async function written(charts: number) {
    const layout = tempLayout();
    const journal = new JournalBuilder(layout, 'work');
    for (let i = 0; i < charts; i += 1) journal.commit(`2026-03-0${1 + (i % 8)}T10:00:00.000Z`, 'app', chartRecords(`A${i}`, 1).map(set));
    const engine = await openEngine(layout);
    const tracker = new InsightTracker(engine, { clock: () => new Date('2026-03-27T12:00:00.000Z') });
    const figures = await tracker.contextInsights({ context: 'work', weeks: 4 });
    await tracker.settled();
    const { rollup } = await tracker.refresh('work', true);
    await engine.close();
    return { layout, journal, figures, summary: rollup.summary, files: rollupPaths(contextPaths(layout, 'work').journal) };
  }

  /** The rows file with its index cut off (as written before it) or replaced, its header and CRC made to match. */
  function rewriteTable(file: string, table: Int32Array | undefined): void {
    const bytes = fs.readFileSync(file);
    const headerEnd = bytes.indexOf(10);
    const header = JSON.parse(bytes.subarray(0, headerEnd).toString('utf8')) as Record<string, unknown>;
    const slots = header.rowTable as number;
    const rest = bytes.subarray(headerEnd + 1, bytes.length - 4 * slots);
    const tail = table ? Buffer.from(table.buffer, table.byteOffset, table.byteLength) : Buffer.alloc(0);
    const body = Buffer.concat([rest, tail]);
    const { rowTable: _dropped, ...kept } = header;
    const next = { ...kept, ...(table ? { rowTable: table.length } : {}), crc: zlib.crc32(body).toString(16).padStart(8, '0') };
    fs.writeFileSync(file, Buffer.concat([Buffer.from(`${JSON.stringify(next)}\n`), body]));
  }

  it('finds every chart through the index, and charts added after the read beside it', async () => {
    const { files, summary } = await written(300);
    const header = JSON.parse(fs.readFileSync(files.rows).subarray(0, fs.readFileSync(files.rows).indexOf(10)).toString('utf8')) as { rowTable?: number };
    expect(header.rowTable).toBe(1024);
    const state = readRows(realFileSystem, files, summary)!;
    // Looked into (a private field): the lookups below go through the index, not a Map made of the ids.
    expect((state as unknown as { rowTable?: Int32Array }).rowTable?.length).toBe(1024);
    state.ids.forEach((id, row) => expect(state.row(id)).toBe(row));
    expect((state as unknown as { rowsById?: Map<string, number> }).rowsById).toBeUndefined();
    const added = state.ensureRow('B_new');
    expect(added).toBe(state.ids.length - 1);
    expect(state.row('B_new')).toBe(added);
    expect(state.ensureRow('A7')).toBe(state.ids.indexOf('A7'));
    expect(state.row('nowhere')).toBeUndefined();
  });

  it('a file without the index (written before it), or with one that does not fit, reads the same rows and gives the same figures after more changes', async () => {
    for (const variant of ['none', 'wrong'] as const) {
      const { layout, journal, files, summary } = await written(40);
      const table = buildRowTable(Array.from({ length: 40 }, (_, i) => `A${i}`));
      // 'wrong': a well-formed index whose rows are shuffled: it must find nothing wrong.
      rewriteTable(files.rows, variant === 'none' ? undefined : table.map((row) => (row === -1 ? -1 : (row + 1) % 40)));
      const state = readRows(realFileSystem, files, summary);
      expect(state, variant).toBeDefined();
      expect((state as unknown as { rowTable?: Int32Array }).rowTable, variant).toBeUndefined();
      state!.ids.forEach((id, row) => expect(state!.row(id), `${variant} ${id}`).toBe(row));

      journal.commit('2026-03-26T10:00:00.000Z', 'app', chartRecords('C', 2).map(set));
      const engine = await openEngine(layout);
      const tracker = new InsightTracker(engine, { clock: () => new Date('2026-03-27T12:00:00.000Z') });
      const read = await tracker.refresh('work');
      expect(read.rebuilt, variant).toBe(false);
      const incremental = await tracker.contextInsights({ context: 'work', weeks: 4 });
      await tracker.settled();
      await engine.close();
      fs.rmSync(files.rows);
      fs.rmSync(files.summary);
      const again = await openEngine(layout);
      const cold = new InsightTracker(again, { clock: () => new Date('2026-03-27T12:00:00.000Z') });
      expect(await cold.contextInsights({ context: 'work', weeks: 4 }), variant).toEqual(incremental);
      await cold.settled();
      await again.close();
    }
  });
});
