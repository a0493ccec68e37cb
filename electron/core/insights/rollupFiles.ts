// A context's rollup on disk, beside its journal (docs/FORMAT.md, "Insights rollup"):
//   .history/<file>.insights.json   the summary: day totals, the journal position, today's chart figures
//   .history/<file>.insights.bin    the rows: every chart and step seen, and the event log
// Both are caches: either may be deleted (the next read makes them again from the journal), a
// damaged or mismatched pair is made again, and they are written without fsync (a power cut
// costs a rebuild, never data). Written by any Tension Desk process that reads insights, and
// only where .history/ already exists.
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { FileSystem } from '../fileSystem.ts';
import { readFileIfExists } from '../fileSystem.ts';
import { replaceCacheFile } from '../atomicFile.ts';
import { CHART_COLUMNS, EVENT_COLUMNS, IntColumn, RollupState, STEP_COLUMNS, type ColumnName } from './rollupState.ts';
import { ROLLUP_FORMAT, restoreDays, type RollupSummary } from './rollupSummary.ts';
import { buildRowTable, validRowTable } from './rowTable.ts';

export interface RollupPaths {
  readonly summary: string;
  readonly rows: string;
}

/** The rollup files of the journal at `journal` (`.history/charts-work.journal.jsonl`). */
export function rollupPaths(journal: string): RollupPaths {
  const base = path.basename(journal, '.journal.jsonl');
  const dir = path.dirname(journal);
  return { summary: path.join(dir, `${base}.insights.json`), rows: path.join(dir, `${base}.insights.bin`) };
}

const crcHex = (bytes: Uint8Array) => zlib.crc32(bytes).toString(16).padStart(8, '0');
/** The rows file holds the columns as the machine's 32-bit integers: little-endian on every platform we run on. */
const LITTLE_ENDIAN = os.endianness() === 'LE';

export function readSummary(fsys: FileSystem, paths: RollupPaths, context: string): RollupSummary | undefined {
  let bytes: Buffer | undefined;
  try {
    bytes = readFileIfExists(fsys, paths.summary);
  } catch {
    return undefined; // unreadable: made again
  }
  if (!bytes) return undefined;
  try {
    const value = JSON.parse(bytes.toString('utf8')) as Partial<RollupSummary>;
    const ok =
      value.format === ROLLUP_FORMAT &&
      value.context === context &&
      typeof value.generation === 'string' &&
      typeof value.journal === 'object' &&
      value.journal !== null &&
      typeof value.journal.ino === 'string' &&
      Number.isSafeInteger(value.journal.offset) &&
      typeof value.days === 'object' &&
      value.days !== null &&
      typeof value.charts === 'object' &&
      Array.isArray(value.openByLastChange) &&
      Array.isArray(value.longestQuiet) &&
      Array.isArray(value.depth);
    return ok ? (value as RollupSummary) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The rows file: a JSON header line (format, generation, counts, and the CRC-32 of the rest),
 * a JSON line with the chart ids, then each column as little-endian 32-bit integers, then the
 * ids' index (rowTable.ts: `rowTable` slots in the header; a file without it is read all the same).
 */
export function encodeRows(state: RollupState, generation: string): Uint8Array[] {
  const ids = Buffer.from(`${JSON.stringify(state.ids)}\n`, 'utf8');
  const table = buildRowTable(state.ids);
  const columns = [...[...CHART_COLUMNS, ...STEP_COLUMNS, ...EVENT_COLUMNS].map((name) => state.column(name).values()), table].map((values) => Buffer.from(values.buffer, values.byteOffset, values.byteLength));
  let crc = zlib.crc32(ids);
  for (const column of columns) crc = zlib.crc32(column, crc);
  const header = { format: ROLLUP_FORMAT, generation, charts: state.charts, steps: state.steps, events: state.events, rowTable: table.length, crc: crc.toString(16).padStart(8, '0') };
  return [Buffer.from(`${JSON.stringify(header)}\n`, 'utf8'), ids, ...columns];
}

export function writeRollup(fsys: FileSystem, paths: RollupPaths, state: RollupState, summary: RollupSummary): void {
  if (!LITTLE_ENDIAN) return; // a big-endian machine goes without the cache, reading the journal each time
  // Rows first: a summary never names rows that are not there yet (a crash between the two
  // leaves a pair that does not match, which is made again).
  replaceCacheFile(fsys, paths.rows, encodeRows(state, summary.generation));
  replaceCacheFile(fsys, paths.summary, [Buffer.from(JSON.stringify(summary), 'utf8')]);
}

/** Room to grow a column read back gets: an eighth more (a day of changes adds about a hundredth), at least 1024. */
export function columnRoom(count: number): number {
  return Math.max(1024, count >> 3);
}

/** The rows written with `summary`, with its day totals; undefined when they are missing, damaged or of another generation. */
export function readRows(fsys: FileSystem, paths: RollupPaths, summary: RollupSummary): RollupState | undefined {
  if (!LITTLE_ENDIAN) return undefined;
  let bytes: Buffer | undefined;
  try {
    bytes = readFileIfExists(fsys, paths.rows);
  } catch {
    return undefined;
  }
  if (!bytes) return undefined;
  const headerEnd = bytes.indexOf(10);
  const idsEnd = headerEnd < 0 ? -1 : bytes.indexOf(10, headerEnd + 1);
  if (idsEnd < 0) return undefined;
  let header: { format?: unknown; generation?: unknown; charts?: unknown; steps?: unknown; events?: unknown; rowTable?: unknown; crc?: unknown };
  let ids: unknown;
  try {
    header = JSON.parse(bytes.subarray(0, headerEnd).toString('utf8')) as typeof header;
    if (header.format !== ROLLUP_FORMAT || header.generation !== summary.generation) return undefined;
    if (crcHex(bytes.subarray(headerEnd + 1)) !== header.crc) return undefined;
    ids = JSON.parse(bytes.subarray(headerEnd + 1, idsEnd).toString('utf8'));
  } catch {
    return undefined;
  }
  const counts = [header.charts, header.steps, header.events];
  if (!Array.isArray(ids) || !counts.every((n) => Number.isSafeInteger(n) && (n as number) >= 0) || ids.length !== header.charts || !ids.every((id) => typeof id === 'string')) return undefined;
  const [charts, steps, events] = counts as number[];
  // The ids' index (rowTable.ts) follows the columns; a file written before it had none.
  const tableSlots = header.rowTable === undefined ? 0 : header.rowTable;
  if (!Number.isSafeInteger(tableSlots) || (tableSlots as number) < 0) return undefined;
  const body = bytes.subarray(idsEnd + 1);
  const expected = 4 * (CHART_COLUMNS.length * charts! + STEP_COLUMNS.length * steps! + EVENT_COLUMNS.length * events! + (tableSlots as number));
  if (body.length !== expected) return undefined;
  // Each column is copied into an array of its own with room to grow (columnRoom): as views of
  // one exact-length copy, the first change after a read grew (copied) every column it touched,
  // 24 MB each for the event log at 100k charts (175 ms of a day's update after a start).
  const columns: Partial<Record<ColumnName, IntColumn>> = {};
  let at = 0;
  const take = (names: readonly ColumnName[], count: number) => {
    for (const name of names) {
      const data = new Int32Array(count + columnRoom(count));
      new Uint8Array(data.buffer, 0, 4 * count).set(body.subarray(4 * at, 4 * (at + count)));
      columns[name] = new IntColumn(data, count);
      at += count;
    }
  };
  take(CHART_COLUMNS, charts!);
  take(STEP_COLUMNS, steps!);
  take(EVENT_COLUMNS, events!);
  let table: Int32Array | undefined;
  if ((tableSlots as number) > 0) {
    table = new Int32Array(tableSlots as number);
    new Uint8Array(table.buffer).set(body.subarray(4 * at));
    // One that does not fit the ids is left aside: the ids are put in a Map instead.
    if (!validRowTable(table, ids as string[])) table = undefined;
  }
  const state = new RollupState(ids as string[], columns, table);
  restoreDays(state, summary.days);
  state.lastCommit = summary.lastCommit === undefined ? -1 : Math.floor(Date.parse(summary.lastCommit) / 60_000);
  state.lastRewrite = summary.lastRewrite === undefined ? -1 : Math.floor(Date.parse(summary.lastRewrite) / 60_000);
  state.unresolvedEdits = summary.unresolvedEdits;
  state.damagedLines = summary.damagedLines;
  return state;
}
